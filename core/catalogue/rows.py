"""Reading catalogue CSV files and checking each row (see docs/catalogue-format.md).

A file-level problem (unknown file name, missing column, not UTF-8) stops the whole import with
`CatalogueFileError`; a bad row raises `RowError` with the reason the import reports as
`file:line: reason` before skipping it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple, TextIO

from babel.numbers import list_currencies

from core.catalogue.normalise import brand_key, normalise_article
from core.money import minor_units

COLUMNS = {
    "vehicles": ("vehicle_id", "make", "model", "generation", "body", "engine_code", "engine_cc", "power_kw", "fuel", "year_from", "year_to"),
    "categories": ("category", "name_uk", "name_ru", "name_es"),
    "parts": ("brand", "article", "name", "category", "price", "currency", "stock", "description"),
    "fitments": ("brand", "article", "vehicle_id", "position", "note"),
    "crossrefs": ("brand", "article", "ref_brand", "ref_number"),
}  # fmt: skip
# The order files are imported in: later files refer to what earlier ones define.
KINDS = tuple(COLUMNS)

# Longest text each column may hold (the database's column sizes).
_MAX_LENGTH = {
    "vehicle_id": 32, "make": 64, "model": 96, "generation": 96, "body": 48, "engine_code": 48, "fuel": 24,
    "brand": 64, "article": 64, "name": 255, "currency": 3, "description": 10_000,
    "position": 48, "note": 255, "ref_brand": 64, "ref_number": 64,
    "name_uk": 96, "name_ru": 96, "name_es": 96,
}  # fmt: skip
MAX_CATEGORY_NAME = 96
MAX_CATEGORY_DEPTH = 6
MAX_PRICE_MINOR = 2_000_000_000
MAX_STOCK = 1_000_000_000
YEARS = range(1900, 2101)
_CURRENCIES = frozenset(list_currencies())
_PRICE = re.compile(r"(\d+)(?:\.(\d+))?")


class CatalogueFileError(Exception):
    """A whole file cannot be read; nothing is imported."""


class RowError(Exception):
    """A bad row: the message is the reason shown after `file:line:`."""


class VehicleRow(NamedTuple):
    external_id: str
    make: str
    model: str
    generation: str
    body: str
    engine_code: str
    engine_cc: int | None
    power_kw: int | None
    fuel: str
    year_from: int
    year_to: int | None


class CategoryRow(NamedTuple):
    path: tuple[str, ...]
    translations: tuple[str, ...]  # the name in CATEGORY_LOCALES' order, "" where not given


class PartRow(NamedTuple):
    brand: str
    brand_key: str
    article: str
    article_norm: str
    name: str
    category: tuple[str, ...]  # path from the root, () for none
    price: int  # minor units
    currency: str
    stock: int
    description: str


class FitmentRow(NamedTuple):
    part: tuple[str, str]  # (brand_key, article_norm)
    part_label: str
    vehicle: str  # external id
    position: str
    note: str


class CrossRefRow(NamedTuple):
    part: tuple[str, str]
    part_label: str
    ref_brand: str
    ref_key: tuple[str, str]  # (brand_key, number_norm)
    ref_number: str


def kind_of(path: Path) -> str:
    kind = path.name.lower().removesuffix(".csv")
    if kind not in COLUMNS or not path.name.lower().endswith(".csv"):
        names = ", ".join(f"{k}.csv" for k in KINDS)
        raise CatalogueFileError(f"{path}: unknown catalogue file (expected one of {names})")
    return kind


def read_rows(path: Path, kind: str, count_chars=None) -> Iterator[tuple[int, list[str] | str]]:
    """(line, fields in the documented column order) per row, or (line, reason) for a malformed row."""
    with _open_text(path) as handle:
        reader = csv.reader(_checked_lines(path, handle, count_chars), strict=True)
        header = _next_row(path, reader, 1)
        positions = _column_positions(path, kind, header)
        line = reader.line_num
        width = len(header)
        while (row := _next_row(path, reader, line + 1)) is not None:
            start, line = line + 1, reader.line_num
            if len(row) < width:
                if not any(field.strip() for field in row):
                    continue  # a blank line
                row += [""] * (width - len(row))  # trailing fields left out: checked as empty
            if len(row) == width:
                yield start, [row[i].strip() for i in positions]
            else:
                yield start, f"expected {width} fields, found {len(row)}"


def check_header(path: Path, kind: str) -> None:
    """Fail before anything is written when a file cannot be imported at all."""
    with _open_text(path) as handle:
        header = _next_row(path, csv.reader(_checked_lines(path, handle, None), strict=True), 1)
    _column_positions(path, kind, header)


@contextmanager
def _open_text(path: Path) -> Iterator[TextIO]:
    """The file as text; bytes that are not UTF-8 become one CatalogueFileError line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            yield handle
    except UnicodeDecodeError as exc:
        hint = " (it looks like UTF-16: save it as UTF-8 CSV)" if exc.object[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise CatalogueFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}){hint}") from None
    except OSError as exc:
        raise CatalogueFileError(f"{path}: cannot read ({exc.strerror})") from None


