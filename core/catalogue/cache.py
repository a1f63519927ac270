"""An in-process cache of catalogue reads, dropped whenever the catalogue version changes.

The catalogue only changes through imports (and demo data), which bump `CatalogueState.version`.
A web process keeps makes, models, vehicles, the category tree and part details in memory and
asks the database for the version at most once per `VERSION_CHECK_SECONDS`; an import in this
process drops the cache at once. Prices and stock are never cached here (orders change stock).

`generation` grows whenever the cached reads are dropped, and `live_changes` whenever this process
changes what catalogue pages show besides the catalogue (stock, reviews: `live_data_changed`).
Whoever keeps something built from catalogue reads and live data (the web's rendered pages)
compares both before using it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from datetime import UTC, datetime
from typing import Any, TypeVar

from tortoise.backends.base.client import BaseDBAsyncClient

from core.catalogue import sql

VERSION_CHECK_SECONDS = 1.0
MAX_ENTRIES = 20_000

T = TypeVar("T")


async def current_version(conn: BaseDBAsyncClient | None = None) -> int:
    rows = await sql.fetch("SELECT MAX(version) AS version FROM catalogue_state", (), conn)
    return int(rows[0]["version"] or 0) if rows else 0


async def bump_version(conn: BaseDBAsyncClient) -> int:
    """Move the catalogue to a new version (inside the import's transaction)."""
    now = datetime.now(UTC)
    # Normally one row; every row moves, so MAX(version) always grows.
    changed = await sql.execute(
        "UPDATE catalogue_state SET version = version + 1, updated_at = ?", (now,), conn
    )
    if not changed:
        await sql.execute("INSERT INTO catalogue_state (version, updated_at) VALUES (1, ?)", (now,), conn)
    return await current_version(conn)


def _root(conn: BaseDBAsyncClient) -> BaseDBAsyncClient:
    # A transaction wraps the process's connection; the cache belongs to the connection itself.
    while getattr(conn, "_parent", None) is not None:
        conn = conn._parent
    return conn


class CatalogueCache:
    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._owner: BaseDBAsyncClient | None = None
        self._version: int | None = None
        self._checked_at = 0.0
        self._checking = False
        self.generation = 0
        self.live_changes = 0

    def invalidate(self) -> None:
        self._entries.clear()
        self._version = None
        self.generation += 1

    def live_data_changed(self) -> None:
        self.live_changes += 1

    async def stamp(self) -> tuple[int, int]:
        """(generation, live_changes) after the version check: equal stamps, same data."""
        await self._sync()
        return self.generation, self.live_changes

    async def _sync(self) -> None:
        conn = sql.connection()
        owner = _root(conn)
        now = time.monotonic()
        known = owner is self._owner and self._version is not None
        if known and (now - self._checked_at < VERSION_CHECK_SECONDS or self._checking):
            # Fresh enough, or another request is asking the database right now: the others
            # serve what is cached meanwhile instead of all queueing behind the database
            # (whose one SQLite connection may be busy with a write; docs/benchmarks.md).
            return
        self._checking = True
        try:
            version = await current_version(conn)
        finally:
            self._checking = False
        if owner is not self._owner or version != self._version:
            # Another database (tests switch engines) or a new import: nothing cached holds.
            self._entries.clear()
            self.generation += 1
            self._owner, self._version = owner, version
        self._checked_at = now

    async def get(self, key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
        await self._sync()
        try:
            self._entries.move_to_end(key)
            return self._entries[key]
        except KeyError:
            pass
        value = await load()
        self._entries[key] = value
        if len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return value


catalogue_cache = CatalogueCache()


def _watch_orm_writes() -> None:
    # Saves and deletes through the ORM in this process (staff tools, tests) drop the cache at
    # once; other processes notice imports through the version.
    from tortoise.signals import Signals

    from core.catalogue.models import (
        Category,
        CrossReference,
        Fitment,
        Make,
        Part,
        Review,
        Vehicle,
        VehicleModel,
    )

    async def forget(*_args, **_kwargs) -> None:
        catalogue_cache.invalidate()

    async def reviews_changed(*_args, **_kwargs) -> None:
        catalogue_cache.live_data_changed()

    for model in (Make, VehicleModel, Vehicle, Category, Part, Fitment, CrossReference):
        model.register_listener(Signals.post_save, forget)
        model.register_listener(Signals.post_delete, forget)
    for signal in (Signals.post_save, Signals.post_delete):
        Review.register_listener(signal, reviews_changed)


_watch_orm_writes()


async def cached(key: Hashable, load: Callable[[], Awaitable[T]]) -> T:
    return await catalogue_cache.get(key, load)


def invalidate() -> None:
    catalogue_cache.invalidate()


def live_data_changed() -> None:
    """Stock or reviews changed in this process (after the commit): pages built before are stale.

    Called by checkout, cancellation and the review services, whose changes are UPDATEs and
    DELETEs that no ORM signal reports; a saved or deleted Review reports itself (above)."""
    catalogue_cache.live_data_changed()
