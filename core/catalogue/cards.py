"""Part cards: what a result list shows of a part, always with the current price and stock."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.catalogue import sql
from core.catalogue.models import CATEGORY_LOCALES, Fitment, translated_name


@dataclass(frozen=True)
class PartCard:
    id: int
    brand: str
    article: str
    name: str
    price: int  # minor units
    currency: str
    stock: int
    category: str  # the category's name as imported ("" for none)
    # None when no vehicle was given.
    fits: bool | None
    # Found through a cross-reference group rather than by its own number.
    is_analogue: bool
    # locale -> the category's name in it, where the catalogue has one.
    category_translations: dict[str, str] = field(default_factory=dict, hash=False)

    def category_in(self, locale: str | None) -> str:
        """The category's name in `locale`, else as imported."""
        return translated_name(self.category, self.category_translations, locale)


CARD_COLUMNS = (
    "p.id, p.brand, p.article, p.name, p.price, p.currency, p.stock, p.article_norm, c.name AS category_name, "
    + ", ".join(f"c.name_{locale} AS category_{locale}" for locale in CATEGORY_LOCALES)
)
CARD_FROM = "part p LEFT JOIN category c ON c.id = p.category_id"


def card_from_row(row: dict, *, fits: bool | None, number: str = "") -> PartCard:
    return PartCard(
        id=row["id"],
        brand=row["brand"],
        article=row["article"],
        name=row["name"],
        price=row["price"],
        currency=row["currency"],
        stock=row["stock"],
        category=row["category_name"] or "",
        fits=fits,
        is_analogue=bool(number) and row["article_norm"] != number,
        category_translations={
            locale: row[f"category_{locale}"] for locale in CATEGORY_LOCALES if row[f"category_{locale}"]
        },
    )


async def card_rows(part_ids: list[int]) -> list[dict]:
    """Card rows for these parts, in the order given."""
    if not part_ids:
        return []
    rows = await sql.fetch(
        f"SELECT {CARD_COLUMNS} FROM {CARD_FROM} WHERE p.id IN ({sql.marks(len(part_ids))})", part_ids
    )
    by_id = {row["id"]: row for row in rows}
    return [by_id[i] for i in part_ids if i in by_id]


async def cards(part_ids: list[int], *, vehicle_id: int | None = None) -> list[PartCard]:
    """Fresh cards for these parts in brand/article order, marked as fitting the vehicle or not."""
    rows = sorted(await card_rows(part_ids), key=lambda r: (r["brand"].upper(), r["article_norm"], r["id"]))
    if vehicle_id is None:
        return [card_from_row(row, fits=None) for row in rows]
    fitting = set(
        await Fitment.filter(vehicle_id=vehicle_id, part_id__in=part_ids).values_list("part_id", flat=True)
    )
    return [card_from_row(row, fits=row["id"] in fitting) for row in rows]


async def prices_and_stock(part_ids: list[int]) -> set[tuple[int, int, str, int]]:
    """(id, price, currency, stock) of these parts as they are now: is a page that shows them current?"""
    if not part_ids:
        return set()
    rows = await sql.fetch(
        f"SELECT id, price, currency, stock FROM part WHERE id IN ({sql.marks(len(part_ids))})", part_ids
    )
    return {(row["id"], row["price"], row["currency"], row["stock"]) for row in rows}
