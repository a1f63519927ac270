"""Importing catalogue CSV files: exact counts and rejects, re-import, --strict, file-level errors."""

from pathlib import Path

import pytest

from core.catalogue.cache import current_version
from core.catalogue.importer import import_catalogue
from core.catalogue.models import Category, CrossReference, Fitment, Make, Part, Vehicle, VehicleModel
from core.catalogue.rows import CatalogueFileError

DATA = Path(__file__).parent.parent / "data" / "catalogue"

EXPECTED_REJECTS = [
    f"{DATA}/vehicles.csv:13: year_to 2009 is before year_from 2012",
    f"{DATA}/vehicles.csv:14: missing model",
    f"{DATA}/vehicles.csv:16: bad year_from '20l4' (a whole number from 1900 to 2100)",
    f"{DATA}/vehicles.csv:17: expected 11 fields, found 12",
    f"{DATA}/vehicles.csv:18: bad power_kw '104.5' (a whole number from 1 to 2000)",
    f"{DATA}/parts.csv:21: expected 8 fields, found 9",
    f"{DATA}/parts.csv:22: bad price 'abc' (a number like 12.50, no currency sign or thousands separator)",
    f"{DATA}/parts.csv:23: bad price '-4.00' (a number like 12.50, no currency sign or thousands separator)",
    f"{DATA}/parts.csv:24: bad stock '2.5' (a whole number from 0 to 1000000000)",
    f"{DATA}/parts.csv:25: missing brand",
    f"{DATA}/parts.csv:26: missing name",
    f"{DATA}/parts.csv:27: bad currency 'EURO' (a three-letter ISO 4217 code such as EUR)",
    f"{DATA}/parts.csv:28: article '---' has no letters or digits",
    f"{DATA}/parts.csv:29: bad category 'Filters//Oil filters' (a name, or a path like Brakes/Brake pads)",
    f"{DATA}/parts.csv:30: missing price",
    f"{DATA}/parts.csv:31: bad price '1.999' (a number like 12.50, no currency sign or thousands separator)",
    f"{DATA}/parts.csv:33: missing name",
    f"{DATA}/fitments.csv:20: unknown vehicle '999999'",
    f"{DATA}/fitments.csv:21: unknown part 'Bosch 0000000000'",
    f"{DATA}/fitments.csv:22: unknown part 'Textar 2355701'",
    f"{DATA}/fitments.csv:23: missing vehicle_id",
    f"{DATA}/fitments.csv:24: unknown vehicle '100012'",
    f"{DATA}/crossrefs.csv:11: unknown part 'Bosch 0000000000'",
    f"{DATA}/crossrefs.csv:12: missing ref_number",
]


def counts(report) -> dict[str, tuple[int, int, int]]:
    return {f.name: (f.added, f.updated, f.rejected) for f in report.files}


async def part(brand: str, article: str) -> Part:
    from core.catalogue.normalise import brand_key, normalise_article

    return await Part.get(brand_key=brand_key(brand), article_norm=normalise_article(article))


async def test_fixture_catalogue_imports_with_exact_counts_and_rejects(db):
    report = await import_catalogue([DATA], currency="UAH")

    assert report.imported
    assert counts(report) == {
        "vehicles.csv": (12, 0, 5),
        "parts.csv": (18, 1, 12),
        "fitments.csv": (19, 1, 5),
        "crossrefs.csv": (9, 0, 2),
    }
    assert report.rejects == EXPECTED_REJECTS
    assert (await Vehicle.all().count(), await Part.all().count(), await Fitment.all().count()) == (
        12,
        18,
        19,
    )
    assert await CrossReference.all().count() == 13
    assert sorted(await Make.all().values_list("name", flat=True)) == [
        "BMW", "Ford", "Hyundai", "Kia", "Lada", "Renault", "Tesla", "Toyota", "Volkswagen", "Škoda"
    ]  # fmt: skip
    assert await current_version() == 1


