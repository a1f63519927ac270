"""Searching the fixture catalogue: numbers, cross-reference groups, words, vehicle and category filters, paging."""

from pathlib import Path

import pytest

from core.catalogue import search, selector
from core.catalogue.importer import import_catalogue
from core.catalogue.models import Make, Part, Vehicle, VehicleModel
from core.errors import NotFound, ValidationError

DATA = Path(__file__).parent.parent / "data" / "catalogue"
OIL_GROUP = {("Bosch", "0986452041"), ("Mann-Filter", "W 712/75"), ("Mahle", "OC 205")}
PAD_GROUP = {
    ("TRW", "GDB1550"),
    ("Brembo", "P 85 020"),
    ("Bosch", "0 986 494 524"),
    ("ATE", "13.0460-7174.2"),
}


@pytest.fixture
async def catalogue(db):
    await import_catalogue([DATA], currency="EUR")


async def vehicle(external_id: str) -> int:
    return (await Vehicle.get(external_id=external_id)).id


def found(page) -> set[tuple[str, str]]:
    return {(card.brand, card.article) for card in page.items}


@pytest.mark.parametrize(
    "query",
    ["0 986-452.041", "0986452041", "0986.452.041", "0 986 452 041", " 0-986-452-041 ", "0986/452_041"],
)
async def test_an_article_is_found_however_it_is_written(catalogue, query):
    page = await search.search_parts(query)
    assert found(page) == OIL_GROUP
    # The part with that number comes first; the rest of its group are analogues.
    assert (page.items[0].brand, page.items[0].is_analogue) == ("Bosch", False)
    assert all(card.is_analogue for card in page.items[1:])
    assert all(card.fits is None for card in page.items)


@pytest.mark.parametrize("query", ["к20тт", "K20TT", "k 20-tt", "К20ТТ"])
async def test_cyrillic_lookalikes_match_latin_letters(catalogue, query):
    page = await search.search_parts(query)
    assert found(page) == {("Denso", "К20ТТ")}


@pytest.mark.parametrize(
    "query",
    [
        "GDB1550",
        "gdb 1550",
        "P85020",
        "p 85-020",
        "0986494524",
        "13.0460.7174.2",
        "1K0 698 151 A",
        "1к0698151а",
    ],
)
async def test_any_number_of_a_group_finds_the_whole_group(catalogue, query):
    page = await search.search_parts(query)
    assert found(page) == PAD_GROUP
    assert page.total == 4


async def test_an_oe_number_finds_its_parts_as_analogues(catalogue):
    page = await search.search_parts("03C 115 561 H")
    assert found(page) == OIL_GROUP
    assert all(card.is_analogue for card in page.items)
    assert found(await search.search_parts("25212-2B000")) == {
        ("Gates", "5PK1100")
    }  # stored with a Cyrillic В


async def test_number_search_filtered_by_vehicle(catalogue):
    golf_vii = await search.search_parts("1K0698151A", vehicle_id=await vehicle("100001"))
    assert found(golf_vii) == {("TRW", "GDB1550"), ("Brembo", "P 85 020")}
    assert all(card.fits for card in golf_vii.items)
    golf_diesel = await search.search_parts("gdb1550", vehicle_id=await vehicle("100002"))
    assert found(golf_diesel) == {("TRW", "GDB1550"), ("Bosch", "0 986 494 524")}
    assert (await search.search_parts("gdb1550", vehicle_id=await vehicle("100009"))).total == 0


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The Lada filter is named in Russian; its category, Filters/Oil filters, says "oil filter".
        ("oil filter", {("Bosch", "0 451 103 316"), ("Bosch", "0986452041"), ("Mahle", "OC 205"),
                        ("MANN-FILTER", "HU 7020 z"), ("Mann-Filter", "W 712/75"), ("Lada", "21080-1012005-08")}),
        ("OIL Filter ELEMENT", {("MANN-FILTER", "HU 7020 z")}),
        ("bosch brake", {("Bosch", "0 986 494 524")}),
        ("фильтр", {("Lada", "21080-1012005-08")}),
        ("ФИЛЬТР Масляный", {("Lada", "21080-1012005-08")}),
        ("aerotwin 3 397 118 979", {("Bosch", "3 397 118 979")}),
        ("shock absorber rear", {("Sachs", "313 417")}),
        ("oil pump", set()),
        ("oil_filter", set()),  # _ and % are literal characters, not LIKE wildcards
        ("%", set()),
    ],
)  # fmt: skip
async def test_every_word_must_match_name_brand_article_or_category(catalogue, query, expected):
    assert found(await search.search_parts(query)) == expected


async def test_words_filtered_by_vehicle(catalogue):
    page = await search.search_parts("oil filter", vehicle_id=await vehicle("100001"))
    assert found(page) == {("Bosch", "0986452041"), ("Mann-Filter", "W 712/75")}
    assert all(card.fits and not card.is_analogue for card in page.items)


