"""Writing checked catalogue rows in bulk, inside one transaction: the importer's and demo data's path.

Ids are kept in memory (makes, models, vehicles by external id, categories, parts by brand and
normalised article), so a batch of rows becomes one `executemany` of upserts: re-importing the
same file updates rows instead of duplicating them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from core.catalogue import sql
from core.catalogue.normalise import search_text, slugify
from core.catalogue.rows import CategoryRow, PartRow, VehicleRow

_UPSERT_VEHICLE = (
    "INSERT INTO vehicle (external_id, model_id, generation, body, engine_code, engine_cc, power_kw, fuel, "
    "year_from, year_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (external_id) DO UPDATE SET "
    "model_id = excluded.model_id, generation = excluded.generation, body = excluded.body, "
    "engine_code = excluded.engine_code, engine_cc = excluded.engine_cc, power_kw = excluded.power_kw, "
    "fuel = excluded.fuel, year_from = excluded.year_from, year_to = excluded.year_to"
)
_UPSERT_PART = (
    "INSERT INTO part (brand, brand_key, article, article_norm, name, description, category_id, price, "
    "currency, stock, search_text, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (brand_key, article_norm) DO UPDATE SET brand = excluded.brand, article = excluded.article, "
    "name = excluded.name, description = excluded.description, category_id = excluded.category_id, "
    "price = excluded.price, currency = excluded.currency, stock = excluded.stock, "
    "search_text = excluded.search_text, updated_at = excluded.updated_at"
)
_SET_CATEGORY_NAMES = "UPDATE category SET name_uk = ?, name_ru = ?, name_es = ? WHERE id = ?"
_SET_SEARCH_TEXT = "UPDATE part SET search_text = ? WHERE id = ?"
_UPSERT_FITMENT = (
    "INSERT INTO fitment (part_id, vehicle_id, position, note) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (part_id, vehicle_id, position) DO UPDATE SET note = excluded.note"
)
# A part whose own number belongs to a cross-reference group joins that group.
_LINK_PARTS_TO_GROUPS = (
    'UPDATE part SET xref_group = (SELECT c."group" FROM cross_reference c '
    "WHERE c.brand_key = part.brand_key AND c.number_norm = part.article_norm) "
    "WHERE EXISTS (SELECT 1 FROM cross_reference c WHERE c.brand_key = part.brand_key "
    'AND c.number_norm = part.article_norm AND (part.xref_group IS NULL OR c."group" <> part.xref_group))'
)


class CatalogueWriter:
    """Upserts rows that `rows.py` has checked; all statements run on the import's transaction."""

    def __init__(self, conn: BaseDBAsyncClient) -> None:
        self.conn = conn
        self.now = datetime.now(UTC)
        self.makes: dict[str, int] = {}  # casefolded name -> id
        self.models: dict[tuple[int, str], int] = {}  # (make id, casefolded name) -> id
        self.vehicles: dict[str, int] = {}  # external id -> id
        self.categories: dict[tuple[int | None, str], int] = {}  # (parent id, casefolded name) -> id
        self.category_slugs: dict[int, str] = {}
        # id -> (name, name_uk, name_ru, name_es): what a part's search text holds of its category.
        self.category_names: dict[int, tuple[str, ...]] = {}
        self.parts: dict[tuple[str, str], int] = {}  # (brand key, normalised article) -> id
        self._paths: dict[tuple[str, ...], int | None] = {(): None}  # category path -> id
        self._fitment_scratch = False
        self._slugs: dict[str, set[str]] = {"make": set(), "category": set()}

    async def load(self) -> None:
        for row in await sql.fetch("SELECT id, name, slug FROM make", (), self.conn):
            self.makes[row["name"].casefold()] = row["id"]
            self._slugs["make"].add(row["slug"])
        for row in await sql.fetch("SELECT id, make_id, name FROM vehicle_model", (), self.conn):
            self.models[(row["make_id"], row["name"].casefold())] = row["id"]
        for row in await sql.fetch(
            "SELECT id, parent_id, name, slug, name_uk, name_ru, name_es FROM category", (), self.conn
        ):
            self.categories[(row["parent_id"], row["name"].casefold())] = row["id"]
            self.category_slugs[row["id"]] = row["slug"]
            self.category_names[row["id"]] = (row["name"], row["name_uk"], row["name_ru"], row["name_es"])
            self._slugs["category"].add(row["slug"])
        await self.refresh_vehicles()
        await self.refresh_parts()

    async def refresh_vehicles(self) -> None:
        rows = await sql.fetch(
            "SELECT id, external_id FROM vehicle WHERE external_id IS NOT NULL", (), self.conn
        )
        self.vehicles = {row["external_id"]: row["id"] for row in rows}

    async def refresh_parts(self) -> None:
        rows = await sql.fetch("SELECT id, brand_key, article_norm FROM part", (), self.conn)
        self.parts = {(row["brand_key"], row["article_norm"]): row["id"] for row in rows}

    async def count(self, table: str) -> int:
        rows = await sql.fetch(f"SELECT COUNT(*) AS n FROM {table}", (), self.conn)
        return int(rows[0]["n"])

    def _free_slug(self, kind: str, *candidates: str) -> str:
        """The first candidate slug nobody has yet, else the last one with a number added."""
        taken = self._slugs[kind]
        wanted = [c[:120] for c in candidates if c] or [kind]
        slug = next((c for c in wanted if c not in taken), "")
        number = 2
        while not slug:
            slug = f"{wanted[-1]}-{number}"
            slug, number = ("" if slug in taken else slug), number + 1
        taken.add(slug)
        return slug

    async def _insert(self, table: str, columns: dict) -> int:
        names = ", ".join(columns)
        rows = await sql.fetch(
            f"INSERT INTO {table} ({names}) VALUES ({sql.marks(len(columns))}) RETURNING id",
            list(columns.values()),
            self.conn,
        )
        return rows[0]["id"]

    async def model_id(self, make: str, model: str) -> int:
        make_id = self.makes.get(make.casefold())
        if make_id is None:
            make_id = await self._insert(
                "make", {"name": make, "slug": self._free_slug("make", slugify(make))}
            )
            self.makes[make.casefold()] = make_id
        key = (make_id, model.casefold())
        if key not in self.models:
            self.models[key] = await self._insert("vehicle_model", {"make_id": make_id, "name": model})
        return self.models[key]

    async def category_id(self, path: tuple[str, ...]) -> int | None:
        """The id of the category at this path, creating the missing levels."""
        parent: int | None = None
        for name in path:
            key = (parent, name.casefold())
            if key not in self.categories:
                own = slugify(name)
                prefixed = f"{self.category_slugs[parent]}-{own}" if parent else own
                slug = self._free_slug("category", own, prefixed)
                columns = {
                    "name": name,
                    "slug": slug,
                    "parent_id": parent,
                    "name_uk": "",
                    "name_ru": "",
                    "name_es": "",
                }
                new_id = await self._insert("category", columns)
                self.categories[key] = new_id
                self.category_slugs[new_id] = slug
                self.category_names[new_id] = (name, "", "", "")
            parent = self.categories[key]
        return parent

    def has_category(self, path: tuple[str, ...]) -> bool:
        parent: int | None = None
        for name in path:
            parent = self.categories.get((parent, name.casefold()))
            if parent is None:
                return False
        return True

    async def _path_id(self, path: tuple[str, ...]) -> int | None:
        self._paths[path] = await self.category_id(path)
        return self._paths[path]

    async def write_categories(self, rows: list[CategoryRow]) -> set[int]:
        """Set the categories' translated names; returns the ids whose names changed."""
        changed: set[int] = set()
        for row in rows:
            category = await self.category_id(row.path)
            name, *translations = self.category_names[category]
            if tuple(translations) != row.translations:
                await sql.execute(_SET_CATEGORY_NAMES, (*row.translations, category), self.conn)
                self.category_names[category] = (name, *row.translations)
                changed.add(category)
        return changed

    async def refresh_search_text(self, category_ids: set[int]) -> None:
        """Rewrite the search text of the parts in these categories (their names changed)."""
        if not category_ids:
            return
        rows = await sql.fetch(
            "SELECT id, brand, name, article, article_norm, category_id FROM part "
            f"WHERE category_id IN ({sql.marks(len(category_ids))})",
            list(category_ids),
            self.conn,
        )
        values = [
            (
                search_text(
                    row["brand"],
                    row["name"],
                    row["article"],
                    row["article_norm"],
                    self.category_names[row["category_id"]],
                ),
                row["id"],
            )
            for row in rows
        ]
        await sql.execute_many(_SET_SEARCH_TEXT, values, self.conn)

    async def write_vehicles(self, rows: list[VehicleRow]) -> None:
        values = []
        for row in rows:
            model_id = await self.model_id(row.make, row.model)
            values.append((row.external_id, model_id, *row[3:]))
        await sql.execute_many(_UPSERT_VEHICLE, values, self.conn)

    async def write_parts(self, rows: list[PartRow]) -> None:
        values = []
        paths = self._paths
        for row in rows:
            category = paths[row.category] if row.category in paths else await self._path_id(row.category)
            names = self.category_names.get(category, ()) if category else ()
            text = search_text(row.brand, row.name, row.article, row.article_norm, names)
            values.append(
                (*row[:5], row.description, category, row.price, row.currency, row.stock, text, self.now)
            )
        await sql.execute_many(_UPSERT_PART, values, self.conn)

    async def write_fitments(self, rows: list[tuple[int, int, str, str]]) -> None:
        if sql.is_postgres(self.conn):
            await self._copy_fitments(rows)
        else:
            await sql.execute_many(_UPSERT_FITMENT, rows, self.conn)

    async def _copy_fitments(self, rows: list[tuple[int, int, str, str]]) -> None:
        # PostgreSQL: COPY the batch into a scratch table and upsert it with one statement,
        # instead of a round trip per row. One upsert may not touch a row twice: last row wins.
        latest = {
            (part, vehicle, position): (part, vehicle, position, note)
            for part, vehicle, position, note in rows
        }
        async with self.conn.acquire_connection() as raw:
            if not self._fitment_scratch:
                await raw.execute(
                    "CREATE TEMP TABLE fitment_load (part_id INT, vehicle_id INT, position VARCHAR(48), "
                    "note VARCHAR(255)) ON COMMIT DROP"
                )
                self._fitment_scratch = True
            await raw.copy_records_to_table("fitment_load", records=list(latest.values()))
            await raw.execute(
                "INSERT INTO fitment (part_id, vehicle_id, position, note) "
                "SELECT part_id, vehicle_id, position, note FROM fitment_load "
                "ON CONFLICT (part_id, vehicle_id, position) DO UPDATE SET note = excluded.note; "
                "TRUNCATE fitment_load"
            )

    async def suspend_indexes(self, table: str) -> list[str]:
        """SQLite: drop the table's plain indexes for a big load; returns the SQL that rebuilds them.

        Building an index once from sorted data is about twice as fast as updating it row by row.
        Readers keep their snapshot (WAL), and a failed import rolls the drop back. Not done on
        PostgreSQL, where DROP INDEX would lock the table against readers until commit.
        """
        if sql.is_postgres(self.conn):
            return []
        rows = await sql.fetch(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
            self.conn,
        )
        for row in rows:
            await sql.execute(f'DROP INDEX "{row["name"]}"', (), self.conn)
        return [row["sql"] for row in rows]

    async def restore_indexes(self, statements: list[str]) -> None:
        for statement in statements:
            await sql.execute(statement, (), self.conn)

    async def link_parts_to_groups(self) -> None:
        await sql.execute(_LINK_PARTS_TO_GROUPS, (), self.conn)
