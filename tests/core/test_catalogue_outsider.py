"""A catalogue written by someone who only read docs/catalogue-format.md, saved the way office
tools save CSV (a byte-order mark, CRLF line ends, quoted fields), with the mistakes people make.
Each count, reject line and stored value below is what the document promises."""

from pathlib import Path

import pytest

from core.catalogue import search
from core.catalogue.importer import import_catalogue
from core.catalogue.models import Category, CrossReference, Fitment, Make, Part, Vehicle, VehicleModel
from core.catalogue.normalise import brand_key, normalise_article
from core.catalogue.rows import CatalogueFileError

VEHICLES = """\
vehicle_id,make,model,generation,body,engine_code,engine_cc,power_kw,fuel,year_from,year_to
1001,Volkswagen,Golf,VII,5G1,CZCA,1395,92,petrol,2012,2020
1002,VOLKSWAGEN,golf,VIII,CD1,DADA,1498,110,petrol,2019,
1003,Škoda,Octavia,III,"5E3, 5E5",CJSA,1798,132,petrol,2013,2020
1004,Lada,Веста,I,,21129,1596,78,petrol,2015,2010
1005,Toyota,Corolla,E210,,M20A-FKS,1987,125,hybrid,2019,
1005,Toyota,Corolla,E210,,M20A-FKS,1987,126,hybrid,2019,
1006,Ford,Focus,,,,,,,,
1007,Ford,Focus,III,,,abc,,,2011,2018

"""
PARTS = """\
brand,article,name,category,price,currency,stock,description
Bosch,0 986 452 041,Oil filter,Filters/Oil filters,8.90,EUR,25,"Spin-on filter, M 20x1.5 thread"
Mann-Filter,W 712/75,Oil filter,Filters/Oil filters,7.45,,40,
TRW,GDB1550,"Brake pad set, front axle",Brakes/Brake pads,34.5,EUR,8,"with ""low dust"" compound"
NGK,BKR6E,Spark plug,Ignition/Spark plugs,12,,100,
Лада,21120-1012005,Фильтр масляный,Фильтры/Масляные,"1,234.50",,5,
Лада,21120-1012006,Фильтр масляный,Фильтры/Масляные,1234.50,,5,
Bosch,0986452041,Oil filter (renamed),Filters/Oil filters,9.10,EUR,30,
Febi,12345,Belt,Belts,-3,,1,
Febi,12346,Belt,Belts,3,,-1,
Febi,12347,Belt,Belts,3.999,,1,
Febi,12348,Timing belt,Belts/Timing belts,3.00,,1,
Mahle,OC 205,Oil filter,Filters/Oil filters,6.10,,12,
"""
FITMENTS = """\
brand,article,vehicle_id,position,note
Bosch,0986452041,1001,,
BOSCH,0 986-452.041,1002,,
TRW,GDB1550,1001,front axle,"for vehicles with 312 mm discs, FN3"
TRW,GDB1550,1001,front axle,updated note
TRW,GDB1550,9999,front axle,
Nobody,X1,1001,,
NGK,BKR6E,1004,,
Febi,12345,1001,,
"""
CROSSREFS = """\
brand,article,ref_brand,ref_number
Bosch,0 986 452 041,VAG,03C 115 561 H
Mann-Filter,W 712/75,VAG,03C115561H
Mahle,OC 205,Mann-Filter,W 712/75
Mahle,OC205,Mann-Filter,W71275
Ghost,G1,VAG,03C115561H
Bosch,0986452041,VAG,---
"""
FILES = {"vehicles.csv": VEHICLES, "parts.csv": PARTS, "fitments.csv": FITMENTS, "crossrefs.csv": CROSSREFS}