@pytest.mark.parametrize(
    ("category", "count"),
    [
        ("Brakes", 5),
        ("brakes", 5),
        ("brake-pads", 4),
        ("Brake pads", 4),
        ("Brakes/Brake discs", 1),
        ("Suspension", 3),
        ("wipers", 1),
    ],
)
async def test_category_filter_includes_sub_categories(catalogue, category, count):
    page = await search.search_parts("", category=category)
    assert page.total == count


async def test_category_and_vehicle_filters_together(catalogue):
    page = await search.search_parts("", vehicle_id=await vehicle("100001"), category="Filters")
    assert found(page) == {("Bosch", "0986452041"), ("Mann-Filter", "W 712/75")}
    assert {card.category for card in page.items} == {"Oil filters"}


async def test_unknown_filters_are_errors(catalogue):
    with pytest.raises(NotFound):
        await search.search_parts("", category="Exhausts")
    with pytest.raises(NotFound):
        await search.search_parts("", vehicle_id=999_999)


async def test_paging_is_stable_and_complete(catalogue):
    everything = await search.search_parts("", per_page=100)
    assert everything.total == 18
    pages = [await search.search_parts("", page=n, per_page=5) for n in range(1, 5)]
    assert [p.pages for p in pages] == [4] * 4
    assert [card.id for p in pages for card in p.items] == [card.id for card in everything.items]
    assert [(c.brand.upper(), c.article) for c in everything.items][:3] == [
        ("ATE", "13.0460-7174.2"),
        ("BOSCH", "0 451 103 316"),
        ("BOSCH", "0986452041"),
    ]
    assert (await search.search_parts("", page=5, per_page=5)).items == []


async def test_a_page_past_the_end_is_empty_however_far(catalogue, monkeypatch):
    # Only the first ids are cached; later pages ask the database, which takes no 2**70 offset.
    monkeypatch.setattr(search, "CACHED_IDS", 2)
    for page in (5, 10**6, 2**70):
        result = await search.search_parts("", page=page, per_page=5)
        assert (result.items, result.total, result.pages) == ([], 18, 4)
    assert len((await search.search_parts("", page=2, per_page=5)).items) == 5


@pytest.mark.parametrize(("page", "per_page"), [(0, 20), (-1, 20), (1, 0), (1, 101)])
async def test_bad_paging_is_refused(catalogue, page, per_page):
    with pytest.raises(ValidationError):
        await search.search_parts("", page=page, per_page=per_page)


@pytest.mark.parametrize("query", ["W 712\x00/75", "W\u0007712/75", "W 712/75\udcff"])
async def test_control_characters_and_broken_text_in_a_query_are_ignored(catalogue, query):
    # A NUL from a form or a non-UTF-8 byte from a terminal: PostgreSQL would refuse them.
    assert found(await search.search_parts(query)) == OIL_GROUP


@pytest.mark.parametrize("external_id", ["1" * 33, "100001\x00", "\udcff", ""])
async def test_a_vehicle_id_that_cannot_exist_is_not_found(catalogue, external_id):
    with pytest.raises(NotFound) as caught:
        await selector.find_vehicle(external_id)
    assert str(caught.value).startswith("There is no vehicle with id")


async def test_over_long_queries_are_refused(catalogue):
    with pytest.raises(ValidationError):
        await search.search_parts("x" * 201)
    with pytest.raises(ValidationError):
        await search.search_parts(" ".join(["word"] * 11))


async def test_part_details(catalogue):
    trw = await Part.get(brand_key="TRW", article_norm="GDB1550")
    golf_vii, golf_diesel = await vehicle("100001"), await vehicle("100002")

    details = await search.part_details(trw.id, vehicle_id=golf_vii)

    assert details.fits is True
    assert details.category.name == "Brake pads"
    assert [selector.vehicle_label(v) for v in details.vehicles] == [
        "Volkswagen Golf VII (5G1) 1.4 petrol CZCA 92 kW 2012–2020",
        "Volkswagen Golf VII (5G1) 2.0 diesel CRBC 110 kW 2012–2020",
        "Škoda Octavia III (5E3) 1.4 petrol CZCA 110 kW 2013–2020",
    ]
    assert details.fitment_notes[golf_diesel] == ["front axle; for vehicles with 312 mm discs"]
    assert {(c.brand, c.article, c.fits) for c in details.analogues} == {
        ("ATE", "13.0460-7174.2", False), ("Bosch", "0 986 494 524", False), ("Brembo", "P 85 020", True)
    }  # fmt: skip
    assert details.oe_numbers == ["VAG 1K0 698 151 A"]
    assert (await search.part_details(trw.id, vehicle_id=await vehicle("100009"))).fits is False
    assert (await search.part_details(trw.id)).fits is None


