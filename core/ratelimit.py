"""Fixed-window rate limits: in the database by default, in Redis when one is configured.

`await limiter.hit(key, limit, window_seconds)` counts one attempt and says whether it is
allowed (True while the window's count is at most `limit`); `await limiter.count(key)` reads the
current window's count without changing it. Both implementations are atomic, so N concurrent
hits against a limit L allow exactly min(N, L) of them.

Keys should not hold personal data in clear: use `limit_key("login:ip", ip)`, which hashes it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Protocol

from core.customers.models import RateCounter
from core.errors import Throttled


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int, window_seconds: int) -> bool: ...

    async def count(self, key: str) -> int: ...


def limit_key(scope: str, value: str) -> str:
    """`scope:` plus a hash of the value (an IP, an email), so counters never store it."""
    digest = hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest()[:40]
    return f"{scope}:{digest}"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DatabaseRateLimiter:
    """Counters in the rate_counter table, one upsert per hit.

    INSERT ... ON CONFLICT DO UPDATE ... RETURNING runs as one statement: PostgreSQL locks the
    row for the update and SQLite has a single writer, so every hit gets its own count.
    """

    def __init__(self, clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self._clock = clock

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        now = self._clock()
        ends = now + dt.timedelta(seconds=window_seconds)
        db = RateCounter._meta.db
        mark = "$" if db.capabilities.dialect == "postgres" else "?"  # SQLite reads ?1 ?2 ?3 too
        key_p, ends_p, now_p = (f"{mark}{i}" for i in (1, 2, 3))
        sql = (
            f'INSERT INTO rate_counter ("key", "count", "window_ends_at") VALUES ({key_p}, 1, {ends_p}) '
            'ON CONFLICT ("key") DO UPDATE SET '
            f'"count" = CASE WHEN rate_counter."window_ends_at" <= {now_p} THEN 1 ELSE rate_counter."count" + 1 END, '
            f'"window_ends_at" = CASE WHEN rate_counter."window_ends_at" <= {now_p} '
            'THEN excluded."window_ends_at" ELSE rate_counter."window_ends_at" END '
            'RETURNING "count"'
        )
        rows = await db.execute_query_dict(sql, [key[:160], ends, now])
        return rows[0]["count"] <= limit

    async def count(self, key: str) -> int:
        row = await RateCounter.get_or_none(key=key[:160], window_ends_at__gt=self._clock())
        return row.count if row else 0


class RedisRateLimiter:
    """Counters in Redis: INCR and, for a new window, EXPIRE, in one MULTI/EXEC."""

    def __init__(self, client, prefix: str = "gearshop:rate:") -> None:
        self._client = client
        self._prefix = prefix

    async def hit(self, key: str, limit: int, window_seconds: int) -> bool:
        name = self._prefix + key
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)  # only the first hit of a window sets it
            count, _ = await pipe.execute()
        return int(count) <= limit

    async def count(self, key: str) -> int:
        value = await self._client.get(self._prefix + key)
        return int(value) if value is not None else 0


async def enforce(limiter: RateLimiter | None, scope: str, value: str | None, limit: int,
                  window_seconds: int = 3600) -> None:
    """Count one attempt for `value` (an IP, an email) and raise Throttled past the limit.

    Nothing is counted when there is no value (Telegram gives no IP); without a limiter the
    database one is used, so every door is throttled even when it forgets to pass one.
    """
    if not value:
        return
    limiter = limiter or DatabaseRateLimiter()
    if not await limiter.hit(limit_key(scope, value), limit, window_seconds):
        raise Throttled(retry_after=window_seconds)