async def test_fixture_rows_are_read_the_way_they_were_meant(db):
    await import_catalogue([DATA], currency="UAH")

    # VOLKSWAGEN and Volkswagen are one make; its Golf VI and VII are one model.
    golf = await VehicleModel.get(name="Golf").prefetch_related("vehicles")
    assert len(golf.vehicles) == 3
    # Spaces around fields (vehicle 100008) and quoted fields (100007) are read cleanly.
    logan = await Vehicle.get(external_id="100008").select_related("model__make")
    assert (logan.model.make.name, logan.model.name, logan.engine_code, logan.year_to) == (
        "Renault",
        "Logan",
        "K7M",
        2022,
    )
    assert (await Vehicle.get(external_id="100007")).engine_cc == 998
    tesla = await Vehicle.get(external_id="100017")
    assert (tesla.engine_cc, tesla.power_kw, tesla.year_to) == (None, 208, None)

    # The later of two rows for one part wins; an empty currency is the shop's.
    bosch = await part("Bosch", "0 986 452 041")
    assert (bosch.price, bosch.stock, bosch.currency) == (940, 22, "EUR")
    assert (await part("mann-filter", "W712/75")).currency == "UAH"
    assert (await part("Denso", "K20TT")).article == "К20ТТ"  # stored as written, found as K20TT
    assert (await part("Bosch", "0 451 103 316")).description == "Line one\nline two of a quoted description"
    assert (await part("TRW", "GDB1550")).description == 'with wear indicator; "low dust" compound'

    pads = await Category.get(slug="brake-pads").select_related("parent")
    assert pads.parent.name == "Brakes"
    assert await Part.filter(category=pads).count() == 4  # "brakes/brake pads" is the same category
    assert await Category.all().count() == 12

    kyb = await part("KYB", "334833")
    assert sorted(await Fitment.filter(part=kyb).values_list("position", flat=True)) == [
        "front axle left",
        "front axle right",
    ]
    trw_fitment = await Fitment.get(part=await part("TRW", "GDB1550"), vehicle__external_id="100001")
    assert trw_fitment.note == "same pads again"


async def test_cross_references_form_groups(db):
    await import_catalogue([DATA], currency="EUR")

    oil = {
        await part(b, a) for b, a in [("Bosch", "0986452041"), ("Mann-Filter", "W71275"), ("Mahle", "OC205")]
    }
    assert len({p.xref_group for p in oil}) == 1 and None not in {p.xref_group for p in oil}
    pads = [
        await part(b, a)
        for b, a in [
            ("TRW", "GDB1550"),
            ("Brembo", "P85020"),
            ("Bosch", "0986494524"),
            ("ATE", "13.0460-7174.2"),
        ]
    ]
    assert len({p.xref_group for p in pads}) == 1
    assert pads[0].xref_group != next(iter(oil)).xref_group
    assert (await part("NGK", "BKR6E")).xref_group is None
    groups = await CrossReference.all().values_list("group", flat=True)
    assert len(set(groups)) == 4


async def test_reimport_updates_without_duplicates(db, tmp_path):
    await import_catalogue([DATA], currency="EUR")
    bosch_id = (await part("Bosch", "0986452041")).id

    again = await import_catalogue([DATA], currency="EUR")
    assert counts(again) == {
        "vehicles.csv": (0, 12, 5),
        "parts.csv": (0, 19, 12),
        "fitments.csv": (0, 20, 5),
        "crossrefs.csv": (0, 9, 2),
    }
    assert (await Vehicle.all().count(), await Part.all().count(), await Fitment.all().count()) == (
        12,
        18,
        19,
    )
    assert await CrossReference.all().count() == 13
    assert await current_version() == 2

    (tmp_path / "parts.csv").write_text(
        "brand,article,name,category,price,currency,stock,description\n"
        "BOSCH,0-986-452-041,Oil filter (new box),Filters/Oil filters,10.15,EUR,3,\n",
        encoding="utf-8",
    )
    update = await import_catalogue([tmp_path / "parts.csv"], currency="EUR")
    assert counts(update) == {"parts.csv": (0, 1, 0)}
    bosch = await part("Bosch", "0986452041")
    assert (bosch.id, bosch.name, bosch.price, bosch.stock, bosch.article) == (
        bosch_id,
        "Oil filter (new box)",
        1015,
        3,
        "0-986-452-041",
    )
    assert await Part.all().count() == 18
    # Its cross-reference group survived the update.
    assert bosch.xref_group == (await part("Mahle", "OC 205")).xref_group