async def test_part_details_of_a_part_without_links(catalogue):
    febi = await Part.get(brand_key="FEBI BILSTEIN")
    details = await search.part_details(febi.id)
    assert (details.vehicles, details.analogues, details.oe_numbers) == ([], [], [])
    with pytest.raises(NotFound):
        await search.part_details(999_999)
    with pytest.raises(NotFound):
        await search.part_details("not a number")


async def test_fits(catalogue):
    mann = await Part.get(brand_key="MANN-FILTER", article_norm="W71275")
    assert await search.fits(mann.id, await vehicle("100003")) is True
    assert await search.fits(mann.id, await vehicle("100004")) is False
    with pytest.raises(NotFound):
        await search.fits(mann.id, 999_999)
    with pytest.raises(NotFound):
        await search.fits(999_999, await vehicle("100004"))


async def test_categories_for_vehicle(catalogue):
    found_categories = await search.categories_for_vehicle(await vehicle("100001"))
    assert [(category.name, count) for category, count in found_categories] == [
        ("Brake pads", 2),
        ("Oil filters", 2),
    ]


async def test_vehicle_selector(catalogue):
    makes = await selector.list_makes()
    assert [m.name for m in makes][:3] == ["BMW", "Ford", "Hyundai"]
    vw = next(m for m in makes if m.name == "Volkswagen")
    models = await selector.list_models(vw.id)
    assert [m.name for m in models] == ["Golf"]
    vehicles = await selector.list_vehicles(models[0].id)
    assert [(v.generation, v.year_from) for v in vehicles] == [("VI", 2008), ("VII", 2012), ("VII", 2012)]
    corolla = await selector.get_vehicle(await vehicle("100005"))
    assert selector.vehicle_label(corolla) == "Toyota Corolla E210 2.0 hybrid M20A-FKS 125 kW 2019–"
    tesla = await selector.get_vehicle(await vehicle("100017"))
    assert selector.vehicle_label(tesla) == "Tesla Model 3 electric 3D1 208 kW 2017–"
    assert (await selector.find_vehicle("100005")).id == corolla.id
    for bad in (lambda: selector.list_models(999), lambda: selector.list_vehicles("x"),
                lambda: selector.get_vehicle(0), lambda: selector.find_vehicle("nope")):  # fmt: skip
        with pytest.raises(NotFound):
            await bad()


async def test_a_new_import_shows_at_once(catalogue, tmp_path):
    trw = await Part.get(brand_key="TRW", article_norm="GDB1550")
    corolla = await vehicle("100005")
    assert (await search.search_parts("gdb1550", vehicle_id=corolla)).total == 0
    assert len((await search.part_details(trw.id)).vehicles) == 3
    (tmp_path / "fitments.csv").write_text(
        "brand,article,vehicle_id,position,note\nTRW,GDB1550,100005,front axle,\n", encoding="utf-8"
    )

    await import_catalogue([tmp_path], currency="EUR")

    assert found(await search.search_parts("gdb1550", vehicle_id=corolla)) == {("TRW", "GDB1550")}
    assert len((await search.part_details(trw.id)).vehicles) == 4


async def test_orm_writes_show_at_once(catalogue):
    assert "Volvo" not in [m.name for m in await selector.list_makes()]
    await Make.create(name="Volvo", slug="volvo")
    assert "Volvo" in [m.name for m in await selector.list_makes()]


async def test_prices_and_stock_are_always_current(catalogue):
    assert (await search.search_parts("BKR6E")).items[0].stock == 120
    await Part.filter(brand_key="NGK").update(stock=7, price=399)  # as an order would, without the ORM's save
    card = (await search.search_parts("BKR6E")).items[0]
    assert (card.stock, card.price) == (7, 399)


async def test_a_vehicle_chosen_from_its_models_list_shows_a_change_at_once(catalogue):
    golf = await selector.list_vehicles(await vehicle_model("Golf"))
    chosen = await selector.get_vehicle(golf[0].id)
    assert selector.vehicle_label(chosen) == selector.vehicle_label(golf[0])
    stored = await Vehicle.get(id=chosen.id)
    stored.power_kw = 99
    await stored.save()
    assert "99 kW" in selector.vehicle_label(await selector.get_vehicle(chosen.id))
    assert [v.power_kw for v in await selector.list_vehicles(chosen.model_id) if v.id == chosen.id] == [99]


async def test_a_model_without_vehicles_has_an_empty_list_and_an_unknown_one_is_not_found(catalogue):
    empty = await VehicleModel.create(make=await Make.get(name="Volkswagen"), name="Phaeton")
    assert await selector.list_vehicles(empty.id) == []
    with pytest.raises(NotFound):
        await selector.list_vehicles(empty.id + 1000)


async def vehicle_model(name: str) -> int:
    return (await VehicleModel.get(name=name)).id
