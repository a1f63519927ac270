"""P6 and the outbox contract: rows per channel, in the caller's transaction, marketing only with consent."""

import datetime as dt

import pytest
from tortoise import timezone
from tortoise.transactions import in_transaction

from core.customers.models import Consent, ConsentKind, Customer
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.notifications.outbox import notify
from core.orders.models import Channel, DeliveryMethod, Order, PaymentMethod, PaymentState


async def _customer(**fields) -> Customer:
    values = {
        "first_name": "Olha",
        "last_name": "Koval",
        "email": "olha@example.com",
        "phone": "+380501234567",
        "locale": "uk",
    }
    values.update(fields)
    return await Customer.create(**values)


async def _order(customer: Customer, delivery=DeliveryMethod.COURIER) -> Order:
    return await Order.create(
        number="GS-TEST-0001",
        customer=customer,
        channel=Channel.WEB,
        currency="EUR",
        subtotal=1000,
        shipping_price=0,
        total=1000,
        delivery_method=delivery,
        payment_method=PaymentMethod.CASH,
        payment_state=PaymentState.NOT_REQUIRED,
    )


async def test_order_event_goes_to_every_contact_the_customer_has_and_to_staff(db):
    customer = await _customer(telegram_user_id=777001)
    order = await _order(customer)
    before = timezone.now()
    rows = await notify(
        "order_placed",
        purpose=Purpose.ORDER,
        customer=customer,
        order=order,
        payload={"number": order.number},
    )
    assert [r.channel for r in rows] == ["email", "sms", "telegram", "staff_telegram", "staff_email"]
    stored = await OutboxMessage.filter(order_id=order.id).order_by("id")
    assert [r.channel for r in stored] == [r.channel for r in rows]
    for row in stored:
        assert (
            row.status == OutboxStatus.PENDING and row.kind == "order_placed" and row.purpose == Purpose.ORDER
        )
        assert row.payload == {"number": "GS-TEST-0001"} and row.locale == "uk" and row.attempts == 0
        assert before - dt.timedelta(seconds=1) <= row.next_attempt_at <= timezone.now()


async def test_channels_follow_what_the_customer_has_and_the_event(db):
    email_only = await _customer(phone=None)
    rows = await notify("order_shipped", purpose=Purpose.ORDER, customer=email_only, payload={})
    assert [r.channel for r in rows] == ["email"]
    # SMS only for order events; an account event goes by email alone.
    both = await _customer(email="b@example.com", phone="+380671112233")
    rows = await notify("password_reset", purpose=Purpose.ACCOUNT, customer=both, payload={"link": "x"})
    assert [r.channel for r in rows] == ["email"]
    telegram_only = await _customer(email=None, phone=None, telegram_user_id=42)
    rows = await notify("payment_received", purpose=Purpose.ORDER, customer=telegram_only, payload={})
    assert [r.channel for r in rows] == ["telegram"]


async def test_carrier_order_confirmation_also_goes_to_the_delivery_service(db):
    customer = await _customer(phone=None)
    carrier = await _order(customer, DeliveryMethod.CARRIER)
    rows = await notify("order_confirmed", purpose=Purpose.ORDER, order=carrier, payload={})
    # The order's customer is found when only the order is given.
    assert [r.channel for r in rows] == ["email", "delivery"]
    assert all(r.customer_id == customer.id for r in rows)


async def test_explicit_channels_and_recipient_are_kept(db):
    customer = await _customer()
    rows = await notify(
        "email_changed",
        purpose=Purpose.ACCOUNT,
        customer=customer,
        payload={},
        channels=["email"],
        recipient="old@example.com",
    )
    assert [(r.channel, r.recipient) for r in await OutboxMessage.filter(id__in=[r.id for r in rows])] == [
        ("email", "old@example.com")
    ]


async def test_marketing_is_refused_without_a_current_consent(db):
    customer = await _customer()
    assert await notify("newsletter", purpose=Purpose.MARKETING, customer=customer, payload={}) == []
    await Consent.create(
        customer=customer, kind=ConsentKind.MARKETING, granted=True, policy_version="1", channel="web"
    )
    assert (
        len(await notify("newsletter", purpose=Purpose.MARKETING, customer=customer, payload={})) == 1
    )  # email: SMS is for order events
    # Withdrawn later: the latest record decides.
    await Consent.create(
        customer=customer, kind=ConsentKind.MARKETING, granted=False, policy_version="1", channel="web"
    )
    assert await notify("newsletter", purpose=Purpose.MARKETING, customer=customer, payload={}) == []
    assert await notify("newsletter", purpose=Purpose.MARKETING, payload={}, channels=["staff_email"]) == []
    assert await OutboxMessage.filter(purpose=Purpose.MARKETING).count() == 1


async def test_rows_join_the_callers_transaction_and_vanish_when_it_rolls_back(db):
    customer = await _customer()
    with pytest.raises(RuntimeError):
        async with in_transaction():
            await Customer.filter(id=customer.id).update(first_name="Changed")
            await notify("email_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={})
            assert await OutboxMessage.all().count() == 1  # visible inside the transaction
            raise RuntimeError("the change failed")
    assert await OutboxMessage.all().count() == 0
    assert (await Customer.get(id=customer.id)).first_name == "Olha"

    async with in_transaction():
        await notify("email_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={})
    assert await OutboxMessage.all().count() == 1


async def test_programming_mistakes_are_loud(db):
    with pytest.raises(ValueError):
        await notify("Order Placed!", purpose=Purpose.ORDER, payload={})
    with pytest.raises(ValueError):
        await notify("order_placed", purpose=Purpose.ORDER, payload={}, channels=["pigeon"])
    with pytest.raises(ValueError):
        await notify("order_placed", purpose="gossip", payload={})
    assert await OutboxMessage.all().count() == 0