async def test_strict_imports_nothing_when_a_row_is_bad(db):
    report = await import_catalogue([DATA], currency="EUR", strict=True)

    assert not report.imported
    assert report.rejects == EXPECTED_REJECTS
    assert [await m.all().count() for m in (Make, Vehicle, Category, Part, Fitment, CrossReference)] == [
        0
    ] * 6
    assert await current_version() == 0


async def test_strict_imports_a_clean_catalogue(db, tmp_path):
    (tmp_path / "vehicles.csv").write_text(
        "vehicle_id,make,model,generation,body,engine_code,engine_cc,power_kw,fuel,year_from,year_to\n"
        "K1,Kia,Rio,IV,YB,G4LC,1368,73,petrol,2017,\n",
        encoding="utf-8",
    )
    (tmp_path / "parts.csv").write_text(
        "brand,article,name,category,price,currency,stock,description\nNGK,BKR6E,Spark plug,Spark plugs,4.2,,8,\n",
        encoding="utf-8",
    )
    (tmp_path / "fitments.csv").write_text(
        "brand,article,vehicle_id,position,note\nngk,bkr 6e,K1,,\n", encoding="utf-8"
    )

    report = await import_catalogue([tmp_path], currency="EUR", strict=True)

    assert report.imported and report.rejects == []
    assert counts(report) == {"vehicles.csv": (1, 0, 0), "parts.csv": (1, 0, 0), "fitments.csv": (1, 0, 0)}
    assert (await part("NGK", "BKR6E")).price == 420


@pytest.mark.parametrize(
    ("price", "currency", "expected"),
    [
        ("12.5", "EUR", 1250),
        ("12", "EUR", 1200),
        ("0.99", "EUR", 99),
        ("1500", "JPY", 1500),
        ("7.10", "usd", 710),
        ("1990", "ISK", 1990),  # no minor units, like JPY
        ("12.345", "KWD", 12345),  # three decimals
    ],
)
async def test_prices_become_minor_units(db, tmp_path, price, currency, expected):
    (tmp_path / "parts.csv").write_text(
        f"brand,article,name,category,price,currency,stock,description\nNGK,BKR6E,Spark plug,,{price},{currency},1,\n",
        encoding="utf-8",
    )
    await import_catalogue([tmp_path], currency="EUR")
    plug = await part("NGK", "BKR6E")
    assert (plug.price, plug.currency) == (expected, currency.upper())


@pytest.mark.parametrize(("price", "currency"), [("19.90", "ISK"), ("12.5", "JPY"), ("1.2345", "KWD")])
async def test_more_decimals_than_the_currency_has_are_rejected(db, tmp_path, price, currency):
    (tmp_path / "parts.csv").write_text(
        f"brand,article,name,category,price,currency,stock,description\nNGK,BKR6E,Spark plug,,{price},{currency},1,\n",
        encoding="utf-8",
    )
    report = await import_catalogue([tmp_path], currency="EUR")
    assert report.rejects[0].endswith(f"bad price '{price}' (a number like "
                                      f"{'12.500' if currency == 'KWD' else '1250'}, no currency sign or thousands separator)")
    assert not await Part.exists()


def test_import_display_and_payment_agree_on_minor_units():
    # One price read from a file, shown on a page and sent to a bank is one amount.
    from core.i18n import format_price
    from core.money import decimal_text

    assert format_price(1990, "ISK", "en").endswith("1,990")
    assert decimal_text(1990, "ISK") == "1990"
    assert format_price(12345, "KWD", "en").endswith("12.345")
    assert decimal_text(1250, "EUR") == "12.50" and decimal_text(-5, "EUR") == "-0.05"


