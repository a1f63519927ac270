"""Web benchmarks: the real shop process (`python -m web`) against a bare aiohttp "hello" process.

Both servers run in processes of their own, one at a time, and are driven by `bench.load` in a
third process at 64 keep-alive connections, so on a 2-core machine the server has one core and
the load generator the other. The shop serves the demo catalogue from SQLite with the run's
`--size`. Each page type is requested over many distinct URLs (randomly sampled vehicles,
categories and parts): first every URL once (the in-process catalogue cache fills: "cold"),
then a short warm-up, then the measured run with URLs drawn at random (cache warm). Targets
(DESIGN.md): each page ≥ 40 % of hello's requests/s, p99 < 50 ms at 64 connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import secrets
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

from aiohttp import ClientError, ClientSession, ClientTimeout

from bench import BenchContext, Result, benchmark
from bench.catalogue import catalogue_database
from core.catalogue import sql
from core.db import database

HOST = "127.0.0.1"
CONNECTIONS = 64
SHARE_OF_HELLO = 0.40
P99_BUDGET_MS = 50.0
SECONDS = {"tiny": 3.0, "small": 6.0, "large": 10.0}  # measured run per page type
WARMUP_SECONDS = 2.0
VEHICLES = 1000  # distinct vehicles sampled for the vehicle pages
PARTS = 2000  # distinct parts sampled for the part pages
ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 120.0


# ---------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _shop_environment(database_url: str, port: int) -> dict[str, str]:
    """The shop's settings from config.toml, but this database and port and no bot."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    env.update(
        GEARSHOP_CONFIG=str(ROOT / "config.toml"),
        GEARSHOP_DATABASE__URL=database_url,
        GEARSHOP_WEB__HOST=HOST,
        GEARSHOP_WEB__PORT=str(port),
        GEARSHOP_WEB__SESSION_KEY=secrets.token_urlsafe(32),
    )
    return env


async def _wait_until_up(port: int, process: asyncio.subprocess.Process, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    async with ClientSession(timeout=ClientTimeout(total=5)) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"the server exited with {process.returncode}; see {log}")
            with contextlib.suppress(ClientError, OSError, asyncio.TimeoutError):
                async with client.get(f"http://{HOST}:{port}/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {START_TIMEOUT:.0f} s; see {log}")


@contextlib.asynccontextmanager
async def serving(ctx: BenchContext, name: str, args: list[str], env: dict[str, str], port: int
                  ) -> AsyncIterator[asyncio.subprocess.Process]:  # fmt: skip
    """A server process, up and answering, stopped (SIGINT, as Ctrl+C) afterwards."""
    log = ctx.workdir / f"{name}.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *args, cwd=ROOT, env=env, stdout=output, stderr=asyncio.subprocess.STDOUT
        )
        try:
            await _wait_until_up(port, process, log)
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGINT)
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def drive(port: int, paths: list[str], server_pid: int, *, seconds: float, prime: bool) -> dict:
    """Run bench.load in a process of its own against the server; its JSON figures."""
    plan = {
        "host": HOST, "port": port, "paths": paths, "connections": CONNECTIONS, "prime": prime,
        "warmup_seconds": WARMUP_SECONDS, "seconds": seconds, "seed": 1, "server_pid": server_pid,
    }  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.load", cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate(json.dumps(plan).encode())
    if process.returncode != 0:
        raise RuntimeError(f"the load generator failed: {err.decode(errors='replace')[-2000:]}")
    return json.loads(out)


# ---------------------------------------------------------------- what to request


async def page_paths(url: str) -> dict[str, list[str]]:
    """URLs of each page type over a random spread of vehicles, categories and parts."""
    rng = random.Random(7)
    async with database(url):
        vehicle_ids = [r["id"] for r in await sql.fetch("SELECT id FROM vehicle ORDER BY id")]
        vehicles = sorted(rng.sample(vehicle_ids, min(VEHICLES, len(vehicle_ids))))
        marks = sql.marks(len(vehicles))
        # Per sampled vehicle: its categories, and its fitting parts' articles and name words.
        rows = await sql.fetch(
            "SELECT f.vehicle_id AS v, c.slug AS slug, p.article AS article, p.name AS name "
            f"FROM fitment f JOIN part p ON p.id = f.part_id LEFT JOIN category c ON c.id = p.category_id "
            f"WHERE f.vehicle_id IN ({marks}) ORDER BY f.vehicle_id, p.id",
            vehicles,
        )
        part_ids = [r["id"] for r in await sql.fetch("SELECT id FROM part ORDER BY id")]
        parts = sorted(rng.sample(part_ids, min(PARTS, len(part_ids))))
        fitting = {
            r["p"]: r["v"]
            for r in await sql.fetch(
                f"SELECT part_id AS p, MIN(vehicle_id) AS v FROM fitment WHERE part_id IN ({sql.marks(len(parts))}) "
                "GROUP BY part_id",
                parts,
            )
        }
    by_vehicle: dict[int, list[dict]] = {}
    for row in rows:
        by_vehicle.setdefault(row["v"], []).append(row)
    with_parts = [v for v in vehicles if v in by_vehicle]
    categories, searches = [], []
    for vehicle in with_parts:
        slugs = sorted({r["slug"] for r in by_vehicle[vehicle] if r["slug"]})
        if slugs:
            categories.append(f"/category/{rng.choice(slugs)}?vehicle={vehicle}")
        picked = rng.choice(by_vehicle[vehicle])
        # Half type a part number, half a word of a part's name ("filter", "brake", ...).
        query = picked["article"] if rng.random() < 0.5 else picked["name"].split()[0].lower()
        searches.append(f"/search?q={_quote(query)}&vehicle={vehicle}")
    part_pages = [
        f"/part/{part}?vehicle={fitting[part]}" if part in fitting and rng.random() < 0.5 else f"/part/{part}"
        for part in parts
    ]
    return {
        "vehicle": [f"/?vehicle={v}" for v in with_parts],
        "category": categories,
        "search": searches,
        "part": part_pages,
    }


