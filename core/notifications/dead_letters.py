"""Telling staff that a message was given up (a `dead_letter` on every staff channel).

The alert rows are written directly, in the transaction that marks the message dead. They carry
what staff need to find the message and no personal data; an alert that dies itself raises no
further alert (the worker checks), so a broken staff channel cannot loop.
"""

from __future__ import annotations

import datetime as dt

from core.notifications.messages import STAFF_CHANNELS
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose


async def alert_staff(row: OutboxMessage, error: str, *, locale: str) -> list[OutboxMessage]:
    now = dt.datetime.now(dt.UTC)
    payload = {
        "message_id": row.id,
        "kind": row.kind,
        "channel": row.channel,
        "attempts": row.attempts,
        "error": error[:300],
        "order_number": row.order.number if row.order_id is not None and row.order else "",
    }
    return [
        await OutboxMessage.create(
            kind="dead_letter", purpose=Purpose.SERVICE, channel=channel, order_id=row.order_id, locale=locale,
            payload=payload, status=OutboxStatus.PENDING, next_attempt_at=now,
        )
        for channel in STAFF_CHANNELS
    ]


async def requeue(message_id: int) -> bool:
    """Send a dead (or refused) message again from scratch; False when there is no such message."""
    changed = await OutboxMessage.filter(id=message_id, status__in=(OutboxStatus.DEAD, OutboxStatus.REFUSED)).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=dt.datetime.now(dt.UTC), last_error="",
        claimed_by="", claimed_until=None,
    )
    return bool(changed)
