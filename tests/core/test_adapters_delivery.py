"""Nova Poshta waybills through a local server speaking its JSON API (InternetDocument.save)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core.adapters.delivery import NovaPoshtaAdapter
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.worker import OutboxWorker
from core.orders.models import DeliveryMethod, Order, OrderStatus
from core.privacy.models import Disclosure
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue
from tests.fakes.novaposhta import API_KEY, FakeNovaPoshta


@pytest.fixture
async def novaposhta():
    async with FakeNovaPoshta() as server:
        yield server


@pytest.fixture
async def shop(settings, novaposhta):
    """(settings, adapters, console output) with the Nova Poshta adapter on the delivery channel."""
    s = replace_settings(settings, notifications={"backoff_base_seconds": 60.0, "delivery": {
        "adapter": "novaposhta", "api_url": novaposhta.url, "api_key": API_KEY, "sender_ref": "sender-ref",
        "sender_city_ref": "city-ref", "sender_address_ref": "address-ref", "sender_contact_ref": "contact-ref",
        "sender_phone": "+380441234567"}})
    stream = io.StringIO()
    adapters = console_adapters(stream)
    adapters["delivery"] = NovaPoshtaAdapter(s.notifications.delivery)
    yield s, adapters, stream
    await adapters["delivery"].close()


async def test_a_confirmed_branch_order_gets_a_waybill_and_the_customer_its_number(db, shop, novaposhta):
    settings, adapters, stream = shop
    customer = await make_customer(email="olena@example.com", phone="+380501234567")
    order = await make_order(customer, delivery_address="Khreshchatyk 1, Kyiv")
    row = await queue("order_confirmed", "delivery", customer=customer, order=order)
    worker = OutboxWorker(settings, adapters, "np")
    assert await worker.run_once() == 1

    [waybill] = novaposhta.documents
    assert waybill["RecipientName"] == "Shevchenko Olena" and waybill["RecipientsPhone"] == "380501234567"
    assert (waybill["RecipientCityName"], waybill["RecipientAddressName"]) == ("Київ", "12")
    assert (waybill["ServiceType"], waybill["Cost"], waybill["AfterpaymentOnGoodsCost"]) == ("WarehouseWarehouse", "2570", "2570")
    assert (waybill["Sender"], waybill["CitySender"], waybill["SendersPhone"]) == ("sender-ref", "city-ref", "380441234567")
    # The customer paid the shop 70,00 for shipping: the shop pays the carrier, not the customer again.
    assert waybill["PayerType"] == "Sender"
    request = str(novaposhta.requests[0])
    assert "olena@example.com" not in request and "Khreshchatyk" not in request  # only what a waybill needs
    await row.refresh_from_db()
    order = await Order.get(id=order.id)
    assert row.status == OutboxStatus.SENT and order.tracking_number == "20450000000001"
    disclosure = await Disclosure.get(order_id=order.id)
    assert (disclosure.processor, disclosure.fields_sent) == ("Nova Poshta", ["branch", "city", "name", "phone"])

    await queue("order_shipped", "sms", customer=customer, order=order)
    await worker.run_once()
    assert "Tracking number: 20450000000001" in stream.getvalue()


async def test_a_repeat_after_a_crash_does_not_make_a_second_waybill(db, shop, novaposhta):
    settings, adapters, _ = shop
    order = await make_order(await make_customer(), tracking_number="20450000009999")
    row = await queue("order_confirmed", "delivery", order=order)
    await OutboxWorker(settings, adapters, "np").run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and novaposhta.requests == []
    assert (await Order.get(id=order.id)).tracking_number == "20450000009999"


async def test_a_refused_waybill_is_a_dead_letter_with_the_carriers_reason(db, shop, novaposhta):
    settings, adapters, stream = shop
    order = await make_order(await make_customer())
    row = await queue("order_confirmed", "delivery", order=order)
    novaposhta.refuse(["RecipientAddressName is invalid"])
    worker = OutboxWorker(settings, adapters, "np")
    await worker.run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and "RecipientAddressName is invalid" in row.last_error
    assert await OutboxMessage.filter(kind="dead_letter").count() == 2
    assert (await Order.get(id=order.id)).tracking_number == ""


async def test_carrier_trouble_is_retried(db, shop, novaposhta):
    settings, adapters, _ = shop
    order = await make_order(await make_customer())
    row = await queue("order_confirmed", "delivery", order=order)
    novaposhta.http_error(502)
    worker = OutboxWorker(settings, adapters, "np")
    await worker.run_once()
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1) and "502" in row.last_error
    await OutboxMessage.filter(id=row.id).update(next_attempt_at=dt.datetime.now(dt.UTC))
    await worker.run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and len(novaposhta.documents) == 1


async def test_a_wrong_api_key_is_permanent_and_never_shown(db, shop, novaposhta):
    settings, adapters, _ = shop
    wrong = replace_settings(settings, notifications={"delivery": {"api_key": "wrong-key-0123"}})
    adapters["delivery"] = NovaPoshtaAdapter(wrong.notifications.delivery)
    row = await queue("order_confirmed", "delivery", order=await make_order(await make_customer()))
    try:
        await OutboxWorker(settings, adapters, "np").run_once()
    finally:
        await adapters["delivery"].close()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and "API key expired" in row.last_error
    assert "wrong-key-0123" not in row.last_error


async def test_only_carrier_orders_get_a_waybill(db, shop, novaposhta):
    settings, adapters, _ = shop
    order = await make_order(await make_customer(), delivery_method=DeliveryMethod.COURIER, carrier_city="",
                             carrier_branch="", delivery_address="Khreshchatyk 1, Kyiv")
    row = await queue("order_confirmed", "delivery", order=order)
    await OutboxWorker(settings, adapters, "np").run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and novaposhta.requests == []


async def test_no_waybill_for_an_order_cancelled_meanwhile_or_not_in_hryvnias(db, shop, novaposhta):
    settings, adapters, _ = shop
    cancelled = await make_order(await make_customer(), status=OrderStatus.CANCELLED)
    in_euros = await make_order(await make_customer(), currency="EUR")
    rows = [await queue("order_confirmed", "delivery", order=order) for order in (cancelled, in_euros)]
    await OutboxWorker(settings, adapters, "np").run_once()
    for row in rows:
        await row.refresh_from_db()
        assert row.status == OutboxStatus.DEAD
    assert "cancelled" in rows[0].last_error and "UAH" in rows[1].last_error
    assert novaposhta.requests == []  # nothing declared, no cash collected in the wrong currency
    assert not await Disclosure.exists()
