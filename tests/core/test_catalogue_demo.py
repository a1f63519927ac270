"""The demo catalogue: deterministic, realistic, loaded through the importer's path."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from core.catalogue import search
from core.catalogue.demo import DemoCatalogue, load_demo, write_csv
from core.catalogue.demo_known import KNOWN_PARTS
from core.catalogue.importer import import_catalogue
from core.catalogue.models import Category, CrossReference, Fitment, Part, Vehicle

REPO = Path(__file__).resolve().parents[2]
KINDS = ("vehicles", "parts", "fitments", "crossrefs")
DIGEST = """
import hashlib
from core.catalogue.demo import DemoCatalogue
catalogue = DemoCatalogue("tiny", "EUR")
digest = hashlib.sha256()
for kind in ("vehicles", "parts", "fitments", "crossrefs"):
    for row in catalogue.rows(kind):
        digest.update("\\x1f".join(row).encode() + b"\\n")
print(digest.hexdigest())
"""


def digest_in_process() -> str:
    catalogue = DemoCatalogue("tiny", "EUR")
    digest = hashlib.sha256()
    for kind in KINDS:
        for row in catalogue.rows(kind):
            digest.update("\x1f".join(row).encode() + b"\n")
    return digest.hexdigest()


def test_the_same_size_gives_the_same_catalogue_in_every_process():
    digests = {digest_in_process()}
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", DIGEST], cwd=REPO, env=env, capture_output=True, text=True, check=True
        )
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_tiny_counts_and_first_rows():
    catalogue = DemoCatalogue("tiny", "EUR")
    assert {kind: sum(1 for _ in catalogue.rows(kind)) for kind in KINDS} == {
        "vehicles": 43, "parts": 847, "fitments": 1916, "crossrefs": 862
    }  # fmt: skip
    assert catalogue.vehicles[0] == [
        "10001",
        "Volkswagen",
        "Golf",
        "VII",
        "5G1",
        "CHZD",
        "999",
        "70",
        "petrol",
        "2012",
        "2020",
    ]
    assert [part.fields[:2] for part in catalogue.parts[:3]] == [
        ["Jurid", "573823J"], ["Textar", "2582101"], ["Delphi", "LP9083"]
    ]  # fmt: skip


def test_demo_parts_look_like_a_real_catalogue():
    catalogue = DemoCatalogue("tiny", "EUR")
    makes = {row[1] for row in catalogue.vehicles}
    assert {"Volkswagen", "Toyota", "Ford", "BMW", "Lada", "Renault", "Škoda", "Hyundai", "Kia"} <= makes
    by_brand: dict[str, list[str]] = {}
    known = {(k.brand, k.article) for k in KNOWN_PARTS}
    for part in catalogue.parts:
        if tuple(part.fields[:2]) in known:
            continue  # real numbers (their own tests below)
        by_brand.setdefault(part.fields[0], []).append(part.fields[1])
    formats = {"TRW": r"(GDB|DF|JTS|JTC)\d{3,5}S?", "NGK": r"(BKR\dE-11|ILKAR\d[A-Z]\d\d|LZKR\d[A-Z]-\d|Y-\d{3}J|U5\d{3}|48\d{3})",
               "Mann-Filter": r"(W \d{3}/\d\d|HU \d{3} x|C \d\d \d{3}|CUK? \d{4}|WK \d{3}/\d\d)"}  # fmt: skip
    for brand, pattern in formats.items():
        assert by_brand[brand] and all(re.fullmatch(pattern, a) for a in by_brand[brand]), brand
    positions = {part.position for part in catalogue.parts if part.fields[3].startswith("Brakes/")}
    assert positions == {"front axle", "rear axle"}
    vag = [number for part in catalogue.parts for maker, number in part.oe_numbers if maker == "VAG"]
    assert vag and all(re.fullmatch(r"[A-Z]\d0 \d{3} \d{3} [A-Z]", n) for n in vag)
    assert all(part.vehicles for part in catalogue.parts)


def test_prices_are_in_the_shop_currency():
    eur = DemoCatalogue("tiny", "EUR").parts[0].fields
    uah = DemoCatalogue("tiny", "UAH").parts[0].fields
    assert (eur[5], uah[5]) == ("EUR", "UAH")
    assert 40 < float(uah[4]) / float(eur[4]) < 50
    assert re.fullmatch(r"\d+", DemoCatalogue("tiny", "JPY").parts[0].fields[4])


async def test_loading_twice_duplicates_nothing(db):
    first = await load_demo("tiny", currency="EUR")
    assert [(f.name, f.added, f.rejected) for f in first.files] == [
        ("vehicles.csv", 43, 0), ("categories.csv", 26, 0), ("parts.csv", 847, 0), ("fitments.csv", 1916, 0),
        ("crossrefs.csv", 862, 0)
    ]  # fmt: skip
    again = await load_demo("tiny", currency="EUR")
    assert [(f.added, f.updated) for f in again.files] == [(0, 43), (0, 26), (0, 847), (0, 1916), (0, 862)]
    assert (await Vehicle.all().count(), await Part.all().count(), await Fitment.all().count()) == (
        43,
        847,
        1916,
    )


async def test_an_oe_number_finds_every_brand_of_its_family(db):
    await load_demo("tiny", currency="EUR")
    catalogue = DemoCatalogue("tiny", "EUR")
    family = [p for p in catalogue.parts if p.oe_numbers == catalogue.parts[0].oe_numbers]
    maker, number = family[0].oe_numbers[0]
    vehicle = await Vehicle.get(external_id=family[0].vehicles[0])

    page = await search.search_parts(number.replace(" ", "").lower(), vehicle_id=vehicle.id)

    assert {(c.brand, c.article) for c in page.items} == {tuple(p.fields[:2]) for p in family}
    assert all(c.is_analogue and c.fits for c in page.items)
    assert await CrossReference.filter(number=number, brand=maker).exists()


async def test_csv_files_import_like_the_direct_load(db, tmp_path):
    counts = write_csv(tmp_path, "tiny", currency="EUR")
    assert counts == {
        "vehicles.csv": 43, "categories.csv": 26, "parts.csv": 847, "fitments.csv": 1916, "crossrefs.csv": 862
    }  # fmt: skip
    report = await import_catalogue([tmp_path], currency="EUR")
    assert report.rejects == []
    assert [f.added for f in report.files] == [43, 26, 847, 1916, 862]


async def test_every_demo_category_has_its_name_in_ukrainian_russian_and_spanish(db):
    await load_demo("tiny", currency="EUR")
    categories = await Category.all()
    assert len(categories) == 26
    untranslated = [c.name for c in categories if not (c.name_uk and c.name_ru and c.name_es)]
    assert untranslated == []
    oil = await Category.get(slug="oil-filters")
    assert (oil.name_in("uk"), oil.name_in("ru"), oil.name_in("es"), oil.name_in("en")) == (
        "Масляні фільтри", "Масляные фильтры", "Filtros de aceite", "Oil filters"
    )  # fmt: skip


def test_the_small_demo_has_the_real_parts_people_type_numbers_of():
    catalogue = DemoCatalogue("small", "EUR")
    by_number = {(p.fields[0], p.fields[1]): p for p in catalogue.parts}
    vehicles = {row[0]: row for row in catalogue.vehicles}
    for known in KNOWN_PARTS:
        part = by_number[(known.brand, known.article)]
        assert part.oe_numbers == list(known.references)
        fitted = {(vehicles[v][1], vehicles[v][2], vehicles[v][3], vehicles[v][5]) for v in part.vehicles}
        assert fitted and all((make, model, generation) in known.generations for make, model, generation, _ in fitted)
        assert not known.engines or {engine for *_, engine in fitted} <= set(known.engines), known.article
    bosch = by_number[("Bosch", "0 986 452 041")]
    assert {vehicles[v][2] for v in bosch.vehicles} == {"Camry", "RAV4"}
    # Generated numbers never take a real part's number.
    assert len({(p.fields[0], p.fields[1].replace(" ", "")) for p in catalogue.parts}) == len(catalogue.parts)


async def test_a_real_number_or_its_oe_number_finds_the_real_part_for_the_car(db):
    await load_demo("tiny", currency="EUR")
    solaris = await Vehicle.filter(model__name="Solaris", engine_code="G4FG").first()
    corolla = await Vehicle.get(model__name="Corolla", engine_code="2ZR-FXE")

    for query, vehicle, expected in [
        ("lzkr6b 10e", solaris, {("NGK", "LZKR6B-10E")}),
        ("18846-10060", solaris, {("NGK", "LZKR6B-10E")}),
        ("90919 01253", corolla, {("Denso", "SK20R11")}),
        ("ILKAR7B11", corolla, {("Denso", "SK20R11")}),
    ]:
        page = await search.search_parts(query, vehicle_id=vehicle.id)
        assert {(c.brand, c.article) for c in page.items} == expected, query
        assert all(c.fits for c in page.items)
