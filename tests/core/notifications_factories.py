"""Rows the notification tests need: a customer, an order with lines, outbox messages.

Outbox rows are created directly (as notify() writes them), so these tests depend only on the
models; tests/core/test_notifications_flow.py goes through the real notify().
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from typing import Any

from core.adapters.console import ConsoleAdapter
from core.customers.models import Customer
from core.notifications.messages import ALL_CHANNELS
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.orders.models import Channel, DeliveryMethod, Order, OrderLine, PaymentMethod, PaymentState

_numbers = itertools.count(1)


async def make_customer(**overrides: Any) -> Customer:
    n = next(_numbers)
    values = {"last_name": "Shevchenko", "first_name": "Olena", "patronymic": "", "phone": f"+38050{n:07d}",
              "email": f"olena{n}@example.com", "locale": "en"}
    values.update(overrides)
    return await Customer.create(**values)


async def make_order(customer: Customer | None, **overrides: Any) -> Order:
    n = next(_numbers)
    values = {
        "number": f"GS-{n:06d}", "customer": customer, "channel": Channel.WEB, "locale": "en", "currency": "UAH",
        "subtotal": 250000, "shipping_price": 7000, "total": 257000,
        "contact_name": customer.full_name if customer else "Olena Shevchenko",
        "contact_phone": customer.phone if customer and customer.phone else "+380501112233",
        "contact_email": customer.email if customer and customer.email else "",
        "delivery_method": DeliveryMethod.CARRIER, "carrier_city": "Київ", "carrier_branch": "12",
        "payment_method": PaymentMethod.CASH, "payment_state": PaymentState.NOT_REQUIRED,
    }
    values.update(overrides)
    order = await Order.create(**values)
    await OrderLine.create(order=order, brand="BOSCH", article="0986452041", name="Oil filter",
                           unit_price=45000, quantity=2, line_total=90000)
    await OrderLine.create(order=order, brand="TRW", article="GDB1550", name="Brake pads, front",
                           unit_price=160000, quantity=1, line_total=160000)
    return order


async def queue(kind: str, channel: str, *, customer: Customer | None = None, order: Order | None = None,
                purpose: Purpose = Purpose.ORDER, payload: dict | None = None, recipient: str = "",
                locale: str | None = None) -> OutboxMessage:
    if locale is None:
        locale = customer.locale if customer else (order.locale if order else "en")
    return await OutboxMessage.create(
        kind=kind, purpose=purpose, channel=channel, customer=customer, order=order, recipient=recipient,
        locale=locale, payload=payload if payload is not None else {}, status=OutboxStatus.PENDING,
        next_attempt_at=dt.datetime.now(dt.UTC),
    )


def console_adapters(stream: io.StringIO | None = None) -> dict[str, ConsoleAdapter]:
    """Console adapters for every channel, printing into `stream`."""
    stream = stream or io.StringIO()
    return {channel: ConsoleAdapter(channel, stream) for channel in ALL_CHANNELS}
