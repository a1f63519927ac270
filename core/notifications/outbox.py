"""Writing outbox rows: one per message, inside the transaction of the change that causes it.

`notify` never sends anything; the notifications worker delivers the rows later. Because the
row is written with the caller's connection (tortoise's `in_transaction` makes it the current
one for the task), a change that rolls back leaves no message behind, and a change that
commits always leaves its messages (P6: every message carries a purpose).
"""

from __future__ import annotations

import re
from typing import Any

from tortoise import timezone

from core.customers.models import Consent, ConsentKind, Customer
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.orders.models import DeliveryMethod, Order

ORDER_EVENTS = frozenset(
    {"order_placed", "order_confirmed", "order_shipped", "order_delivered", "order_cancelled"})
PAYMENT_EVENTS = frozenset({"payment_received", "payment_failed"})
ACCOUNT_EVENTS = frozenset({"password_reset", "email_changed", "phone_changed", "account_deleted"})
# Events staff hear about as well as (or instead of) the customer.
STAFF_EVENTS = frozenset({"order_placed", "dead_letter"})
# The events of the contract; other areas may add their own (the worker needs a template).
EVENTS = ORDER_EVENTS | PAYMENT_EVENTS | ACCOUNT_EVENTS | STAFF_EVENTS
_EVENT_NAME = re.compile(r"[a-z][a-z0-9_]{1,47}")
CHANNELS = frozenset({"email", "sms", "telegram", "staff_telegram", "staff_email", "delivery"})


async def notify(
    event: str,
    *,
    purpose: Purpose,
    customer: Customer | None = None,
    order: Order | None = None,
    payload: dict[str, Any],
    recipient: str = "",
    channels: list[str] | None = None,
) -> list[OutboxMessage]:
    """Queue `event` for each channel; call it inside the transaction of the change.

    Marketing messages are refused (no row, empty list) without a current opt-in consent.
    """
    _check_arguments(event, purpose, payload, channels)
    if customer is None and order is not None and order.customer_id is not None:
        customer = await Customer.get_or_none(id=order.customer_id)
    if Purpose(purpose) is Purpose.MARKETING and not await _has_marketing_consent(customer):
        return []
    if channels is None:
        channels = resolve_channels(event, customer, order)
    locale = customer.locale if customer is not None else (order.locale if order is not None else "en")
    now = timezone.now()
    messages = [
        OutboxMessage(
            kind=event,
            purpose=Purpose(purpose),
            channel=channel,
            customer=customer,
            order=order,
            recipient=recipient,
            locale=locale,
            payload=payload,
            status=OutboxStatus.PENDING,
            next_attempt_at=now,
        )
        for channel in dict.fromkeys(channels)  # keeps order, drops repeats
    ]
    if messages:
        await _insert_all(messages)
    return messages


async def _insert_all(messages: list[OutboxMessage]) -> None:
    """All the rows in one INSERT … RETURNING (PostgreSQL; SQLite ≥ 3.35), on the current
    connection; each object gets its id. One statement instead of one per channel."""
    meta = OutboxMessage._meta
    db = meta.db  # the transaction's connection when called inside one
    names, sql = _insert_statement(db, len(messages))
    values = [meta.fields_map[n].to_db_value(getattr(m, n), m) for m in messages for n in names]
    rows = await db.execute_query_dict(sql, values)
    ids = {row["channel"]: row["id"] for row in rows}  # channels are unique within one call
    for message in messages:
        message.id = ids[message.channel]
        message._saved_in_db = True


_INSERT_STATEMENTS: dict[tuple, tuple[list[str], str]] = {}


def _insert_statement(db: Any, rows: int) -> tuple[list[str], str]:
    """(field names in column order, SQL) of a `rows`-row insert, built once per SQL dialect."""
    key = (db.executor_class, db.query_class, rows)
    if key not in _INSERT_STATEMENTS:
        meta = OutboxMessage._meta
        executor = db.executor_class(model=OutboxMessage, db=db)
        names = list(executor.regular_columns)
        query = db.query_class.into(meta.basetable).columns(*(meta.fields_db_projection[n] for n in names))
        for row in range(rows):
            query = query.insert(*(executor.parameter(row * len(names) + i) for i in range(len(names))))
        _INSERT_STATEMENTS[key] = names, str(query.returning("id", "channel"))
    return _INSERT_STATEMENTS[key]


def resolve_channels(event: str, customer: Customer | None, order: Order | None) -> list[str]:
    """The channels an event goes to when the caller names none."""
    channels: list[str] = []
    if customer is not None:
        if customer.email:
            channels.append("email")
        if customer.phone and event in ORDER_EVENTS:
            channels.append("sms")
        if customer.telegram_user_id and customer.telegram_unreachable_at is None:
            channels.append("telegram")  # not to a customer who blocked the bot (until they write again)
    if event in STAFF_EVENTS:
        channels += ["staff_telegram", "staff_email"]
    if event == "order_confirmed" and order is not None and order.delivery_method == DeliveryMethod.CARRIER:
        channels.append("delivery")
    return channels


async def _has_marketing_consent(customer: Customer | None) -> bool:
    # The latest record of the kind is the current state (a withdrawal is a newer record).
    if customer is None:
        return False
    latest = await Consent.filter(customer_id=customer.id, kind=ConsentKind.MARKETING).order_by("-id").first()
    return bool(latest and latest.granted)


def _check_arguments(event: str, purpose: Any, payload: Any, channels: list[str] | None) -> None:
    # These are programming errors, not customer input: fail loudly.
    if not isinstance(event, str) or not _EVENT_NAME.fullmatch(event):
        raise ValueError(f"unknown outbox event {event!r}")
    Purpose(purpose)
    if not isinstance(payload, dict):
        raise TypeError("payload must be a dict")
    unknown = set(channels or ()) - CHANNELS
    if unknown:
        raise ValueError(f"unknown outbox channel(s): {', '.join(sorted(unknown))}")
