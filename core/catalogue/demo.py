"""A deterministic, realistic demo catalogue (`python -m core demo-data`).

Vehicles come from real generations and engines (demo_vehicles.py). Parts come in *families*:
one application (say, front brake pads for the higher-powered Golf VII variants) made by several
brands, each with an article number in that brand's format, all fitting the same vehicles and all
cross-referenced to the car maker's OE number, so they are each other's analogues. Rows are
produced as CSV fields and loaded through the importer's own path (`importer.load_rows`), or
written as CSV files (`--csv`) for benchmarks and for reading.

Sizes: tiny (tests: ~50 vehicles, ~1k parts), small (~2k vehicles, ~20k parts), large (~10k
vehicles, ~100k parts, ~1M fitments). The same size always gives the same catalogue.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.catalogue import demo_known
from core.catalogue.demo_categories import CATEGORY_NAMES
from core.catalogue.demo_known import KNOWN_PARTS
from core.catalogue.demo_parts import CLUTCH, ENGINE, GENERALISTS, KINDS, OE_PATTERNS, PartKind
from core.catalogue.demo_vehicles import CHAIN_ENGINES, ENGINES, GENERATIONS, OE_BRANDS, Generation
from core.catalogue.importer import ImportReport, RowSource, iter_lines, load_rows
from core.catalogue.normalise import normalise_article
from core.catalogue.progress import Progress
from core.catalogue.rows import COLUMNS
from core.money import decimal_text, minor_units

# Fixed, so the same size gives the same catalogue every year.
CURRENT_YEAR = 2025
# Rough prices of one euro, so demo prices look right in the shop's currency.
EURO_RATES = {
    "EUR": 1,
    "USD": 1.1,
    "GBP": 0.85,
    "UAH": 45,
    "RUB": 95,
    "PLN": 4.3,
    "CZK": 25,
    "KZT": 550,
    "JPY": 160,
}
TINY_GENERATIONS = (
    "Golf VII",
    "Octavia III",
    "Corolla E210",
    "Focus III",
    "Vesta I",
    "Logan II",
    "Solaris II",
    "Rio IV",
    "3 Series F30",
)
BRAKE_SYSTEMS = ("Lucas/TRW", "ATE", "Bosch", "Akebono", "Mando", "Continental")


@dataclass(frozen=True)
class Size:
    seed: str
    year_step: int  # years per vehicle row (1 = one row per model year)
    all_bodies: bool
    power_variants: bool  # turbo engines also in a higher-powered tune
    vehicles_per_family: int  # how finely a generation's vehicles split into part applications
    brands: int  # brands per family (about)
    coverage: float  # share of a family's vehicles each brand lists


SIZES = {
    "tiny": Size("gearshop-demo-tiny", 99, False, False, 99, 2, 1.0),
    "small": Size("gearshop-demo-small", 4, True, False, 8, 3, 1.0),
    "large": Size("gearshop-demo-large", 1, True, True, 10, 6, 0.85),
}


@dataclass
class DemoPart:
    fields: list[str]  # parts.csv row
    vehicles: list[str]  # external ids it fits
    position: str
    note: str
    oe_numbers: list[tuple[str, str]]


def fill(pattern: str, rng: random.Random) -> str:
    """`GDB####` -> `GDB1550`: # a digit, @ a letter (no I or O, which read as digits)."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randrange(10)))
        elif ch == "@":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ"))
        else:
            out.append(ch)
    return "".join(out)


