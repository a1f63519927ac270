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

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import SqliteClient, SqliteTransactionContext, SqliteTransactionWrapper
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError, TransactionManagementError


class DatabaseBusy(OperationalError):
    """Another process kept the write lock longer than the busy timeout (core.db)."""


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise DatabaseBusy(str(exc)) from exc
            raise TransactionManagementError(exc) from exc


class _ImmediateTransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        # As tortoise's, but a BEGIN that fails (DatabaseBusy) gives the connection back:
        # tortoise's would keep its lock, and every later transaction of the process would hang.
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            self._trxlock.release()
            raise
        return self.connection


class ShopSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return _ImmediateTransactionContext(_ImmediateTransaction(self), self._lock)


client_class = ShopSqliteClient
