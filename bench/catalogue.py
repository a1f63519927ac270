"""Catalogue benchmarks: CSV import speed on SQLite, and search / part-page service latency."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench import BenchContext, Result, benchmark
from core.catalogue import cache, sql
from core.catalogue.demo import write_csv
from core.catalogue.importer import ImportReport, import_catalogue
from core.catalogue.search import part_details, search_parts
from core.db import create_schema, database

IMPORT_TARGET = 50_000  # rows per second on SQLite (DESIGN.md)
LATENCY_BUDGET_MS = (
    50.0  # p99 of a whole page at 64 connections (DESIGN.md): the service must fit well inside
)
SAMPLES = 200


async def catalogue_csv(ctx: BenchContext) -> Path:
    """The demo catalogue of the run's size as CSV files (written once per run)."""
    if "csv" not in ctx.shared:
        directory = ctx.workdir / f"demo-{ctx.size}"
        write_csv(directory, ctx.size, currency=ctx.currency)
        ctx.shared["csv"] = directory
    return ctx.shared["csv"]


async def _fresh_database(ctx: BenchContext, name: str) -> str:
    url = f"sqlite://{ctx.workdir / name}"
    await create_schema(url)
    return url


async def catalogue_database(ctx: BenchContext) -> str:
    """An SQLite database holding the demo catalogue: for the search benchmark and web benchmarks."""
    if "catalogue_db" not in ctx.shared:
        url = await _fresh_database(ctx, "catalogue.sqlite3")
        async with database(url):
            await import_catalogue([await catalogue_csv(ctx)], currency=ctx.currency)
        ctx.shared["catalogue_db"] = url
    return ctx.shared["catalogue_db"]


async def _timed_import(directory: Path, currency: str) -> tuple[ImportReport, float]:
    cpu = time.process_time()
    report = await import_catalogue([directory], currency=currency)
    return report, time.process_time() - cpu


@benchmark("catalogue-import")
async def import_speed(ctx: BenchContext) -> list[Result]:
    directory = await catalogue_csv(ctx)
    url = await _fresh_database(ctx, "import.sqlite3")
    async with database(url):
        first, cpu = await _timed_import(directory, ctx.currency)
        again, _ = await _timed_import(directory, ctx.currency)
    ctx.shared.setdefault("catalogue_db", url)
    rate = first.rows_per_second
    results = [
        Result("import into an empty SQLite catalogue", rate, "rows/s", f"≥ {IMPORT_TARGET:,}", rate >= IMPORT_TARGET if ctx.size == "large" else None,
               f"{first.rows:,} rows in {first.seconds:.1f} s ({ctx.size} demo)"),
        Result("  same, per CPU second used (steadier on a busy machine)", first.rows / cpu, "rows/s", "", None,
               f"{cpu:.1f} CPU s"),
    ]  # fmt: skip
    results += [Result(f"  {f.name}", f.rows / f.seconds if f.seconds else 0, "rows/s") for f in first.files]
    results.append(Result("re-import of the same files (all updates)", again.rows_per_second, "rows/s", "", None,
                          f"{again.rows:,} rows in {again.seconds:.1f} s"))  # fmt: skip
    return results


async def _latencies(call: Callable[[int], Awaitable[object]], count: int, *, cold: bool) -> list[float]:
    timings = []
    for index in range(count):
        if cold:
            cache.invalidate()
        started = time.perf_counter()
        await call(index)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _latency_result(name: str, timings: list[float]) -> Result:
    ordered = sorted(timings)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    median = statistics.median(ordered)
    return Result(
        name,
        p99,
        "ms p99",
        f"< {LATENCY_BUDGET_MS:.0f} ms",
        p99 < LATENCY_BUDGET_MS,
        f"median {median:.2f} ms",
    )


async def _samples() -> dict[str, list]:
    rng = random.Random(1)
    vehicles = [r["id"] for r in await sql.fetch("SELECT id FROM vehicle ORDER BY id")]
    parts = await sql.fetch("SELECT id, article FROM part ORDER BY id")
    numbers = [r["number"] for r in await sql.fetch("SELECT number FROM cross_reference ORDER BY id")]
    return {
        "vehicles": rng.sample(vehicles, min(SAMPLES, len(vehicles))),
        "parts": rng.sample(parts, min(SAMPLES, len(parts))),
        "numbers": rng.sample(numbers, min(SAMPLES, len(numbers))),
        "words": [f"{brand} {word}" for brand in ("bosch", "mann", "trw", "febi", "ngk") for word in ("filter", "brake", "plug", "belt", "pump")],
    }  # fmt: skip


@benchmark("catalogue-search")
async def search_latency(ctx: BenchContext) -> list[Result]:
    url = await catalogue_database(ctx)
    async with database(url):
        s = await _samples()
        vehicles, parts, numbers, words = s["vehicles"], s["parts"], s["numbers"], s["words"]
        scenarios = [
            ("parts for a vehicle (cold cache)", lambda i: search_parts("", vehicle_id=vehicles[i]), len(vehicles), True),
            ("parts for a vehicle in a category", lambda i: search_parts("", vehicle_id=vehicles[i], category="Brakes"), len(vehicles), True),
            ("parts for a vehicle (warm cache)", lambda i: search_parts("", vehicle_id=vehicles[i % min(10, len(vehicles))]), len(vehicles), False),
            ("article number search (cold)", lambda i: search_parts(parts[i]["article"]), len(parts), True),
            ("OE number search (cold)", lambda i: search_parts(numbers[i]), len(numbers), True),
            ("word search over all parts (cold)", lambda i: search_parts(words[i]), len(words), True),
            ("part page for a vehicle (cold)", lambda i: part_details(parts[i]["id"], vehicle_id=vehicles[i % len(vehicles)]), len(parts), True),
            ("part page (warm cache)", lambda i: part_details(parts[i % min(20, len(parts))]["id"]), len(parts), False),
        ]  # fmt: skip
        return [
            _latency_result(name, await _latencies(call, count, cold=cold))
            for name, call, count, cold in scenarios
        ]