def write_office_csv(directory: Path, files: dict[str, str] = FILES) -> Path:
    """As a spreadsheet saves "CSV UTF-8": BOM first, CRLF line ends."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    return directory


def counts(report) -> dict[str, tuple[int, int, int]]:
    return {f.name: (f.added, f.updated, f.rejected) for f in report.files}


async def part(brand: str, article: str) -> Part:
    return await Part.get(brand_key=brand_key(brand), article_norm=normalise_article(article))


async def test_counts_and_reject_lines_are_exactly_what_the_format_document_says(db, tmp_path):
    folder = write_office_csv(tmp_path / "shop")

    report = await import_catalogue([folder], currency="EUR")

    assert report.imported
    assert counts(report) == {
        "vehicles.csv": (4, 1, 3),  # 1005 twice: added, then updated by the later row
        "parts.csv": (7, 1, 4),  # Bosch 0986452041 twice
        "fitments.csv": (3, 1, 4),  # the TRW fitment twice
        "crossrefs.csv": (3, 1, 2),  # Mahle OC205 ↔ Mann W71275 twice, spelt differently
    }
    assert report.rejects == [
        f"{folder}/vehicles.csv:5: year_to 2010 is before year_from 2015",
        f"{folder}/vehicles.csv:8: missing year_from",
        f"{folder}/vehicles.csv:9: bad engine_cc 'abc' (a whole number from 1 to 20000)",
        f"{folder}/parts.csv:6: bad price '1,234.50' (a number like 12.50, no currency sign or thousands separator)",
        f"{folder}/parts.csv:9: bad price '-3' (a number like 12.50, no currency sign or thousands separator)",
        f"{folder}/parts.csv:10: bad stock '-1' (a whole number from 0 to 1000000000)",
        f"{folder}/parts.csv:11: bad price '3.999' (a number like 12.50, no currency sign or thousands separator)",
        f"{folder}/fitments.csv:6: unknown vehicle '9999'",
        f"{folder}/fitments.csv:7: unknown part 'Nobody X1'",
        f"{folder}/fitments.csv:8: unknown vehicle '1004'",  # its vehicles.csv row was rejected
        f"{folder}/fitments.csv:9: unknown part 'Febi 12345'",  # its parts.csv row was rejected
        f"{folder}/crossrefs.csv:6: unknown part 'Ghost G1'",
        f"{folder}/crossrefs.csv:7: ref_number '---' has no letters or digits",
    ]  # fmt: skip
    assert (await Vehicle.all().count(), await Part.all().count(), await Fitment.all().count()) == (4, 7, 3)


async def test_values_are_stored_the_way_the_document_describes(db, tmp_path):
    await import_catalogue([write_office_csv(tmp_path / "shop")], currency="EUR")

    # The later row of a duplicate wins; the first spelling of a make stays; quoted commas survive.
    assert (await Vehicle.get(external_id="1005")).power_kw == 126
    assert await Make.filter(name="Volkswagen").count() == 1 and not await Make.filter(name="VOLKSWAGEN").exists()
    assert await VehicleModel.filter(name__in=["Golf", "golf"]).count() == 1
    assert (await Vehicle.get(external_id="1003")).body == "5E3, 5E5"
    assert (await Make.get(name="Škoda")).slug == "skoda"
    bosch = await part("Bosch", "0986452041")
    assert (bosch.name, bosch.price, bosch.stock, bosch.description) == ("Oil filter (renamed)", 910, 30, "")
    pads = await part("TRW", "GDB1550")
    assert (pads.name, pads.price, pads.description) == (
        "Brake pad set, front axle", 3450, 'with "low dust" compound'
    )
    assert (await part("NGK", "BKR6E")).price == 1200
    lada = await part("лада", "21120 1012006")
    assert (lada.brand, lada.price, lada.currency) == ("Лада", 123450, "EUR")
    # New categories, Cyrillic ones too, are created on the way.
    assert await Category.filter(name="Масляные", parent__name="Фильтры").exists()
    assert await Category.filter(name="Timing belts", parent__name="Belts").exists()
    assert (await Fitment.get(part_id=pads.id)).note == "updated note"


async def test_cross_references_and_search_work_on_what_was_imported(db, tmp_path):
    await import_catalogue([write_office_csv(tmp_path / "shop")], currency="EUR")

    oil = {("Bosch", "0986452041"), ("Mann-Filter", "W 712/75"), ("Mahle", "OC 205")}
    for query in ("03С 115 561 Н", "w 712-75", "ос.205", "0/986/452/041"):  # Cyrillic С, Н, о, с
        page = await search.search_parts(query)
        assert {(c.brand, c.article) for c in page.items} == oil, query
    assert await CrossReference.filter(number_norm="03C115561H").count() == 1
    golf_viii = await Vehicle.get(external_id="1002")
    page = await search.search_parts("03C115561H", vehicle_id=golf_viii.id)
    assert [(c.brand, c.fits, c.is_analogue) for c in page.items] == [("Bosch", True, True)]
    assert {(c.brand, c.article) for c in (await search.search_parts("масляный")).items} == {("Лада", "21120-1012006")}


async def test_strict_imports_nothing_then_a_fixed_catalogue_re_imports_without_duplicates(db, tmp_path):
    folder = write_office_csv(tmp_path / "shop")
    refused = await import_catalogue([folder], currency="EUR", strict=True)
    assert not refused.imported and len(refused.rejects) == 13
    assert (await Vehicle.all().count(), await Part.all().count(), await Make.all().count()) == (0, 0, 0)

    await import_catalogue([folder], currency="EUR")
    changed = PARTS.replace("Oil filter (renamed),Filters/Oil filters,9.10,EUR,30", "Oil filter P 2041,Filters/Oil filters,9.35,EUR,3")
    write_office_csv(folder, {**FILES, "parts.csv": changed})
    again = await import_catalogue([folder], currency="EUR")

    assert counts(again) == {
        "vehicles.csv": (0, 5, 3),
        "parts.csv": (0, 8, 4),
        "fitments.csv": (0, 4, 4),
        "crossrefs.csv": (0, 4, 2),
    }
    bosch = await part("Bosch", "0 986 452 041")
    assert (bosch.name, bosch.price, bosch.stock) == ("Oil filter P 2041", 935, 3)
    assert (await Vehicle.all().count(), await Part.all().count(), await Fitment.all().count()) == (4, 7, 3)
    assert await Category.all().count() == 10


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'brand,article,name,category,price,currency,stock,description\r\nNGK,BKR6E,"Spark plug,,4.20,,1,\r\nNGK,BKR7E,Plug,,4.20,,1,\r\n',
            "parts.csv:2: unreadable CSV (a quoted field that starts in this row is never closed)",
        ),
        (
            b"brand,article,name,category,price,currency,stock,description\nNGK,BKR6E,Spark\x00plug,,4.20,,1,\n",
            "parts.csv:2: a NUL byte: this is not a text CSV file",
        ),
        (
            b"brand;article;name;category;price;currency;stock;description\r\nNGK;BKR6E;Spark plug;;4,20;;1;\r\n",
            "parts.csv:1: missing column(s) brand, article, name, category, price, currency, stock, description"
            " (the columns are separated by semicolons: save the file with commas, as CSV UTF-8)",
        ),
        (
            "brand,article,name,category,price,currency,stock,description\n".encode("utf-16"),
            "parts.csv: not UTF-8 text (invalid start byte at byte 0) (it looks like UTF-16: save it as UTF-8 CSV)",
        ),
    ],
)  # fmt: skip
async def test_files_that_are_not_readable_csv_stop_everything(db, tmp_path, content, message):
    folder = write_office_csv(tmp_path / "shop", {"vehicles.csv": VEHICLES})
    (folder / "parts.csv").write_bytes(content)

    with pytest.raises(CatalogueFileError) as caught:
        await import_catalogue([folder], currency="EUR")

    assert str(caught.value) == f"{folder}/{message}"
    assert await Vehicle.all().count() == 0 and await Part.all().count() == 0
