"""gearshop's own benchmark (`python -m bench`, `make bench`): each figure printed next to its target.

A benchmark is an async function registered with `@benchmark("name")`; it gets the shared
`BenchContext` (a scratch directory, the catalogue size, a database with the catalogue loaded
once for everyone who needs it) and returns `Result`s. Modules that define benchmarks are listed
in `MODULES`; add one (e.g. `bench.web` for HTTP benchmarks) and its benchmarks run too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

MODULES = ["bench.catalogue", "bench.web", "bench.checkout", "bench.bot"]


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    # What the figure is compared with, as printed ("≥ 50,000 rows/s", "p99 < 50 ms").
    target: str = ""
    # True/False when there is a target to meet, None when the figure is for information.
    met: bool | None = None
    note: str = ""


@dataclass
class BenchContext:
    workdir: Path
    size: str = "large"  # demo catalogue size: tiny, small or large
    currency: str = "EUR"
    # Filled by the first benchmark that needs it (see bench.catalogue.catalogue_database).
    shared: dict = field(default_factory=dict)


Benchmark = Callable[[BenchContext], Awaitable[list[Result]]]
REGISTRY: dict[str, Benchmark] = {}


def benchmark(name: str) -> Callable[[Benchmark], Benchmark]:
    def register(function: Benchmark) -> Benchmark:
        REGISTRY[name] = function
        return function

    return register
