"""The committed migrations build the schema from empty, on SQLite and PostgreSQL, and match the models."""

import uuid

import pytest
from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from core import db as core_db
from core.catalogue.models import Make
from tests.conftest import PG_ADMIN_DSN, _pg_admin, service_missing


async def _apply_and_use(url: str) -> None:
    await core_db.migrate(url)
    await core_db.migrate(url)  # a second run is a no-op
    async with core_db.database(url):
        await Make.create(name="Škoda", slug="skoda")
        assert [m.name for m in await Make.all()] == ["Škoda"]


async def test_migrations_apply_from_empty_on_sqlite(tmp_path):
    await _apply_and_use(f"sqlite://{tmp_path}/fresh.sqlite3")


async def test_migrations_apply_from_empty_on_postgres():
    name = f"gearshop_mig_{uuid.uuid4().hex[:8]}"
    try:
        await _pg_admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001
        service_missing(f"PostgreSQL not reachable at {PG_ADMIN_DSN}: {exc}")
    try:
        await _apply_and_use(PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgres://") + "/" + name)
    finally:
        await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_committed_migrations_match_the_models(tmp_path):
    """A model change without `make migrations` fails here, before it reaches a database."""
    config = core_db.tortoise_config(f"sqlite://{tmp_path}/detect.sqlite3")
    await Tortoise.init(config=config)
    try:
        from tortoise.context import require_context

        detector = MigrationAutodetector(require_context().apps, config["apps"])
        changes = await detector.changes()
    finally:
        await Tortoise.close_connections()
    pending = [writer.name for writer in changes]
    assert not pending, f"models changed without a migration: run `make migrations` ({pending})"