def _next_row(path: Path, reader, line: int) -> list[str] | None:
    try:
        return next(reader, None)
    except csv.Error as exc:
        # With strict quoting an unclosed quote runs to the end of the file: name where it began.
        raise CatalogueFileError(f"{path}:{line}: unreadable CSV ({_csv_problem(exc)})") from None


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if text == "unexpected end of data":
        return "a quoted field that starts in this row is never closed"
    return text


def _checked_lines(path: Path, handle: TextIO, count_chars) -> Iterator[str]:
    for number, text in enumerate(handle, start=1):
        if "\x00" in text:
            raise CatalogueFileError(f"{path}:{number}: a NUL byte: this is not a text CSV file")
        if count_chars:
            count_chars(len(text))
        yield text


def _column_positions(path: Path, kind: str, header: list[str] | None) -> list[int]:
    if not header:
        raise CatalogueFileError(f"{path}: empty file (the first line must name the columns)")
    names = [name.strip().lower() for name in header]
    missing = [column for column in COLUMNS[kind] if column not in names]
    if missing:
        raise CatalogueFileError(f"{path}:1: missing column(s) {', '.join(missing)}{_separator_hint(header)}")
    return [names.index(column) for column in COLUMNS[kind]]


def _separator_hint(header: list[str]) -> str:
    # Spreadsheets in many European locales save "CSV" with semicolons or tabs.
    for separator, name in ((";", "semicolons"), ("\t", "tabs")):
        if len(header) == 1 and separator in header[0]:
            return f" (the columns are separated by {name}: save the file with commas, as CSV UTF-8)"
    return ""


def _text(value: str, column: str, *, required: bool = False) -> str:
    if required and not value:
        raise RowError(f"missing {column}")
    if len(value) > _MAX_LENGTH[column]:
        raise RowError(f"{column} is longer than {_MAX_LENGTH[column]} characters")
    return value


def _whole(value: str, column: str, low: int, high: int, *, required: bool = False) -> int | None:
    if not value:
        if required:
            raise RowError(f"missing {column}")
        return None
    if not value.isascii() or not value.isdigit() or not low <= int(value) <= high:
        raise RowError(f"bad {column} '{value}' (a whole number from {low} to {high})")
    return int(value)


def _article(value: str, column: str) -> tuple[str, str]:
    article = _text(value, column, required=True)
    norm = normalise_article(article)
    if not norm:
        raise RowError(f"{column} '{article}' has no letters or digits")
    return article, norm


