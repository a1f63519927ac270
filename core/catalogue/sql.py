"""Hand-written SQL for the catalogue's hot paths (search, bulk import), on SQLite and PostgreSQL.

Statements are written once with `?` placeholders; `prepare` turns them into `$1, $2, ...` for
asyncpg. Values are always passed as parameters, never formatted into the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

_PLACEHOLDER = re.compile(r"\?")


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def is_postgres(conn: BaseDBAsyncClient) -> bool:
    return conn.capabilities.dialect == "postgres"


def prepare(conn: BaseDBAsyncClient, sql: str) -> str:
    if not is_postgres(conn):
        return sql
    numbers = iter(range(1, 1_000_000))
    return _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)


def marks(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` values."""
    return ", ".join("?" * count)


async def fetch(sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None) -> list[dict]:
    conn = conn or connection()
    return await conn.execute_query_dict(prepare(conn, sql), list(params))


async def execute(sql: str, params: Sequence[Any] = (), conn: BaseDBAsyncClient | None = None) -> int:
    """Run one statement; returns the number of rows it changed."""
    conn = conn or connection()
    changed, _ = await conn.execute_query(prepare(conn, sql), list(params))
    return changed


async def execute_many(sql: str, rows: Sequence[Sequence[Any]], conn: BaseDBAsyncClient) -> None:
    if rows:
        await conn.execute_many(prepare(conn, sql), list(rows))
