"""Importing a catalogue: vehicles.csv, categories.csv, parts.csv, fitments.csv, crossrefs.csv.

The format is docs/catalogue-format.md.

Everything happens in one transaction: bad rows are reported (`file:line: reason`) and skipped,
the rest is upserted in batches; with `strict`, any bad row rolls the whole import back. Demo
data goes through the same path (`load_rows`) with generated rows instead of files.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.transactions import in_transaction

from core.catalogue import cache
from core.catalogue.bulk import CatalogueWriter
from core.catalogue.progress import Progress
from core.catalogue.rows import (
    KINDS,
    CatalogueFileError,
    RowError,
    check_header,
    kind_of,
    parse_category,
    parse_crossref,
    parse_fitment,
    parse_part,
    parse_vehicle,
    read_rows,
)
from core.catalogue.xrefs import CrossReferenceMerger

BATCH = 5_000
Rows = Iterable[tuple[int, "list[str] | str"]]


@dataclass
class FileReport:
    name: str
    added: int = 0
    updated: int = 0
    rejected: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.added + self.updated + self.rejected


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)
    rejects: list[str] = field(default_factory=list)
    strict: bool = False
    # False when --strict refused the import because of bad rows.
    imported: bool = False
    version: int | None = None
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@dataclass(frozen=True)
class RowSource:
    """Where one kind of rows comes from: a file, or a generator (demo data)."""

    label: str
    size: int  # bytes, for the progress bar (0 when unknown)
    open: Callable[[Callable[[int], None] | None], Rows]


class _Refused(Exception):
    """--strict found bad rows: leave the transaction so it rolls back."""


def find_sources(paths: Sequence[str | Path]) -> dict[str, RowSource]:
    """The catalogue files named by the arguments (directories hold the standard names)."""
    found: dict[str, Path] = {}
    for given in map(Path, paths):
        if given.is_dir():
            inside = {kind: given / f"{kind}.csv" for kind in KINDS if (given / f"{kind}.csv").is_file()}
            if not inside:
                raise CatalogueFileError(f"{given}: no catalogue files here (vehicles.csv, parts.csv, ...)")
        elif given.is_file():
            inside = {kind_of(given): given}
        else:
            raise CatalogueFileError(f"{given}: no such file or directory")
        for kind, path in inside.items():
            if kind in found:
                raise CatalogueFileError(f"{path}: a second {kind}.csv (already have {found[kind]})")
            found[kind] = path
    for kind, path in found.items():
        check_header(path, kind)
    return {kind: _file_source(found[kind], kind) for kind in KINDS if kind in found}


def _file_source(path: Path, kind: str) -> RowSource:
    return RowSource(str(path), path.stat().st_size, lambda counter: read_rows(path, kind, counter))


async def import_catalogue(
    paths: Sequence[str | Path],
    *,
    currency: str,
    strict: bool = False,
    on_reject: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import catalogue files; `currency` is the shop's, for rows that leave theirs empty."""
    return await load_rows(
        find_sources(paths), currency=currency, strict=strict, on_reject=on_reject, progress=progress
    )