def parse_vehicle(fields: list[str]) -> VehicleRow:
    external_id, make, model, generation, body, engine_code, engine_cc, power_kw, fuel, year_from, year_to = (
        fields
    )
    row = VehicleRow(
        _text(external_id, "vehicle_id", required=True),
        " ".join(_text(make, "make", required=True).split()),
        " ".join(_text(model, "model", required=True).split()),
        _text(generation, "generation"),
        _text(body, "body"),
        _text(engine_code, "engine_code"),
        _whole(engine_cc, "engine_cc", 1, 20_000),
        _whole(power_kw, "power_kw", 1, 2_000),
        _text(fuel, "fuel"),
        _whole(year_from, "year_from", YEARS.start, YEARS.stop - 1, required=True),
        _whole(year_to, "year_to", YEARS.start, YEARS.stop - 1),
    )
    if row.year_to is not None and row.year_to < row.year_from:
        raise RowError(f"year_to {row.year_to} is before year_from {row.year_from}")
    return row


def parse_category(fields: list[str]) -> CategoryRow:
    category, *names = fields
    if not category:
        raise RowError("missing category")
    path = _category_path(category)
    columns = COLUMNS["categories"][1:]
    return CategoryRow(path, tuple(" ".join(_text(n, c).split()) for n, c in zip(names, columns, strict=True)))


def parse_part(fields: list[str], default_currency: str) -> PartRow:
    brand, article, name, category, price, currency, stock, description = fields
    brand = _text(brand, "brand", required=True)
    article, norm = _article(article, "article")
    currency = _currency(currency or default_currency)
    return PartRow(
        brand,
        brand_key(brand),
        article,
        norm,
        _text(name, "name", required=True),
        _category_path(category),
        _price(price, currency),
        currency,
        _whole(stock, "stock", 0, MAX_STOCK, required=True),
        _text(description, "description"),
    )


def _currency(value: str) -> str:
    code = value.upper()
    if len(code) != 3 or code not in _CURRENCIES:
        raise RowError(f"bad currency '{value}' (a three-letter ISO 4217 code such as EUR)")
    return code


def _price(value: str, currency: str) -> int:
    if not value:
        raise RowError("missing price")
    decimals = minor_units(currency)
    match = _PRICE.fullmatch(value) if value.isascii() else None
    if match is None or len(match.group(2) or "") > decimals:
        example = f"12.{'5'.ljust(decimals, '0')}" if decimals else "1250"
        raise RowError(
            f"bad price '{value}' (a number like {example}, no currency sign or thousands separator)"
        )
    minor = int(match.group(1)) * 10**decimals + int((match.group(2) or "").ljust(decimals, "0") or 0)
    if minor == 0:
        raise RowError("price must be more than 0")
    if minor > MAX_PRICE_MINOR:
        raise RowError(f"price '{value}' is too high")
    return minor


_PATHS: dict[str, tuple[str, ...]] = {}


def _category_path(value: str) -> tuple[str, ...]:
    if value in _PATHS:  # a catalogue has few categories and many parts
        return _PATHS[value]
    if not value:
        return ()
    names = tuple(" ".join(name.split()) for name in value.split("/"))
    if not all(names):
        raise RowError(f"bad category '{value}' (a name, or a path like Brakes/Brake pads)")
    if len(names) > MAX_CATEGORY_DEPTH or any(len(name) > MAX_CATEGORY_NAME for name in names):
        raise RowError(f"category '{value}' is too deep or too long")
    if len(_PATHS) < 10_000:
        _PATHS[value] = names
    return names


def parse_fitment(fields: list[str]) -> FitmentRow:
    brand, article, vehicle_id, position, note = fields
    brand = _text(brand, "brand", required=True)
    article, norm = _article(article, "article")
    return FitmentRow(
        (brand_key(brand), norm),
        f"{brand} {article}",
        _text(vehicle_id, "vehicle_id", required=True),
        _text(position, "position"),
        _text(note, "note"),
    )


def parse_crossref(fields: list[str]) -> CrossRefRow:
    brand, article, ref_brand, ref_number = fields
    brand = _text(brand, "brand", required=True)
    article, norm = _article(article, "article")
    ref_brand = _text(ref_brand, "ref_brand", required=True)
    ref_number, ref_norm = _article(ref_number, "ref_number")
    return CrossRefRow(
        (brand_key(brand), norm),
        f"{brand} {article}",
        ref_brand,
        (brand_key(ref_brand), ref_norm),
        ref_number,
    )
