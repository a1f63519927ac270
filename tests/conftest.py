"""Shared fixtures: settings, and a real database on SQLite and on PostgreSQL.

PostgreSQL tests skip with a reason when no server answers, and fail when
GEARSHOP_REQUIRE_SERVICES=1 (as in CI).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import pytest

from core import db as core_db
from core.config import Settings, load_settings

PG_ADMIN_DSN = os.environ.get("GEARSHOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("GEARSHOP_TEST_REDIS", "redis://127.0.0.1:6379/15")


def services_required() -> bool:
    return os.environ.get("GEARSHOP_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip with a reason, or fail when services are required."""
    if services_required():
        pytest.fail(f"{reason} (GEARSHOP_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Database:
    kind: str  # "sqlite" or "postgres"
    url: str


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str | None]:
    """A PostgreSQL database for this test session with the schema created once; None if unreachable."""
    name = f"gearshop_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - any failure means "no server here"; db_url says so
        yield None
        return
    url = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + "/" + name

    asyncio.run(core_db.create_schema(url))
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgres://", "postgresql://"))
    try:
        tables = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        if tables:
            names = ", ".join(f'"{t["tablename"]}"' for t in tables)
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request, tmp_path, postgres_template) -> AsyncIterator[Database]:
    """An empty database with the full schema, not yet opened; parametrised over both engines."""
    if request.param == "sqlite":
        url = f"sqlite://{tmp_path}/gearshop.sqlite3"
        await core_db.create_schema(url)
        yield Database("sqlite", url)
        return
    if postgres_template is None:
        service_missing(f"PostgreSQL not reachable at {PG_ADMIN_DSN}")
    await _truncate_postgres(postgres_template)
    yield Database("postgres", postgres_template)


@pytest.fixture
async def db(db_url: Database) -> AsyncIterator[Database]:
    """The database opened in this process (tortoise global context), closed afterwards."""
    await core_db.open_database(db_url.url)
    try:
        yield db_url
    finally:
        await core_db.close_database()


@pytest.fixture
def settings(tmp_path) -> Settings:
    """Default settings with an SQLite file under tmp_path; tests replace what they need."""
    base = load_settings(environ={})
    return replace_settings(base, database={"url": f"sqlite://{tmp_path}/gearshop.sqlite3"})


def replace_settings(settings: Settings, **sections: dict) -> Settings:
    """Settings with some keys of some sections replaced: replace_settings(s, web={"https": True})."""
    changes = {}
    for section, values in sections.items():
        current = getattr(settings, section)
        nested = {}
        plain = {}
        for key, value in values.items():
            if isinstance(value, dict):
                nested[key] = dataclasses.replace(getattr(current, key), **value)
            else:
                plain[key] = value
        changes[section] = dataclasses.replace(current, **plain, **nested)
    return dataclasses.replace(settings, **changes)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    """A reachable Redis (database 15, flushed); skip or fail as the other services."""
    import redis.asyncio as aioredis

    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001
        await client.aclose()
        service_missing(f"Redis not reachable at {REDIS_URL}: {exc}")
    await client.flushdb()
    await client.aclose()
    yield REDIS_URL


# ---------------------------------------------------------------- customers: cheap password hashing
# (added by the customers area) argon2id with production parameters costs ~64 MiB and tens of ms per
# hash; tests use the cheapest parameters so the suite stays fast. Tests that need the real
# parameters call configure_hasher themselves.


@pytest.fixture(autouse=True)
def cheap_password_hashing():
    from core.customers.passwords import configure_hasher

    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    configure_hasher(time_cost=1, memory_cost=1024, parallelism=1)
