"""Where server-side sessions live: the database table `session` (default) or Redis.

Both keep only sha256(token), enforce the idle and the absolute timeout at every load,
and can end every session of one customer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.config import Settings
from core.customers.models import Session
from web.security import random_token

# last_seen is written at most this often, so browsing does not write on every page.
TOUCH_EVERY = dt.timedelta(seconds=60)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class WebSession:
    token: str
    customer_id: int | None
    data: dict[str, Any] = field(default_factory=dict)
    created_at: dt.datetime = field(default_factory=_now)
    last_seen_at: dt.datetime = field(default_factory=_now)
    # Set when `data` changed during the request; the middleware saves it once at the end.
    changed: bool = False


@dataclass(frozen=True)
class SessionInfo:
    # `ref` is a short, non-secret handle (a prefix of the hash) for the account page.
    ref: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


class SessionStore(Protocol):
    async def create(self, customer_id: int | None, data: dict[str, Any]) -> WebSession: ...
    async def load(self, token: str) -> WebSession | None: ...
    async def save(self, session: WebSession) -> None: ...
    async def delete(self, token: str) -> None: ...
    async def delete_for_customer(self, customer_id: int) -> int: ...
    async def list_for_customer(self, customer_id: int, current_token: str | None = None) -> list[SessionInfo]: ...


class _Timeouts:
    def __init__(self, idle: dt.timedelta, absolute: dt.timedelta):
        self.idle = idle
        self.absolute = absolute

    def expires_at(self, created_at: dt.datetime, last_seen_at: dt.datetime) -> dt.datetime:
        return min(last_seen_at + self.idle, created_at + self.absolute)

    def alive(self, created_at: dt.datetime, last_seen_at: dt.datetime, now: dt.datetime) -> bool:
        return now < self.expires_at(created_at, last_seen_at)


class DatabaseSessionStore(_Timeouts):
    async def create(self, customer_id: int | None, data: dict[str, Any]) -> WebSession:
        token, now = random_token(), _now()
        await Session.create(token_hash=token_hash(token), customer_id=customer_id, data=data,
                             created_at=now, last_seen_at=now, expires_at=self.expires_at(now, now))
        return WebSession(token, customer_id, dict(data), now, now)

    async def load(self, token: str) -> WebSession | None:
        row = await Session.get_or_none(token_hash=token_hash(token))
        if row is None:
            return None
        now = _now()
        if not self.alive(row.created_at, row.last_seen_at, now) or now >= row.expires_at:
            await row.delete()
            return None
        if now - row.last_seen_at >= TOUCH_EVERY:
            await Session.filter(id=row.id).update(
                last_seen_at=now, expires_at=self.expires_at(row.created_at, now))
            row.last_seen_at = now
        return WebSession(token, row.customer_id, dict(row.data or {}), row.created_at, row.last_seen_at)

    async def save(self, session: WebSession) -> None:
        await Session.filter(token_hash=token_hash(session.token)).update(data=session.data)

    async def delete(self, token: str) -> None:
        await Session.filter(token_hash=token_hash(token)).delete()

    async def delete_for_customer(self, customer_id: int) -> int:
        return await Session.filter(customer_id=customer_id).delete()

    async def list_for_customer(self, customer_id: int, current_token: str | None = None) -> list[SessionInfo]:
        now = _now()
        current = token_hash(current_token) if current_token else None
        rows = await Session.filter(customer_id=customer_id).order_by("-last_seen_at")
        return [SessionInfo(r.token_hash[:12], r.created_at, r.last_seen_at, r.token_hash == current)
                for r in rows if self.alive(r.created_at, r.last_seen_at, now)]


class RedisSessionStore(_Timeouts):
    """One JSON value per session with a TTL, plus a set of a customer's session hashes."""

    def __init__(self, client: Any, idle: dt.timedelta, absolute: dt.timedelta, prefix: str = "gearshop:"):
        super().__init__(idle, absolute)
        self.client = client
        self.prefix = prefix

    def _key(self, digest: str) -> str:
        return f"{self.prefix}session:{digest}"

    def _index(self, customer_id: int) -> str:
        return f"{self.prefix}customer-sessions:{customer_id}"

    async def _write(self, digest: str, session: WebSession) -> None:
        ttl = self.expires_at(session.created_at, session.last_seen_at) - _now()
        value = json.dumps({"customer_id": session.customer_id, "data": session.data,
                            "created_at": session.created_at.timestamp(),
                            "last_seen_at": session.last_seen_at.timestamp()})
        await self.client.set(self._key(digest), value, ex=max(1, int(ttl.total_seconds()) + 1))

    async def create(self, customer_id: int | None, data: dict[str, Any]) -> WebSession:
        token = random_token()
        session = WebSession(token, customer_id, dict(data))
        await self._write(token_hash(token), session)
        if customer_id is not None:
            await self.client.sadd(self._index(customer_id), token_hash(token))
        return session

    async def _read(self, digest: str) -> WebSession | None:
        raw = await self.client.get(self._key(digest))
        if raw is None:
            return None
        value = json.loads(raw)
        return WebSession("", value["customer_id"], value.get("data") or {},
                          dt.datetime.fromtimestamp(value["created_at"], dt.UTC),
                          dt.datetime.fromtimestamp(value["last_seen_at"], dt.UTC))

    async def load(self, token: str) -> WebSession | None:
        digest = token_hash(token)
        session = await self._read(digest)
        if session is None:
            return None
        session.token = token
        now = _now()
        if not self.alive(session.created_at, session.last_seen_at, now):
            await self.delete(token)
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            session.last_seen_at = now
            await self._write(digest, session)
        return session

    async def save(self, session: WebSession) -> None:
        await self._write(token_hash(session.token), session)

    async def delete(self, token: str) -> None:
        digest = token_hash(token)
        session = await self._read(digest)
        await self.client.delete(self._key(digest))
        if session is not None and session.customer_id is not None:
            await self.client.srem(self._index(session.customer_id), digest)

    async def delete_for_customer(self, customer_id: int) -> int:
        digests = [d.decode() if isinstance(d, bytes) else d
                   for d in await self.client.smembers(self._index(customer_id))]
        ended = await self.client.delete(*[self._key(d) for d in digests]) if digests else 0
        await self.client.delete(self._index(customer_id))
        return int(ended)

    async def list_for_customer(self, customer_id: int, current_token: str | None = None) -> list[SessionInfo]:
        now = _now()
        current = token_hash(current_token) if current_token else None
        found = []
        for raw in await self.client.smembers(self._index(customer_id)):
            digest = raw.decode() if isinstance(raw, bytes) else raw
            session = await self._read(digest)
            if session is None:
                await self.client.srem(self._index(customer_id), digest)
            elif self.alive(session.created_at, session.last_seen_at, now):
                found.append(SessionInfo(digest[:12], session.created_at, session.last_seen_at, digest == current))
        return sorted(found, key=lambda s: s.last_seen_at, reverse=True)


def build_store(settings: Settings, redis_client: Any = None) -> SessionStore:
    idle = dt.timedelta(minutes=settings.web.session_idle_minutes)
    absolute = dt.timedelta(hours=settings.web.session_absolute_hours)
    if redis_client is not None:
        return RedisSessionStore(redis_client, idle, absolute)
    return DatabaseSessionStore(idle, absolute)