async def load_rows(
    sources: dict[str, RowSource],
    *,
    currency: str,
    strict: bool = False,
    on_reject: Callable[[str], None] | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(strict=strict)
    progress = progress or Progress(enabled=False)
    started = time.perf_counter()
    try:
        async with in_transaction("default") as conn:
            writer = CatalogueWriter(conn)
            await writer.load()
            for kind, source in sources.items():
                handler = _HANDLERS[kind](writer, FileReport(Path(source.label).name), currency)
                report.files.append(handler.report)
                await _import_source(handler, source, report, on_reject, progress)
            await writer.link_parts_to_groups()
            report.version = await cache.bump_version(conn)
            if strict and report.rejects:
                raise _Refused
            report.imported = True
    except _Refused:
        report.version = None
    report.seconds = time.perf_counter() - started
    if report.imported:
        cache.invalidate()
    return report


async def _import_source(
    handler, source: RowSource, report: ImportReport, on_reject, progress: Progress
) -> None:
    started = time.perf_counter()
    progress.start(handler.report.name, source.size)
    await handler.start(source)
    batch: list = []
    writing: asyncio.Future | None = None
    try:
        for line, fields in source.open(progress.read if progress.enabled else None):
            try:
                if isinstance(fields, str):
                    raise RowError(fields)
                batch.append(handler.accept(fields))
            except RowError as exc:
                _reject(handler.report, report, f"{source.label}:{line}: {exc}", on_reject)
                continue
            if len(batch) >= BATCH:
                # The database writes this batch (in its own thread for SQLite) while we read the next.
                if writing is not None:
                    await writing
                progress.add_rows(len(batch))
                writing = asyncio.ensure_future(handler.write(batch))
                await asyncio.sleep(0)
                batch = []
    except BaseException:
        if writing is not None:
            await asyncio.gather(writing, return_exceptions=True)  # finish before the rollback
        raise
    if writing is not None:
        await writing
    await handler.write(batch)
    progress.add_rows(len(batch))
    await handler.finish()
    progress.finish()
    handler.report.seconds = time.perf_counter() - started


def _reject(file_report: FileReport, report: ImportReport, message: str, on_reject) -> None:
    file_report.rejected += 1
    report.rejects.append(message)
    if on_reject:
        on_reject(message)


class _Vehicles:
    def __init__(self, writer: CatalogueWriter, report: FileReport, currency: str) -> None:
        self.writer, self.report, self.seen = writer, report, set()

    async def start(self, source: RowSource) -> None:
        pass

    def accept(self, fields: list[str]):
        row = parse_vehicle(fields)
        self._count(row.external_id, self.writer.vehicles)
        return row

    def _count(self, key, existing) -> None:
        if key in existing or key in self.seen:
            self.report.updated += 1
        else:
            self.report.added += 1
            self.seen.add(key)

    async def write(self, batch: list) -> None:
        await self.writer.write_vehicles(batch)

    async def _suspend_indexes(self, table: str, expected_rows: int, existing_rows: int) -> list[str]:
        """Drop a table's indexes (SQLite) when the load is big next to what the table holds."""
        if expected_rows >= max(20_000, existing_rows // 4):
            return await self.writer.suspend_indexes(table)
        return []

    async def finish(self) -> None:
        await self.writer.refresh_vehicles()


class _Categories(_Vehicles):
    async def start(self, source: RowSource) -> None:
        self.changed: set[int] = set()

    def accept(self, fields: list[str]):
        row = parse_category(fields)
        key = tuple(name.casefold() for name in row.path)  # names match in any case
        if self.writer.has_category(row.path) or key in self.seen:
            self.report.updated += 1
        else:
            self.report.added += 1
            self.seen.add(key)
        return row

    async def write(self, batch: list) -> None:
        self.changed |= await self.writer.write_categories(batch)

    async def finish(self) -> None:
        await self.writer.refresh_search_text(self.changed)


class _Parts(_Vehicles):
    def __init__(self, writer: CatalogueWriter, report: FileReport, currency: str) -> None:
        super().__init__(writer, report, currency)
        self.currency = currency

    async def start(self, source: RowSource) -> None:
        expected_rows = source.size // 120 if source.size else 10**9  # generated rows: assume many
        self.rebuild = await self._suspend_indexes("part", expected_rows, len(self.writer.parts))

    def accept(self, fields: list[str]):
        row = parse_part(fields, self.currency)
        self._count((row.brand_key, row.article_norm), self.writer.parts)
        return row

    async def write(self, batch: list) -> None:
        await self.writer.write_parts(batch)

    async def finish(self) -> None:
        await self.writer.restore_indexes(self.rebuild)
        await self.writer.refresh_parts()


class _Fitments(_Vehicles):
    async def start(self, source: RowSource) -> None:
        self.before = await self.writer.count("fitment")
        self.accepted = 0
        expected_rows = source.size // 30 if source.size else 10**9
        self.rebuild = await self._suspend_indexes("fitment", expected_rows, self.before)
        # (brand, article) as written -> part id: a part's fitments come in runs of rows.
        self.part_ids: dict[tuple[str, str], int] = {}

    def accept(self, fields: list[str]):
        brand, article, vehicle, position, note = fields
        part_id = self.part_ids.get((brand, article))
        if part_id is None or not vehicle or len(vehicle) > 32 or len(position) > 48 or len(note) > 255:
            row = parse_fitment(fields)
            part_id = self.writer.parts.get(row.part)
            if part_id is None:
                raise RowError(f"unknown part '{row.part_label}'")
            self.part_ids[(brand, article)] = part_id
        vehicle_id = self.writer.vehicles.get(vehicle)
        if vehicle_id is None:
            raise RowError(f"unknown vehicle '{vehicle}'")
        self.accepted += 1
        return (part_id, vehicle_id, position, note)

    async def write(self, batch: list) -> None:
        await self.writer.write_fitments(batch)

    async def finish(self) -> None:
        await self.writer.restore_indexes(self.rebuild)
        # A repeated (part, vehicle, position) updates the note; the table's growth is what was added.
        self.report.added = await self.writer.count("fitment") - self.before
        self.report.updated = self.accepted - self.report.added


class _CrossRefs(_Vehicles):
    async def start(self, source: RowSource) -> None:
        self.merger = CrossReferenceMerger(self.writer.conn)
        await self.merger.load()

    def accept(self, fields: list[str]):
        row = parse_crossref(fields)
        if row.part not in self.writer.parts:
            raise RowError(f"unknown part '{row.part_label}'")
        if self.merger.accept(row):
            self.report.added += 1
        else:
            self.report.updated += 1
        return row

    async def write(self, batch: list) -> None:
        pass  # the merger keeps every link until the groups are known

    async def finish(self) -> None:
        new_numbers = await self.merger.merge()
        rebuild = await self._suspend_indexes("cross_reference", len(new_numbers), len(self.merger.numbers))
        await self.merger.insert(new_numbers)
        await self.writer.restore_indexes(rebuild)


_HANDLERS = {
    "vehicles": _Vehicles,
    "categories": _Categories,
    "parts": _Parts,
    "fitments": _Fitments,
    "crossrefs": _CrossRefs,
}


def iter_lines(rows: Iterable[list[str]], first_line: int = 2) -> Iterator[tuple[int, list[str]]]:
    """Generated rows numbered like file lines (line 1 is the header)."""
    return enumerate(rows, start=first_line)
