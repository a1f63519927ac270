"""Category names in the shop's languages: categories.csv, what pages are given, word search in any language."""

from pathlib import Path

import pytest

from core.catalogue import search
from core.catalogue.importer import import_catalogue
from core.catalogue.models import Category, Part, Vehicle

PARTS = """brand,article,name,category,price,currency,stock,description
TRW,GDB1550,Brake pad set front axle,Brakes/Brake pads,34.50,EUR,8,
Bosch,0 986 452 041,Oil filter,Filters/Oil filters,8.90,EUR,25,
NGK,BKR6E,Spark plug,Ignition/Spark plugs,4.20,EUR,120,
"""
CATEGORIES = """category,name_uk,name_ru,name_es
Brakes,Гальмівна система,Тормозная система,Frenos
Brakes/Brake pads,Гальмівні колодки,Тормозные колодки,Pastillas de freno
Filters/Oil filters,Масляні фільтри,Масляные фильтры,Filtros de aceite
,Без назви,Без названия,Sin nombre
Filters//Air filters,Повітряні фільтри,Воздушные фильтры,Filtros de aire
Ignition/Spark plugs,{long},Свечи зажигания,Bujías
Cooling/Water pumps,Водяні помпи,Водяные насосы,Bombas de agua,extra
brakes/brake  PADS,Гальмівні колодки,Тормозные колодки,Pastillas de freno
Suspension,Підвіска,,
""".replace("{long}", "Ш" * 97)


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def found(page) -> set[tuple[str, str]]:
    return {(card.brand, card.article) for card in page.items}


VEHICLES = """vehicle_id,make,model,generation,body,engine_code,engine_cc,power_kw,fuel,year_from,year_to
100001,Volkswagen,Golf,VII,5G1,CZCA,1395,92,petrol,2012,2020
"""
FITMENTS = """brand,article,vehicle_id,position,note
TRW,GDB1550,100001,front axle,
Bosch,0986452041,100001,,
NGK,BKR6E,100001,,
"""


@pytest.fixture
async def translated(db, tmp_path):
    directory = tmp_path / "catalogue"
    write(directory, "parts.csv", PARTS)
    write(directory, "categories.csv", CATEGORIES)
    return await import_catalogue([directory], currency="EUR")


async def test_categories_csv_imports_with_counts_and_reports_bad_rows(translated, tmp_path):
    report = translated
    source = tmp_path / "catalogue" / "categories.csv"
    assert [(f.name, f.added, f.updated, f.rejected) for f in report.files] == [
        ("categories.csv", 4, 1, 4),
        ("parts.csv", 3, 0, 0),
    ]
    assert report.rejects == [
        f"{source}:5: missing category",
        f"{source}:6: bad category 'Filters//Air filters' (a name, or a path like Brakes/Brake pads)",
        f"{source}:7: name_uk is longer than 96 characters",
        f"{source}:8: expected 4 fields, found 5",
    ]
    pads = await Category.get(slug="brake-pads")
    assert (pads.name_in("uk"), pads.name_in("ru"), pads.name_in("es"), pads.name_in("en")) == (
        "Гальмівні колодки", "Тормозные колодки", "Pastillas de freno", "Brake pads"
    )  # fmt: skip
    # A category named only in categories.csv exists; a language left empty shows the imported name.
    suspension = await Category.get(slug="suspension")
    assert (suspension.name_in("uk"), suspension.name_in("ru")) == ("Підвіска", "Suspension")
    plugs = await Category.get(slug="spark-plugs")
    assert plugs.name_in("ru") == "Spark plugs"  # its row was rejected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("гальмівні колодки", {("TRW", "GDB1550")}),
        ("тормозные колодки", {("TRW", "GDB1550")}),
        ("Pastillas de FRENO", {("TRW", "GDB1550")}),
        ("масляный фильтр", {("Bosch", "0 986 452 041")}),
        ("масляні bosch", {("Bosch", "0 986 452 041")}),
        ("filtros de aceite", {("Bosch", "0 986 452 041")}),
        ("колодка", {("TRW", "GDB1550")}),  # a Cyrillic word's ending may differ
        ("масляна свічка", set()),  # every word must match
        ("свечи", set()),  # the spark plugs' translations were rejected
    ],
)
async def test_words_in_any_language_find_parts_by_their_category(translated, query, expected):
    assert found(await search.search_parts(query)) == expected


async def test_reimporting_categories_alone_updates_names_and_search(translated, tmp_path):
    again = write(
        tmp_path / "again",
        "categories.csv",
        "category,name_uk,name_ru,name_es\nBrakes/Brake pads,Колодки гальмівні,,Pastillas\n",
    )
    report = await import_catalogue([again], currency="EUR")

    assert [(f.name, f.added, f.updated, f.rejected) for f in report.files] == [("categories.csv", 0, 1, 0)]
    pads = await Category.get(slug="brake-pads")
    assert (pads.name_in("uk"), pads.name_in("ru"), pads.name_in("es")) == (
        "Колодки гальмівні", "Brake pads", "Pastillas"
    )  # fmt: skip
    assert found(await search.search_parts("колодки гальмівні")) == {("TRW", "GDB1550")}
    assert found(await search.search_parts("тормозные")) == set()
    assert found(await search.search_parts("pastillas de freno")) == set()


async def test_a_vehicles_categories_come_by_name_in_the_readers_language(translated, tmp_path):
    write(tmp_path / "cars", "vehicles.csv", VEHICLES)
    write(tmp_path / "cars", "fitments.csv", FITMENTS)
    await import_catalogue([tmp_path / "cars"], currency="EUR")
    golf = (await Vehicle.get(external_id="100001")).id

    def names(found, locale):
        return [category.name_in(locale) for category, _count in found]

    assert names(await search.categories_for_vehicle(golf), None) == ["Brake pads", "Oil filters", "Spark plugs"]
    assert names(await search.categories_for_vehicle(golf, "es"), "es") == [
        "Filtros de aceite", "Pastillas de freno", "Spark plugs"
    ]  # fmt: skip
    assert names(await search.categories_for_vehicle(golf, "uk"), "uk") == [
        "Spark plugs", "Гальмівні колодки", "Масляні фільтри"
    ]  # fmt: skip


async def test_a_part_saved_through_the_orm_is_found_by_its_category_in_any_language(translated):
    pads = await Category.get(slug="brake-pads")
    await Part.create(
        brand="Textar", article="2355701", name="Brake pad set", category=pads, price=3990, currency="EUR"
    )
    assert found(await search.search_parts("тормозные колодки")) == {
        ("TRW", "GDB1550"),
        ("Textar", "2355701"),
    }