async def test_columns_are_found_by_name_and_extra_ones_are_ignored(db, tmp_path):
    (tmp_path / "parts.csv").write_text(
        "Stock,Price,Brand,Article,Name,Category,Currency,Description,Supplier\n5,3.50,NGK,BKR6E,Spark plug,,,,Acme\n",
        encoding="utf-8",
    )
    report = await import_catalogue([tmp_path], currency="EUR")
    assert counts(report) == {"parts.csv": (1, 0, 0)}
    assert (await part("NGK", "BKR6E")).stock == 5


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("parts.csv", "brand,article,name,price,stock\nNGK,BKR6E,Plug,1,1\n", "parts.csv:1: missing column(s) category, currency, description"),
        ("parts.csv", "", "parts.csv: empty file (the first line must name the columns)"),
        ("prices.csv", "brand,article\n", "prices.csv: unknown catalogue file (expected one of vehicles.csv, categories.csv, parts.csv, fitments.csv, crossrefs.csv)"),
    ],
)  # fmt: skip
async def test_a_file_that_cannot_be_read_stops_everything(db, tmp_path, name, content, message):
    (tmp_path / "vehicles.csv").write_text(
        (DATA / "vehicles.csv").read_text(encoding="utf-8-sig"), encoding="utf-8"
    )
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(CatalogueFileError) as caught:
        await import_catalogue([tmp_path / "vehicles.csv", tmp_path / name], currency="EUR")
    assert str(caught.value) == f"{tmp_path / name}{message.removeprefix(name)}"
    assert await Vehicle.all().count() == 0


async def test_text_that_is_not_utf8_stops_everything(db, tmp_path):
    (tmp_path / "vehicles.csv").write_text(
        (DATA / "vehicles.csv").read_text(encoding="utf-8-sig"), encoding="utf-8"
    )
    (tmp_path / "parts.csv").write_bytes(
        b"brand,article,name,category,price,currency,stock,description\n" + b"NGK,BKR6E,Plug,,1,EUR,1,ok\n" * 10_000
        + "Bosch,X1,Свеча,,1,EUR,1,\n".encode("cp1251")
    )  # fmt: skip
    with pytest.raises(CatalogueFileError, match="parts.csv: not UTF-8 text"):
        await import_catalogue([tmp_path], currency="EUR")
    # The vehicles file had been written already: the transaction took it back.
    assert await Vehicle.all().count() == 0 and await Part.all().count() == 0


async def test_paths_that_are_not_catalogues(db, tmp_path):
    with pytest.raises(CatalogueFileError, match="no such file or directory"):
        await import_catalogue([tmp_path / "missing"], currency="EUR")
    with pytest.raises(CatalogueFileError, match="no catalogue files here"):
        await import_catalogue([tmp_path], currency="EUR")


async def test_a_later_import_can_refer_to_what_is_already_in_the_catalogue(db, tmp_path):
    await import_catalogue([DATA / "vehicles.csv", DATA / "parts.csv"], currency="EUR")
    (tmp_path / "fitments.csv").write_text(
        "brand,article,vehicle_id,position,note\nNGK,BKR6E,100001,,\n", encoding="utf-8"
    )
    (tmp_path / "crossrefs.csv").write_text(
        "brand,article,ref_brand,ref_number\nNGK,BKR6E,VAG,101 905 601 F\nBosch,0 986 452 041,NGK,BKR 6E\n",
        encoding="utf-8",
    )

    report = await import_catalogue([tmp_path], currency="EUR")

    assert counts(report) == {"fitments.csv": (1, 0, 0), "crossrefs.csv": (2, 0, 0)}
    assert (
        (await part("NGK", "BKR6E")).xref_group == (await part("Bosch", "0986452041")).xref_group is not None
    )


async def test_links_between_two_groups_merge_them(db, tmp_path):
    await import_catalogue([DATA], currency="EUR")
    oil_group = (await part("Mahle", "OC205")).xref_group
    lada_group = (await part("Lada", "21080-1012005-08")).xref_group
    assert oil_group != lada_group
    (tmp_path / "crossrefs.csv").write_text(
        "brand,article,ref_brand,ref_number\nMann-Filter,W 712/75,Mann-Filter,W 914/2\n", encoding="utf-8"
    )

    report = await import_catalogue([tmp_path], currency="EUR")

    assert counts(report) == {"crossrefs.csv": (1, 0, 0)}
    joined = [
        ("Mahle", "OC205"),
        ("Lada", "21080-1012005-08"),
        ("Bosch", "0986452041"),
        ("Mann-Filter", "W71275"),
    ]
    assert {(await part(brand, article)).xref_group for brand, article in joined} == {
        min(oil_group, lada_group)
    }
    assert set(await CrossReference.all().values_list("group", flat=True)) == {
        min(oil_group, lada_group), (await part("TRW", "GDB1550")).xref_group, (await part("Gates", "5PK1100")).xref_group
    }  # fmt: skip
