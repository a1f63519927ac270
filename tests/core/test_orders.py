"""Orders: the status machine, its events and messages, returned stock, and who may read an order."""

import asyncio
import re

import pytest

from core.carts.service import CartOwner, add_to_cart
from core.catalogue.models import Part
from core.errors import NotFound, ValidationError
from core.notifications.models import OutboxMessage
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import Channel, DeliveryMethod, Order, OrderEvent, OrderStatus, PaymentMethod
from core.orders import numbers
from core.orders.numbers import new_order_number, normalise_order_number
from core.orders.queries import get_order, get_order_for, list_orders
from core.orders.status import change_status
from tests.core.commerce_factories import make_customer, make_part

ALL = list(OrderStatus)
ALLOWED = {
    ("new", "confirmed"),
    ("new", "cancelled"),
    ("confirmed", "shipped"),
    ("confirmed", "cancelled"),
    ("shipped", "delivered"),
}


async def _placed(
    settings, *, stock=10, quantity=2, delivery=DeliveryMethod.PICKUP, customer=None, key="order-key-0001"
):
    customer = customer or await make_customer()
    part = await make_part(stock=stock)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, quantity)
    choice = DeliveryChoice(delivery, carrier_city="Odesa", carrier_branch="7")
    order = await place_order(
        customer,
        delivery=choice,
        payment=PaymentChoice(PaymentMethod.CASH),
        idempotency_key=key,
        channel=Channel.TELEGRAM,
        settings=settings,
    )
    return order, part


async def _force(order, status):
    await Order.filter(id=order.id).update(status=status)


async def test_the_happy_path_records_every_step_and_tells_the_customer(db, settings):
    order, _ = await _placed(settings)
    await change_status(order, OrderStatus.CONFIRMED, actor="staff:1")
    await change_status(
        order, OrderStatus.SHIPPED, actor="staff:2", tracking_number="20450000123456", note="2 boxes"
    )
    delivered = await change_status(order, "delivered", actor="system")
    assert delivered.status == OrderStatus.DELIVERED and delivered.tracking_number == "20450000123456"
    events = await OrderEvent.filter(order_id=order.id).order_by("id")
    assert [(e.actor, e.from_status, e.to_status, e.note) for e in events] == [
        ("customer", "", "new", "placed via telegram"),
        ("staff:1", "new", "confirmed", ""),
        ("staff:2", "confirmed", "shipped", "2 boxes"),
        ("system", "shipped", "delivered", ""),
    ]
    kinds = [m.kind for m in await OutboxMessage.filter(order_id=order.id, channel="email").order_by("id")]
    assert kinds == ["order_placed", "order_confirmed", "order_shipped", "order_delivered"]
    shipped = await OutboxMessage.get(order_id=order.id, channel="email", kind="order_shipped")
    assert shipped.payload["tracking_number"] == "20450000123456" and shipped.payload["status"] == "shipped"


@pytest.mark.parametrize("start", ALL)
async def test_only_the_machine_transitions_are_allowed(db, settings, start):
    order, _ = await _placed(settings)
    for target in ALL:
        await _force(order, start)
        if (start.value, target.value) in ALLOWED:
            continue
        before = (await OrderEvent.all().count(), await OutboxMessage.all().count())
        with pytest.raises(ValidationError):
            await change_status(order, target, actor="staff:1")
        assert (await Order.get(id=order.id)).status == start
        assert (await OrderEvent.all().count(), await OutboxMessage.all().count()) == before


async def test_cancelling_returns_the_stock(db, settings):
    order, part = await _placed(settings, stock=5, quantity=3)
    assert (await Part.get(id=part.id)).stock == 2
    await change_status(order, OrderStatus.CONFIRMED, actor="staff:1")
    cancelled = await change_status(order, OrderStatus.CANCELLED, actor="staff:1", note="customer called")
    assert cancelled.status == OrderStatus.CANCELLED
    assert (await Part.get(id=part.id)).stock == 5
    message = await OutboxMessage.get(order_id=order.id, kind="order_cancelled", channel="email")
    assert (message.payload["reason"], message.payload["order_number"]) == ("customer called", order.number)
    with pytest.raises(ValidationError):
        await change_status(order, OrderStatus.CANCELLED, actor="staff:1")
    assert (await Part.get(id=part.id)).stock == 5


