"""The SQLite client the shop uses: tortoise's, with transactions that take the write lock first.

SQLite lets one writer at a time change the file. A transaction opened with a plain `BEGIN`
that reads before it writes holds a snapshot; when another process (the bot next to the web
shop, `python -m core worker`, an import) commits in between, its first write fails at once
with "database is locked": SQLite cannot wait, because waiting would not make the snapshot
current. `BEGIN IMMEDIATE` takes the write lock at the start instead, waiting for it (the busy
timeout), so concurrent checkouts from several processes queue up instead of failing. In one
process nothing changes: tortoise already runs one transaction at a time on its one connection.
"""

from __future__ import annotations

import sqlite3

from tortoise.backends.base.client import TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.exceptions import TransactionManagementError


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise TransactionManagementError(exc) from exc


class ShopSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return SqliteTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ShopSqliteClient
