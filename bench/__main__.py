"""`python -m bench [names...] [--size large|small|tiny] [--json FILE]`: run the benchmarks, print each
figure next to its target; exit code 1 when a target was missed."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import MODULES, REGISTRY, BenchContext, Result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="gearshop benchmarks")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument(
        "--size", default="large", choices=("tiny", "small", "large"), help="demo catalogue size"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    return parser


def _line(result: Result) -> str:
    mark = {True: "ok", False: "MISSED", None: ""}[result.met]
    value = f"{result.value:,.0f}" if result.value >= 100 else f"{result.value:,.2f}"
    return (
        f"{result.name:<56} {value:>12} {result.unit:<8} {result.target:<14} {mark:<7} {result.note}".rstrip()
    )


async def _run(names: list[str], ctx: BenchContext) -> list[Result]:
    results: list[Result] = []
    for name in names:
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        for result in await REGISTRY[name](ctx):
            print(_line(result), flush=True)
            results.append(result)
        print(f"   ({time.perf_counter() - started:.0f} s)", flush=True)
    return results


def main() -> int:
    for module in MODULES:
        importlib.import_module(module)
    args = _parser().parse_args()
    if args.list:
        print("\n".join(REGISTRY))
        return 0
    unknown = [n for n in args.names if n not in REGISTRY]
    if unknown:
        print(
            f"error: unknown benchmark(s) {', '.join(unknown)} (known: {', '.join(REGISTRY)})",
            file=sys.stderr,
        )
        return 2
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"gearshop benchmark: {os.cpu_count()} CPU(s), load average {load:.1f}, demo size {args.size}")
    with tempfile.TemporaryDirectory(prefix="gearshop-bench-") as workdir:
        ctx = BenchContext(Path(workdir), size=args.size)
        results = asyncio.run(_run(args.names or list(REGISTRY), ctx))
    if hasattr(os, "getloadavg"):
        print(f"load average at the end {os.getloadavg()[0]:.1f} (other work on the machine lowers every figure)")
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in results], indent=2), encoding="utf-8")
    return 1 if any(r.met is False for r in results) else 0


sys.exit(main())
