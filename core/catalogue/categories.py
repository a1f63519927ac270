"""The category tree as a reader sees it: look a category up by slug or name, with its sub-categories."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.catalogue.cache import cached
from core.catalogue.models import Category
from core.errors import NotFound


@dataclass(frozen=True)
class CategoryTree:
    by_id: dict[int, Category]
    children: dict[int | None, list[int]] = field(default_factory=dict)

    def find(self, text: str) -> list[Category]:
        """Categories whose slug, name (any case) or path (`Brakes/Brake pads`) is `text`."""
        wanted = text.strip().casefold()
        by_slug = [c for c in self.by_id.values() if c.slug == wanted]
        if by_slug:
            return by_slug
        if "/" in wanted:
            return self._by_path([part.strip() for part in wanted.split("/")])
        return [c for c in self.by_id.values() if c.name.casefold() == wanted]

    def _by_path(self, names: list[str]) -> list[Category]:
        parent: int | None = None
        found: Category | None = None
        for name in names:
            found = next(
                (
                    self.by_id[i]
                    for i in self.children.get(parent, ())
                    if self.by_id[i].name.casefold() == name
                ),
                None,
            )
            if found is None:
                return []
            parent = found.id
        return [found] if found else []

    def subtree_ids(self, category_id: int) -> list[int]:
        """The category and every category below it."""
        found, todo = [], [category_id]
        while todo:
            current = todo.pop()
            found.append(current)
            todo.extend(self.children.get(current, ()))
        return found

    def path(self, category_id: int) -> list[Category]:
        """From the root down to the category."""
        chain = []
        current = self.by_id.get(category_id)
        while current is not None:
            chain.append(current)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        return chain[::-1]


async def category_tree() -> CategoryTree:
    async def load() -> CategoryTree:
        categories = await Category.all()
        children: dict[int | None, list[int]] = {}
        for category in categories:
            children.setdefault(category.parent_id, []).append(category.id)
        return CategoryTree({c.id: c for c in categories}, children)

    return await cached(("category_tree",), load)


async def category_ids(text: str) -> list[int]:
    """The ids a filter by this category covers (sub-categories included); NotFound if none."""
    tree = await category_tree()
    matches = tree.find(text)
    if not matches:
        raise NotFound("There is no category “{category}”.", category=text)
    ids: list[int] = []
    for category in matches:
        ids.extend(i for i in tree.subtree_ids(category.id) if i not in ids)
    return ids
