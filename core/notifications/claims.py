"""Claiming due outbox rows so that several workers never send the same row at once.

A claim sets status `sending`, `claimed_by` and a lease (`claimed_until`) and counts the attempt.
PostgreSQL picks candidates with `SELECT ... FOR UPDATE SKIP LOCKED` and claims them in the same
transaction, so concurrent workers take disjoint rows without waiting on each other. SQLite has
no row locks: each candidate is claimed with a conditional UPDATE that only matches a row that is
still due, and the row count says who won. A row whose lease ran out (its worker died mid-send)
is due again: at most a repeat, never a loss.
"""

from __future__ import annotations

import datetime as dt

from tortoise import connections
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from core.notifications.models import OutboxMessage, OutboxStatus

# How long a claim holds a row unless the worker says otherwise (`worker --lease-seconds`).
DEFAULT_LEASE_SECONDS = 120.0


def _due(now: dt.datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(status=OutboxStatus.SENDING, claimed_until__lt=now)


def _has_row_locks() -> bool:
    # PostgreSQL (and MySQL) lock rows; SQLite does not, and ignores select_for_update.
    return connections.get("default").capabilities.support_for_update


async def claim_due(claimer: str, *, limit: int, lease_seconds: float, now: dt.datetime | None = None) -> list[OutboxMessage]:
    """Claim up to `limit` due rows for `claimer`; returns them (customer and order fetched)."""
    now = now or dt.datetime.now(dt.UTC)
    claim = {
        "status": OutboxStatus.SENDING,
        "claimed_by": claimer,
        "claimed_until": now + dt.timedelta(seconds=lease_seconds),
        "attempts": F("attempts") + 1,
    }
    if _has_row_locks():
        async with in_transaction() as conn:
            rows = await (OutboxMessage.filter(_due(now)).order_by("next_attempt_at", "id").limit(limit)
                          .select_for_update(skip_locked=True).using_db(conn))
            ids = [row.id for row in rows]
            if ids:
                await OutboxMessage.filter(id__in=ids).using_db(conn).update(**claim)
    else:
        ids = []
        while not ids:
            candidates = await (OutboxMessage.filter(_due(now)).order_by("next_attempt_at", "id").limit(limit)
                                .values_list("id", flat=True))
            if not candidates:
                break
            # Candidates another worker claimed first are skipped; if it took them all, look again.
            ids = [row_id for row_id in candidates
                   if await OutboxMessage.filter(Q(id=row_id) & _due(now)).update(**claim)]
    if not ids:
        return []
    return await (OutboxMessage.filter(id__in=ids, claimed_by=claimer, status=OutboxStatus.SENDING)
                  .order_by("next_attempt_at", "id").prefetch_related("customer", "order"))


def mine(row: OutboxMessage, claimer: str):
    """The row, but only while `claimer` still holds it (a lost lease changes nothing)."""
    return OutboxMessage.filter(id=row.id, claimed_by=claimer, status=OutboxStatus.SENDING)


async def release(rows: list[OutboxMessage], claimer: str) -> int:
    """Give back rows that were claimed but not attempted: due again now, the attempt not counted."""
    ids = [row.id for row in rows]
    if not ids:
        return 0
    return await OutboxMessage.filter(id__in=ids, claimed_by=claimer, status=OutboxStatus.SENDING).update(
        status=OutboxStatus.PENDING, claimed_by="", claimed_until=None, attempts=F("attempts") - 1,
    )


async def hold(row: OutboxMessage, claimer: str, until: dt.datetime) -> int:
    """Give back a claimed row untried, due at `until` (its recipient is under the provider's flood
    control): the attempt is not counted, so waiting never dead-letters a message."""
    return await mine(row, claimer).update(
        status=OutboxStatus.PENDING, claimed_by="", claimed_until=None, attempts=F("attempts") - 1,
        next_attempt_at=until, last_error="held back: the provider asked to wait (flood control)",
    )
