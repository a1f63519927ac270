"""Database set-up: the tortoise config, opening and closing connections, migrations."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from tortoise import Tortoise
from tortoise.backends.base.config_generator import expand_db_url

APP = "gearshop"
MODEL_MODULES = [
    "core.catalogue.models",
    "core.customers.models",
    "core.carts.models",
    "core.orders.models",
    "core.payments.models",
    "core.notifications.models",
    "core.privacy.models",
]


SQLITE_BUSY_TIMEOUT_MS = 20_000


def tortoise_config(url: str) -> dict[str, Any]:
    if url.startswith("postgres://"):
        # asyncpg is the PostgreSQL driver we ship.
        url = "asyncpg://" + url.removeprefix("postgres://")
    connection: str | dict[str, Any] = url
    if url.startswith("sqlite://"):
        # Transactions that take the write lock first (see core/sqlite_client.py).
        connection = {**expand_db_url(url), "engine": "core.sqlite_client"}
        # Wait this long (ms) for another process's write to finish (an import takes seconds).
        connection["credentials"].setdefault("busy_timeout", SQLITE_BUSY_TIMEOUT_MS)
        # WAL with synchronous=NORMAL, SQLite's recommended production setting: a commit does not
        # wait for an fsync (the WAL is synced at checkpoints), so reads on the process's one
        # connection stop queueing behind every write. A crash of the process loses nothing; a
        # power loss or OS crash may lose the last commits, never corrupt the file
        # (docs/deployment.md). `?synchronous=FULL` in the URL restores a sync per commit.
        connection["credentials"].setdefault("synchronous", "NORMAL")
    return {
        "connections": {"default": connection},
        "apps": {
            APP: {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": "core.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "asyncpg://", "psycopg://"))


def _ensure_sqlite_dir(url: str) -> None:
    if url.startswith("sqlite://") and ":memory:" not in url:
        Path(url.removeprefix("sqlite://").split("?")[0]).parent.mkdir(parents=True, exist_ok=True)


def _forget_compiled_queries() -> None:
    # tortoise caches compiled INSERT/UPDATE SQL per connection *name*; a process that reopens
    # "default" on another engine (the test suite: SQLite, then PostgreSQL) must drop it.
    from tortoise.backends.base.executor import EXECUTOR_CACHE

    EXECUTOR_CACHE.clear()


async def open_database(url: str) -> None:
    """Connect for the whole process: every task (request, worker, bot) sees it."""
    _ensure_sqlite_dir(url)
    _forget_compiled_queries()
    await Tortoise.init(config=tortoise_config(url), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


@asynccontextmanager
async def database(url: str) -> AsyncIterator[None]:
    await open_database(url)
    try:
        yield
    finally:
        await close_database()


async def migrate(url: str, progress=None) -> None:
    """Apply the committed migrations (idempotent)."""
    from tortoise.migrations.api import migrate as run_migrations

    _ensure_sqlite_dir(url)
    _forget_compiled_queries()
    try:
        await run_migrations(config=tortoise_config(url), progress=progress)
    finally:
        await Tortoise.close_connections()


# For the `tortoise` CLI (makemigrations): `tortoise -c core.db.TORTOISE_ORM makemigrations`.
TORTOISE_ORM = tortoise_config("sqlite://var/makemigrations.sqlite3")


async def create_schema(url: str) -> None:
    """Create every table straight from the models (tests; production uses `migrate`)."""
    _ensure_sqlite_dir(url)
    _forget_compiled_queries()
    await Tortoise.init(config=tortoise_config(url))
    try:
        await Tortoise.generate_schemas()
    finally:
        await Tortoise.close_connections()
