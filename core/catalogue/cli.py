"""Catalogue commands: `import-catalogue`, `demo-data` and `search` for `python -m core`."""

from __future__ import annotations

import argparse
import json
import sys

from core.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    importing = commands.add_parser(
        "import-catalogue", help="import vehicles/parts/fitments/crossrefs CSV files"
    )
    importing.add_argument(
        "paths", nargs="*", metavar="DIR_OR_FILE", help="a directory holding the files, or the files"
    )
    importing.add_argument(
        "--strict", action="store_true", help="import nothing (exit 1) when any row is bad"
    )
    importing.set_defaults(run=run_import)

    demo = commands.add_parser("demo-data", help="load a generated, realistic demo catalogue")
    demo.add_argument("--size", default="small",
                      help="tiny: ~1k parts (tests); small: ~20k parts (default); large: ~100k parts, ~1M fitments")  # fmt: skip
    demo.add_argument(
        "--if-empty", action="store_true", help="do nothing when the catalogue already has parts"
    )
    demo.add_argument(
        "--csv", metavar="DIR", help="write the CSV files into DIR instead of loading them"
    )
    demo.set_defaults(run=run_demo)

    search = commands.add_parser("search", help="search parts by number or words, optionally for one vehicle")
    search.add_argument(
        "query", nargs="?", default="", help="an article/OE number or words (empty: every part)"
    )
    search.add_argument("--vehicle", metavar="ID", help="only parts that fit this vehicle (its external id)")
    search.add_argument("--category", help="only this category (slug, name or path) and its sub-categories")
    search.add_argument("--page", default="1", help="page number (default 1)")
    search.add_argument("--per-page", default="20", help="parts per page (default 20, at most 100)")
    search.add_argument("--json", action="store_true", help="print JSON instead of a table")
    search.set_defaults(run=run_search)


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    from core.catalogue.importer import import_catalogue
    from core.catalogue.progress import Progress
    from core.catalogue.rows import CatalogueFileError
    from core.cli import CommandError
    from core.db import database

    if not args.paths:
        raise CommandError("name a directory holding the catalogue files, or the files themselves")

    def report_reject(line: str) -> None:
        print(line, file=sys.stderr)

    async with database(settings.database.url):
        try:
            report = await import_catalogue(
                args.paths, currency=settings.shop.currency, strict=args.strict,
                on_reject=report_reject, progress=Progress(),
            )  # fmt: skip
        except CatalogueFileError as exc:
            raise CommandError(f"{exc}; nothing imported") from None
    for item in report.files:
        if report.imported:
            print(f"{item.name}: {item.added} added, {item.updated} updated, {item.rejected} rejected")
        else:
            print(f"{item.name}: {item.rejected} rejected")
    if not report.imported:
        print(f"nothing imported: {len(report.rejects)} bad row(s) and --strict", file=sys.stderr)
        return 1
    print(f"{report.rows:,} rows in {report.seconds:.2f} s ({report.rows_per_second:,.0f} rows/s); "
          f"catalogue version {report.version}")  # fmt: skip
    return 0


async def run_demo(settings: Settings, args: argparse.Namespace) -> int:
    from core.catalogue import demo
    from core.catalogue.progress import Progress
    from core.cli import CommandError
    from core.db import database

    if args.size not in demo.SIZES:
        raise CommandError(f"unknown size '{args.size}' (choose {', '.join(demo.SIZES)})")
    if args.csv:
        counts = demo.write_csv(args.csv, args.size, currency=settings.shop.currency)
        print(
            ", ".join(f"{name}: {count:,} rows" for name, count in counts.items()) + f" written to {args.csv}"
        )
        return 0
    async with database(settings.database.url):
        from core.catalogue.models import Part

        if args.if_empty and await Part.exists():
            print("the catalogue already has parts: demo data not loaded")
            return 0
        report = await demo.load_demo(args.size, currency=settings.shop.currency, progress=Progress())
    for item in report.files:
        print(f"{item.name}: {item.added} added, {item.updated} updated")
    print(f"demo catalogue ({args.size}) loaded: {report.rows:,} rows in {report.seconds:.2f} s")
    return 0


async def run_search(settings: Settings, args: argparse.Namespace) -> int:
    from core.catalogue.search import search_parts
    from core.catalogue.selector import find_vehicle
    from core.cli import CommandError
    from core.db import database
    from core.errors import ShopError

    page_number, per_page = _whole(args.page, "--page"), _whole(args.per_page, "--per-page")
    async with database(settings.database.url):
        try:
            vehicle = await find_vehicle(args.vehicle) if args.vehicle is not None else None
            page = await search_parts(
                args.query, vehicle_id=vehicle.id if vehicle else None, category=args.category,
                page=page_number, per_page=per_page,
            )  # fmt: skip
        except ShopError as exc:
            raise CommandError(str(exc)) from None
    if args.json:
        print(json.dumps(_page_json(args, page), ensure_ascii=False, indent=2))
    else:
        _print_table(page)
    return 0


def _whole(text: str, option: str) -> int:
    from core.cli import CommandError

    try:
        return int(text)
    except ValueError:
        raise CommandError(f"{option} must be a whole number, not '{text}'") from None


def _price_text(minor: int, currency: str) -> str:
    from core.money import decimal_text

    return decimal_text(minor, currency)


def _page_json(args: argparse.Namespace, page) -> dict:
    from core.catalogue.normalise import readable_text

    # As searched: a byte that was not UTF-8 on the command line must not break the JSON.
    return {
        "query": " ".join(readable_text(args.query).split()),
        "vehicle": args.vehicle,
        "category": args.category,
        "total": page.total,
        "page": page.page,
        "pages": page.pages,
        "per_page": page.per_page,
        "items": [
            {
                "id": card.id,
                "brand": card.brand,
                "article": card.article,
                "name": card.name,
                "category": card.category,
                "price": _price_text(card.price, card.currency),
                "price_minor": card.price,
                "currency": card.currency,
                "stock": card.stock,
                "fits": card.fits,
                "is_analogue": card.is_analogue,
            }
            for card in page.items
        ],
    }


def _print_table(page) -> None:
    if not page.items:
        print(f"no parts on page {page.page}: {page.total} part(s) in {page.pages} page(s)" if page.total
              else "no parts found")  # fmt: skip
        return
    rows = [("brand", "article", "name", "price", "stock", "category", "")]
    for card in page.items:
        mark = "analogue" if card.is_analogue else ""
        rows.append((card.brand, card.article, card.name, f"{_price_text(card.price, card.currency)} {card.currency}",
                     str(card.stock), card.category, mark))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip())
    print(f"page {page.page} of {page.pages}, {page.total} part(s)")