async def test_concurrent_staff_clicks_apply_a_change_once(db, settings):
    order, part = await _placed(settings, stock=5, quantity=3)
    results = await asyncio.gather(
        *(change_status(order, OrderStatus.CANCELLED, actor=f"staff:{n}") for n in range(6)),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Order) for r in results) == 1
    assert sum(isinstance(r, ValidationError) for r in results) == 5
    assert (await Part.get(id=part.id)).stock == 5  # returned once, not six times
    assert await OrderEvent.filter(order_id=order.id, to_status="cancelled").count() == 1


async def test_a_carrier_shipment_needs_a_valid_tracking_number(db, settings):
    order, _ = await _placed(settings, delivery=DeliveryMethod.CARRIER)
    await change_status(order, OrderStatus.CONFIRMED, actor="staff:1")
    # The delivery service hears about a confirmed carrier order.
    assert await OutboxMessage.filter(order_id=order.id, kind="order_confirmed", channel="delivery").exists()
    for bad in ("", "no", "<script>", "x" * 65):
        with pytest.raises(ValidationError):
            await change_status(order, OrderStatus.SHIPPED, actor="staff:1", tracking_number=bad)
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    with pytest.raises(ValidationError):
        await change_status(order, OrderStatus.CANCELLED, actor="staff:1", tracking_number="20450000123456")
    shipped = await change_status(
        order, OrderStatus.SHIPPED, actor="staff:1", tracking_number=" 2045 0000 1234 "
    )
    assert shipped.tracking_number == "204500001234"


async def test_unknown_statuses_and_long_notes_are_refused(db, settings):
    order, _ = await _placed(settings)
    with pytest.raises(ValidationError):
        await change_status(order, "lost", actor="staff:1")
    with pytest.raises(ValidationError):
        await change_status(order, OrderStatus.CONFIRMED, actor="staff:1", note="x" * 256)
    assert (await Order.get(id=order.id)).status == OrderStatus.NEW


async def test_a_customer_sees_only_their_own_orders(db, settings):
    alice, bob = await make_customer(), await make_customer()
    first, _ = await _placed(settings, customer=alice, key="alice-key-0001")
    second, _ = await _placed(settings, customer=alice, key="alice-key-0002")
    bobs, _ = await _placed(settings, customer=bob, key="bob-key-00001")
    assert [o.id for o in await list_orders(alice)] == [second.id, first.id]
    found = await get_order_for(alice, first.number.lower().replace("-", " "))
    assert found.id == first.id and len(found.lines) == 1 and len(found.events) == 1
    with pytest.raises(NotFound):
        await get_order_for(alice, bobs.number)
    with pytest.raises(NotFound):
        await get_order_for(alice, "GS-2222-2222")
    with pytest.raises(NotFound):
        await get_order("'; DROP TABLE order; --")
    assert (await get_order(bobs.number)).id == bobs.id


def test_order_numbers_are_read_back_however_they_are_typed():
    assert normalise_order_number(" gs-7k3m 9qx2 ") == "GS-7K3M-9QX2"
    for bad in ("GS-7K3M-9QX", "GS-0000-0000", "XX-7K3M-9QX2", "", None, "GS-7K3M-9QX2-2"):
        assert normalise_order_number(bad) == ""
    assert re.fullmatch(r"GS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", new_order_number())


async def test_a_number_clash_is_retried_with_a_new_number(db, settings, monkeypatch):
    first, _ = await _placed(settings, key="first-key-0001")
    taken = first.number.replace("GS-", "").replace("-", "")
    # The random source first repeats the existing number, then goes on randomly.
    draws = iter(taken)
    real_choice = numbers.secrets.choice
    monkeypatch.setattr(numbers.secrets, "choice", lambda seq: next(draws, None) or real_choice(seq))
    second, _ = await _placed(settings, key="second-key-001")
    assert second.number != first.number and await Order.all().count() == 2
