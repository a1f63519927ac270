"""Finding parts: by article or OE number (through cross-reference groups), by words, by car and category.

A query that matches a part number (after `normalise_article`) or a number of a cross-reference
group shows those parts: the exact ones first, then their analogues. Any other query is a word
search: every word must appear in the brand, name or article, or in the category's name in any of
the shop's languages (any case, any alphabet; `normalise.search_text`, `fold_word`). Filters by
vehicle (parts that fit it) and category (with its sub-categories) apply to both. The order is
stable: exact number first, then brand, article, id.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from core.catalogue import sql
from core.catalogue.cache import cached
from core.catalogue.cards import CARD_COLUMNS, CARD_FROM, PartCard, card_from_row, card_rows, cards
from core.catalogue.categories import category_ids, category_tree
from core.catalogue.models import Category, CrossReference, Fitment, Part, Vehicle
from core.catalogue.normalise import fold_word, normalise_article, readable_text
from core.catalogue.selector import as_id, get_vehicle
from core.errors import NotFound, ValidationError

MAX_QUERY_LENGTH = 200
MAX_WORDS = 10
MAX_PER_PAGE = 100
# How many result ids a cached search keeps (the first pages); later pages query the database.
CACHED_IDS = 100


@dataclass(frozen=True)
class SearchPage:
    items: list[PartCard]
    total: int
    page: int
    per_page: int
    pages: int


@dataclass(frozen=True)
class PartDetails:
    part: Part
    category: Category | None
    fits: bool | None
    vehicles: list[Vehicle]
    analogues: list[PartCard]
    oe_numbers: list[str]
    # vehicle id -> ["front axle", "rear axle; brake system ATE"]: the fitments' position and note
    fitment_notes: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Found:
    # What a search found, cached per catalogue version: ids only (price and stock stay fresh).
    number: str  # the normalised number matched, "" for a word search
    where: tuple[str, ...]
    params: tuple
    total: int
    first_ids: tuple[int, ...]


def _check_paging(page: int, per_page: int) -> None:
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        raise ValidationError(
            "The page number must be 1 or more.", fields={"page": "The page number must be 1 or more."}
        )
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValidationError("Show between 1 and {max} parts per page.", max=MAX_PER_PAGE)


def _clean_query(query: str) -> str:
    # Control characters and unpaired surrogates (a NUL from a form, a byte that was not UTF-8 on
    # a command line) cannot be part of a number or a word, and PostgreSQL refuses them.
    text = " ".join(readable_text(query or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError("The search text is too long (at most {max} characters).", max=MAX_QUERY_LENGTH)
    if len(text.split()) > MAX_WORDS:
        raise ValidationError("Search with at most {max} words.", max=MAX_WORDS)
    return text


async def _groups_of(number: str) -> list[int]:
    """Cross-reference groups that contain this (normalised) number, as an OE number or a part's own."""
    rows = await sql.fetch(
        'SELECT "group" AS g FROM cross_reference WHERE number_norm = ? '
        "UNION SELECT xref_group AS g FROM part WHERE article_norm = ? AND xref_group IS NOT NULL",
        (number, number),
    )
    return sorted(row["g"] for row in rows)


def _number_condition(number: str, groups: list[int]) -> tuple[str, list]:
    if not groups:
        return "p.article_norm = ?", [number]
    return f"(p.article_norm = ? OR p.xref_group IN ({sql.marks(len(groups))}))", [number, *groups]


