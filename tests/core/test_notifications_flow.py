"""The whole path with the real commerce code: a status change writes its outbox rows (notify),
the worker sends them, Nova Poshta's waybill number comes back and reaches the customer."""

from __future__ import annotations

import io

from core.adapters.delivery import NovaPoshtaAdapter
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.worker import OutboxWorker
from core.orders.models import Order
from core.orders.status import change_status
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order
from tests.fakes.novaposhta import API_KEY, FakeNovaPoshta


async def test_confirm_creates_the_waybill_and_ship_tells_the_customer_its_number(db, settings):
    customer = await make_customer(locale="uk")
    order = await make_order(customer, locale="uk")
    stream = io.StringIO()
    async with FakeNovaPoshta() as novaposhta:
        s = replace_settings(settings, notifications={"delivery": {
            "adapter": "novaposhta", "api_url": novaposhta.url, "api_key": API_KEY}})
        adapters = console_adapters(stream)
        adapters["delivery"] = NovaPoshtaAdapter(s.notifications.delivery)
        worker = OutboxWorker(s, adapters, "flow")
        try:
            await change_status(order, "confirmed", actor="staff:1")
            channels = sorted(await OutboxMessage.filter(kind="order_confirmed").values_list("channel", flat=True))
            assert channels == ["delivery", "email", "sms"]
            assert await worker.run_once() == 3
            tracking = (await Order.get(id=order.id)).tracking_number
            assert tracking == "20450000000001"

            # Staff ship it without typing the number: the waybill's number is the order's.
            shipped = await change_status(order, "shipped", actor="staff:1")
            assert shipped.tracking_number == tracking
            assert await worker.run_once() == 2
        finally:
            await adapters["delivery"].close()
    printed = stream.getvalue()
    assert f"Замовлення {order.number} підтверджено" in printed
    assert f"Номер для відстеження: {tracking}" in printed
    assert await OutboxMessage.exclude(status=OutboxStatus.SENT).count() == 0


async def test_a_cancelled_order_tells_the_reason_in_the_customers_language(db, settings):
    customer = await make_customer(locale="es", email="cliente@example.com")
    order = await make_order(customer, locale="es")
    await change_status(order, "cancelled", actor="staff:1", note="sin existencias")
    stream = io.StringIO()
    await OutboxWorker(settings, console_adapters(stream), "flow").run_once()
    printed = stream.getvalue()
    assert f"Subject: Pedido {order.number} cancelado — gearshop" in printed
    assert "Motivo: sin existencias" in printed