class DemoCatalogue:
    def __init__(self, size: str, currency: str) -> None:
        self.size = SIZES[size]
        self.rng = random.Random(self.size.seed)
        self.currency = currency.upper()
        self.rate = EURO_RATES.get(self.currency, 1)
        self.vehicles: list[list[str]] = []
        self.by_generation: dict[int, list[list[str]]] = {}
        self.by_engine: dict[str, list[list[str]]] = {}
        self.parts: list[DemoPart] = []
        self._articles: set[tuple[str, str]] = set()
        self._oe_numbers: set[str] = set()
        self._make_vehicles()
        self._reserve_known_numbers()
        self._make_parts()
        self._add_known_parts()

    # -- vehicles ------------------------------------------------------------------------
    def _generations(self) -> list[Generation]:
        if self.size.year_step < 99:
            return GENERATIONS
        return [g for g in GENERATIONS if f"{g.model} {g.name}" in TINY_GENERATIONS]

    def _make_vehicles(self) -> None:
        next_id = 10_001
        for index, generation in enumerate(self._generations()):
            bodies = generation.bodies if self.size.all_bodies else generation.bodies[:1]
            end = generation.year_to or CURRENT_YEAR
            for body in bodies:
                for code in generation.engines:
                    for kw in self._power_variants(code):
                        for year_from in range(generation.year_from, end + 1, self.size.year_step):
                            year_to = min(year_from + self.size.year_step - 1, end)
                            open_ended = generation.year_to is None and year_to == end
                            engine = ENGINES[code]
                            row = [str(next_id), generation.make, generation.model, generation.name, body, code,
                                   str(engine.cc), str(kw), engine.fuel, str(year_from), "" if open_ended else str(year_to)]  # fmt: skip
                            self.vehicles.append(row)
                            self.by_generation.setdefault(index, []).append(row)
                            self.by_engine.setdefault(code, []).append(row)
                            next_id += 1

    def _power_variants(self, code: str) -> list[int]:
        engine = ENGINES[code]
        turbo = engine.fuel == "diesel" or engine.kw / engine.cc > 0.068
        if self.size.power_variants and turbo:
            return [engine.kw, round(engine.kw * 1.15)]
        return [engine.kw]

    # -- well-known real parts (demo_known.py) ------------------------------------------
    def _reserve_known_numbers(self) -> None:
        # Generated numbers must not take a real part's number.
        for known in KNOWN_PARTS:
            self._articles.add((known.brand, normalise_article(known.article)))
            self._oe_numbers.update(number for _brand, number in known.references)

    def _add_known_parts(self) -> None:
        for known in KNOWN_PARTS:
            vehicles = [v[0] for v in self.vehicles if demo_known.fits(known, v)]
            if not vehicles:
                continue  # none of its cars in this size (tiny): a shop sells parts for cars it knows
            fields = [known.brand, known.article, known.name, known.category, self._price(known.euros),
                      self.currency, str(known.stock), known.description]  # fmt: skip
            self.parts.append(DemoPart(fields, vehicles, known.position, "", list(known.references)))

    # -- parts ---------------------------------------------------------------------------
    def _make_parts(self) -> None:
        generations = self._generations()
        for kind in KINDS:
            for vehicles, position in self._applications(kind, generations):
                self._make_family(kind, vehicles, position)

    def _applications(
        self, kind: PartKind, generations: list[Generation]
    ) -> Iterator[tuple[list[list[str]], str]]:
        """Each set of vehicles one part fits, with the position."""
        if kind.keyed_by == ENGINE:
            for code, engine in ENGINES.items():
                if engine.fuel not in kind.fuels or (
                    kind.path.endswith("Timing belt kits") and code in CHAIN_ENGINES
                ):
                    continue
                vehicles = self.by_engine.get(code)
                if vehicles:
                    yield vehicles, ""
        elif kind.keyed_by == CLUTCH:
            for index in range(len(generations)):
                for code in generations[index].engines:
                    vehicles = [v for v in self.by_generation[index] if v[5] == code and v[8] in kind.fuels]
                    if vehicles:
                        yield vehicles, ""
        else:
            for index in range(len(generations)):
                ordered = sorted(self.by_generation[index], key=lambda v: (int(v[7]), v[4], v[9], int(v[0])))
                chunks = max(1, math.ceil(len(ordered) / self.size.vehicles_per_family))
                for chunk in range(chunks):
                    share = ordered[chunk * len(ordered) // chunks : (chunk + 1) * len(ordered) // chunks]
                    for position in kind.positions:
                        yield share, position

    def _make_family(self, kind: PartKind, vehicles: list[list[str]], position: str) -> None:
        rng = self.rng
        description = "; ".join(f"{label}: {self._attribute(spec)}" for label, spec in kind.attributes)
        note = f"brake system {rng.choice(BRAKE_SYSTEMS)}" if kind.path.startswith("Brakes/") else ""
        oe_numbers = self._oe_numbers_for(kind, vehicles)
        base_price = rng.uniform(*kind.price)
        for brand, patterns, factor in self._brands(kind):
            article = self._article(brand, patterns)
            fits = [v[0] for v in vehicles if self.size.coverage >= 1 or rng.random() < self.size.coverage]
            fits = fits or [vehicles[0][0]]
            stock = 0 if rng.random() < 0.15 else rng.randint(1, 40)
            fields = [brand, article, kind.name, kind.path, self._price(base_price * factor), self.currency,
                      str(stock), description]  # fmt: skip
            self.parts.append(DemoPart(fields, fits, position, note, oe_numbers))

    def _attribute(self, spec) -> str:
        if isinstance(spec, tuple) and len(spec) == 4 and not isinstance(spec[0], str):
            low, high, decimals, unit = spec
            value = round(self.rng.uniform(low, high), decimals)
            text = f"{value:.{decimals}f}" if decimals else str(int(value))
            return f"{text} {unit}".strip()
        return self.rng.choice(spec)

    def _brands(self, kind: PartKind) -> list[tuple[str, tuple[str, ...], float]]:
        rng = self.rng
        wanted = max(1, self.size.brands + (rng.randint(-1, 1) if self.size.brands > 2 else 0))
        specialists = min(len(kind.brands), math.ceil(wanted * 0.6))
        chosen = [(b, p, rng.uniform(1.0, 1.3)) for b, p in rng.sample(kind.brands, specialists)]
        others = rng.sample(GENERALISTS, min(len(GENERALISTS), wanted - specialists))
        return chosen + [(b, p, rng.uniform(0.6, 0.9)) for b, p in others]

    def _article(self, brand: str, patterns: tuple[str, ...]) -> str:
        pattern = self.rng.choice(patterns)
        for attempt in range(1, 1_000):
            article = fill(pattern, self.rng)
            key = (brand, normalise_article(article))
            if key not in self._articles:
                self._articles.add(key)
                return article
            if attempt % 20 == 0:
                pattern += "#"  # this line's numbers are running out: real brands add a digit too
        raise RuntimeError(f"no free article number for {brand}")

    def _price(self, euros: float) -> str:
        amount = max(1.0, euros * self.rate)
        digits = minor_units(self.currency)
        if not digits:
            return str(int(amount))
        step = 10 ** (digits - 1)  # shop prices end in 9: 12.49, not 12.43
        minor = int(amount * 10**digits) // step * step + 9 * step // 10
        return decimal_text(minor, self.currency)

    def _oe_numbers_for(self, kind: PartKind, vehicles: list[list[str]]) -> list[tuple[str, str]]:
        makers = list(dict.fromkeys(OE_BRANDS[v[1]] for v in vehicles))[:3]
        numbers = []
        for maker in makers:
            while True:
                number = fill(OE_PATTERNS[maker].replace("{code}", kind.oe_code), self.rng)
                if number not in self._oe_numbers:
                    self._oe_numbers.add(number)
                    numbers.append((maker, number))
                    break
        return numbers

    # -- rows ----------------------------------------------------------------------------
    def rows(self, kind: str) -> Iterator[list[str]]:
        if kind == "vehicles":
            yield from self.vehicles
        elif kind == "categories":
            yield from ([path, *names] for path, names in CATEGORY_NAMES.items())
        elif kind == "parts":
            yield from (part.fields for part in self.parts)
        elif kind == "fitments":
            for part in self.parts:
                brand, article = part.fields[0], part.fields[1]
                for vehicle in part.vehicles:
                    yield [brand, article, vehicle, part.position, part.note]
        else:
            for part in self.parts:
                for maker, number in part.oe_numbers:
                    yield [part.fields[0], part.fields[1], maker, number]


def write_csv(directory: str | Path, size: str, *, currency: str) -> dict[str, int]:
    """Write the demo catalogue as CSV files; returns rows written per file."""
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    catalogue = DemoCatalogue(size, currency)
    counts = {}
    for kind, columns in COLUMNS.items():
        with (target / f"{kind}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            count = 0
            for row in catalogue.rows(kind):
                writer.writerow(row)
                count += 1
        counts[f"{kind}.csv"] = count
    return counts


async def load_demo(size: str, *, currency: str, progress: Progress | None = None) -> ImportReport:
    """Generate the demo catalogue and load it through the importer's path."""
    catalogue = DemoCatalogue(size, currency)
    sources = {
        kind: RowSource(f"{kind}.csv", 0, lambda _counter, kind=kind: iter_lines(catalogue.rows(kind)))
        for kind in COLUMNS
    }
    return await load_rows(sources, currency=currency, progress=progress)