def _words_condition(text: str) -> tuple[str, list]:
    words = [fold_word(w).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") for w in text.split()]
    return " AND ".join(["p.search_text LIKE ? ESCAPE '\\'"] * len(words)), [f"%{w}%" for w in words]


async def _filters(vehicle_id: int | None, category_ids: tuple[int, ...]) -> tuple[list[str], list]:
    where: list[str] = []
    params: list = []
    if vehicle_id is not None:
        where.append("p.id IN (SELECT part_id FROM fitment WHERE vehicle_id = ?)")
        params.append(vehicle_id)
    if category_ids:
        where.append(f"p.category_id IN ({sql.marks(len(category_ids))})")
        params.extend(category_ids)
    return where, params


def _order(number: str) -> tuple[str, list]:
    order = "p.brand_key, p.article_norm, p.id"
    if number:
        return "CASE WHEN p.article_norm = ? THEN 0 ELSE 1 END, " + order, [number]
    return order, []


async def _first_ids(where: list[str], params: list, number: str) -> tuple[int, tuple[int, ...]]:
    """(total, the first CACHED_IDS ids in order) with one scan."""
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    order, order_params = _order(number)
    rows = await sql.fetch(
        f"SELECT p.id AS id, COUNT(*) OVER () AS total FROM part p{clause} ORDER BY {order} LIMIT ?",
        [*params, *order_params, CACHED_IDS],
    )
    return (int(rows[0]["total"]) if rows else 0), tuple(row["id"] for row in rows)


async def _find(text: str, vehicle_id: int | None, category_ids: tuple[int, ...]) -> _Found:
    where, params = await _filters(vehicle_id, category_ids)
    number = normalise_article(text) if text else ""
    if number:
        condition, values = _number_condition(number, await _groups_of(number))
        total, ids = await _first_ids([*where, condition], [*params, *values], number)
        if total:
            return _Found(number, (*where, condition), (*params, *values), total, ids)
        condition, values = _words_condition(text)
        where, params = [*where, condition], [*params, *values]
    total, ids = await _first_ids(where, params, "")
    return _Found("", tuple(where), tuple(params), total, ids)


async def search_parts(
    query: str = "", *, vehicle_id=None, category: str | None = None, page: int = 1, per_page: int = 20
) -> SearchPage:
    """One page of parts for a query, a vehicle and a category (all optional).

    Raises ValidationError for bad paging or an over-long query, NotFound for an unknown
    vehicle or category.
    """
    _check_paging(page, per_page)
    text = _clean_query(query)
    vehicle = await get_vehicle(vehicle_id) if vehicle_id is not None else None
    categories = tuple(await category_ids(category)) if category else ()
    vehicle_pk = vehicle.id if vehicle else None
    found = await cached(
        ("search", text, vehicle_pk, categories), lambda: _find(text, vehicle_pk, categories)
    )
    start = (page - 1) * per_page
    if start >= found.total:
        rows = []  # past the last page (a number the database could not even take as an offset)
    elif start + per_page <= len(found.first_ids) or len(found.first_ids) == found.total:
        rows = await card_rows(list(found.first_ids[start : start + per_page]))
    else:
        rows = await _page_rows(found, start, per_page)
    fits = True if vehicle else None
    return SearchPage(
        items=[card_from_row(row, fits=fits, number=found.number) for row in rows],
        total=found.total,
        page=page,
        per_page=per_page,
        pages=max(1, math.ceil(found.total / per_page)),
    )


async def _page_rows(found: _Found, start: int, per_page: int) -> list[dict]:
    order, order_params = _order(found.number)
    clause = f" WHERE {' AND '.join(found.where)}" if found.where else ""
    return await sql.fetch(
        f"SELECT {CARD_COLUMNS} FROM {CARD_FROM}{clause} ORDER BY {order} LIMIT ? OFFSET ?",
        [*found.params, *order_params, per_page, start],
    )


async def fits(part_id: int, vehicle_id: int) -> bool:
    """Whether the part fits the vehicle; NotFound when either does not exist."""
    part, vehicle = as_id(part_id), as_id(vehicle_id)
    if part is not None and vehicle is not None and await Fitment.exists(part_id=part, vehicle_id=vehicle):
        return True
    await get_vehicle(vehicle_id)
    if part is None or not await Part.exists(id=part):
        raise NotFound("There is no such part.")
    return False


async def categories_for_vehicle(vehicle_id: int, locale: str | None = None) -> list[tuple[Category, int]]:
    """The categories that have parts for this vehicle, with how many parts each, by name in `locale`."""
    vehicle = await get_vehicle(vehicle_id)

    async def load() -> list[tuple[Category, int]]:
        rows = await sql.fetch(
            "SELECT p.category_id AS category_id, COUNT(DISTINCT p.id) AS n FROM fitment f "
            "JOIN part p ON p.id = f.part_id WHERE f.vehicle_id = ? AND p.category_id IS NOT NULL "
            "GROUP BY p.category_id",
            (vehicle.id,),
        )
        tree = await category_tree()
        found = [
            (tree.by_id[row["category_id"]], int(row["n"]))
            for row in rows
            if row["category_id"] in tree.by_id
        ]
        return found

    found = await cached(("categories_for_vehicle", vehicle.id), load)
    return sorted(found, key=lambda pair: (pair[0].name_in(locale).casefold(), pair[0].id))


async def part_details(part_id: int, vehicle_id: int | None = None) -> PartDetails:
    """A part with the vehicles it fits, its analogues and OE numbers; NotFound for an unknown part."""
    wanted = as_id(part_id)
    part = await Part.get_or_none(id=wanted).select_related("category") if wanted is not None else None
    if part is None:
        raise NotFound("There is no such part.")
    vehicle = await get_vehicle(vehicle_id) if vehicle_id is not None else None
    links = await cached(("part_links", part.id), lambda: _part_links(part))
    return PartDetails(
        part=part,
        category=part.category,
        fits=(vehicle.id in links.fitment_notes) if vehicle else None,
        vehicles=links.vehicles,
        analogues=await cards(links.analogue_ids, vehicle_id=vehicle.id if vehicle else None),
        oe_numbers=links.oe_numbers,
        fitment_notes=links.fitment_notes,
    )


@dataclass(frozen=True)
class _PartLinks:
    # What part pages show that changes only with the catalogue version (cached).
    vehicles: list[Vehicle]
    fitment_notes: dict[int, list[str]]
    analogue_ids: list[int]
    oe_numbers: list[str]


async def _part_links(part: Part) -> _PartLinks:
    notes: dict[int, list[str]] = {}
    for fitment in (
        await Fitment.filter(part_id=part.id)
        .order_by("position", "id")
        .values("vehicle_id", "position", "note")
    ):
        text = "; ".join(t for t in (fitment["position"], fitment["note"]) if t)
        notes.setdefault(fitment["vehicle_id"], [])
        if text:
            notes[fitment["vehicle_id"]].append(text)
    vehicles = await Vehicle.filter(id__in=list(notes)).select_related("model__make") if notes else []
    vehicles.sort(
        key=lambda v: (v.model.make.name, v.model.name, v.year_from, v.generation, v.engine_cc or 0, v.id)
    )
    analogue_ids: list[int] = []
    oe_numbers: list[str] = []
    if part.xref_group is not None:
        group = await Part.filter(xref_group=part.xref_group).values("id", "brand_key", "article_norm")
        analogue_ids = [row["id"] for row in group if row["id"] != part.id]
        own = {(row["brand_key"], row["article_norm"]) for row in group}
        numbers = await CrossReference.filter(group=part.xref_group).order_by("brand_key", "number_norm")
        oe_numbers = [f"{n.brand} {n.number}" for n in numbers if (n.brand_key, n.number_norm) not in own]
    return _PartLinks(vehicles, notes, analogue_ids, oe_numbers)