def _quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


# ---------------------------------------------------------------- the benchmark

PAGES = [
    # (key, label, checked against the targets)
    ("category", "vehicle-fitment search: /category/<slug>?vehicle=<id>", True),
    ("search", "search with a vehicle: /search?q=<number|word>&vehicle=<id>", True),
    ("part", "part page: /part/<id>[?vehicle=<id>]", True),
    ("vehicle", "home with the vehicle's categories: /?vehicle=<id>", True),
]


def _cpu_note(figures: dict) -> str:
    server = figures.get("server_cpu")
    server_text = f"server {server:.2f}" if server is not None else "server ?"
    return f"CPU/s: {server_text}, load generator {figures['client_cpu']:.2f}"


def _cpu_per_request(figures: dict) -> float | None:
    """Server CPU seconds per request: steadier than req/s when other work shares the machine."""
    if figures.get("server_cpu") is None or not figures["rps"]:
        return None
    return figures["server_cpu"] / figures["rps"]


def _failures(figures: dict) -> str:
    bad = {k: v for k, v in figures["statuses"].items() if k != "200"}
    if not bad and not figures["errors"]:
        return ""
    samples = "; ".join(figures["error_samples"])
    return f"NOT ALL 200: statuses {figures['statuses']}, {figures['errors']} errors {samples}".strip()


async def _hello(ctx: BenchContext, seconds: float) -> dict:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    async with serving(ctx, "hello", ["-m", "bench.hello", HOST, str(port)], env, port) as process:
        return (await drive(port, ["/"], process.pid, seconds=seconds, prime=False))["warm"]


@benchmark("web-pages")
async def web_pages(ctx: BenchContext) -> list[Result]:
    seconds = SECONDS[ctx.size]
    url = await catalogue_database(ctx)
    paths = await page_paths(url)
    measured: dict[str, dict] = {}
    try:
        before = await _hello(ctx, seconds)
        port = _free_port()
        async with serving(ctx, "web", ["-m", "web"], _shop_environment(url, port), port) as process:
            for key, _label, _checked in PAGES:
                measured[key] = await drive(port, paths[key], process.pid, seconds=seconds, prime=True)
        after = await _hello(ctx, seconds)
    except RuntimeError as exc:  # a server that did not start, a load generator that failed
        return [Result("web pages", 0, "req/s", f"≥ {SHARE_OF_HELLO:.0%} of hello", False, f"FAILED: {exc}")]
    hello_rps = (before["rps"] + after["rps"]) / 2
    floor = SHARE_OF_HELLO * hello_rps
    results = [
        Result("hello: bare aiohttp handler, one process (baseline)", hello_rps, "req/s", "baseline", None,
               f"before {before['rps']:,.0f}, after {after['rps']:,.0f}; p99 {before['p99_ms']:.1f}/"
               f"{after['p99_ms']:.1f} ms; {_cpu_note(before)}"),
    ]  # fmt: skip
    hello_cpus = [c for c in (_cpu_per_request(before), _cpu_per_request(after)) if c is not None]
    hello_cpu = sum(hello_cpus) / len(hello_cpus) if hello_cpus else None
    if hello_cpu is not None:
        results.append(Result("  hello: server CPU per request", hello_cpu * 1e6, "µs", "", None,
                              f"≈ {1 / hello_cpu:,.0f} req/s if it had a whole core"))  # fmt: skip
    for key, label, checked in PAGES:
        warm, cold = measured[key]["warm"], measured[key]["cold"]
        failed = _failures(warm) or _failures(cold)
        share = warm["rps"] / hello_rps if hello_rps else 0.0
        page_cpu = _cpu_per_request(warm)
        results += [
            Result(f"{label}", warm["rps"], "req/s", f"≥ {floor:,.0f} (40 %)",
                   (warm["rps"] >= floor and not failed) if checked else None,
                   failed or f"{share:.0%} of hello; cache warm; {len(paths[key]):,} distinct URLs; "
                   f"{warm['mean_body_bytes'] / 1024:.0f} KiB/page; {_cpu_note(warm)}"),
            Result("  p99 latency at 64 connections (cache warm)", warm["p99_ms"], "ms p99",
                   f"< {P99_BUDGET_MS:.0f} ms", (warm["p99_ms"] < P99_BUDGET_MS and not failed) if checked else None,
                   f"median {warm['p50_ms']:.1f} ms, p90 {warm['p90_ms']:.1f} ms, max {warm['max_ms']:.0f} ms"),
            Result("  first request of each URL (cache cold)", cold["rps"], "req/s", "", None,
                   f"p50 {cold['p50_ms']:.1f} ms, p99 {cold['p99_ms']:.1f} ms, max {cold['max_ms']:.0f} ms"),
        ]  # fmt: skip
        if page_cpu is not None and hello_cpu is not None:
            results.append(Result("  server CPU per request (cache warm)", page_cpu * 1000, "ms", "", None,
                                  f"≈ {1 / page_cpu:,.0f} req/s if it had a whole core, "
                                  f"{hello_cpu / page_cpu:.1%} of hello's on the same terms"))  # fmt: skip
    return results
