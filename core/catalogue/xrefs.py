"""Cross-reference groups: every number linked to another, directly or through others, is one group.

A crossrefs.csv row links a part to another number (an OE number such as VAG 1K0 698 151 A, or
another brand's article). Groups are the connected sets of such links, so searching any number
of a group finds every part of it. New links that touch two existing groups merge them (the
smaller group id survives); a part joins the group its own number is in.
"""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from core.catalogue import sql
from core.catalogue.rows import CrossRefRow

Key = tuple[str, str]  # (brand key, normalised number)
Node = Key | int  # a number, or an existing group id


class _Groups:
    """Union-find over numbers and existing group ids."""

    def __init__(self) -> None:
        self.parent: dict[Node, Node] = {}

    def find(self, node: Node) -> Node:
        root = self.parent.setdefault(node, node)
        while self.parent[root] != root:
            root = self.parent[root]
        while node != root:  # path compression keeps later look-ups short
            self.parent[node], node = root, self.parent[node]
        return root

    def join(self, a: Node, b: Node) -> None:
        root_a, root_b = self.find(a), self.find(b)
        if root_a != root_b:
            self.parent[root_a] = root_b

    def components(self) -> dict[Node, list[Node]]:
        found: dict[Node, list[Node]] = {}
        for node in list(self.parent):
            found.setdefault(self.find(node), []).append(node)
        return found


class CrossReferenceMerger:
    """Collects accepted crossrefs rows, then writes the groups they form."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.numbers: dict[Key, int] = {}  # existing number -> group
        self.part_groups: dict[Key, int] = {}  # part -> its current group
        self.part_names: dict[Key, tuple[str, str]] = {}  # part -> (brand, article) as written
        self.ref_names: dict[Key, tuple[str, str]] = {}
        self.links: set[tuple[Key, Key]] = set()

    async def load(self) -> None:
        rows = await sql.fetch(
            'SELECT "group" AS g, brand_key, number_norm FROM cross_reference', (), self.conn
        )
        self.numbers = {(r["brand_key"], r["number_norm"]): r["g"] for r in rows}
        rows = await sql.fetch(
            "SELECT brand, brand_key, article, article_norm, xref_group FROM part", (), self.conn
        )
        for row in rows:
            key = (row["brand_key"], row["article_norm"])
            self.part_names[key] = (row["brand"], row["article"])
            if row["xref_group"] is not None:
                self.part_groups[key] = row["xref_group"]

    def accept(self, row: CrossRefRow) -> bool:
        """Remember the link; True when it is new (not already in the catalogue or this file)."""
        link = (row.part, row.ref_key)
        known = link in self.links or (
            row.ref_key in self.numbers and self.numbers[row.ref_key] == self.part_groups.get(row.part, -1)
        )
        self.links.add(link)
        self.ref_names.setdefault(row.ref_key, (row.ref_brand, row.ref_number))
        return not known

    async def merge(self) -> list[tuple]:
        """Merge the groups the links join; returns the new number rows for `insert`."""
        if not self.links:
            return []
        groups = _Groups()
        for part, ref in self.links:
            groups.join(part, ref)
            for key in (part, ref):
                for existing in (self.numbers.get(key), self.part_groups.get(key)):
                    if existing is not None:
                        groups.join(key, existing)
        next_id = 1 + max([0, *self.numbers.values(), *self.part_groups.values()])
        renumber: list[tuple[int, int]] = []
        new_numbers: list[tuple] = []
        for members in groups.components().values():
            existing = sorted(m for m in members if isinstance(m, int))
            target = existing[0] if existing else next_id
            next_id += 0 if existing else 1
            renumber += [(target, old) for old in existing[1:]]
            for key in members:
                if not isinstance(key, int) and key not in self.numbers:
                    brand, number = self.part_names.get(key) or self.ref_names[key]
                    new_numbers.append((target, brand, key[0], number, key[1]))
        await sql.execute_many(
            'UPDATE cross_reference SET "group" = ? WHERE "group" = ?', renumber, self.conn
        )
        await sql.execute_many("UPDATE part SET xref_group = ? WHERE xref_group = ?", renumber, self.conn)
        return new_numbers

    async def insert(self, new_numbers: list[tuple]) -> None:
        await sql.execute_many(
            'INSERT INTO cross_reference ("group", brand, brand_key, number, number_norm) VALUES (?, ?, ?, ?, ?)',
            new_numbers,
            self.conn,
        )
