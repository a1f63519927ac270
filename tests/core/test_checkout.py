"""Checkout: the order is built server-side (P5), priced from config, and never oversells."""

import re

import pytest

from core.carts.models import CartLine
from core.carts.service import CartOwner, add_to_cart, get_cart_view
from core.catalogue.models import Part
from core.customers.models import LegalEntity
from core.errors import Conflict, ValidationError
from core.notifications.models import OutboxMessage
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import (
    Channel,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentState,
)
from core.privacy.models import AccessLog
from tests.conftest import replace_settings
from tests.core.commerce_factories import make_address, make_customer, make_part

PICKUP = DeliveryChoice(DeliveryMethod.PICKUP)
CASH = PaymentChoice(PaymentMethod.CASH)


async def _order(customer, settings, *, key="key-00000001", delivery=PICKUP, payment=CASH, **kw):
    return await place_order(
        customer,
        delivery=delivery,
        payment=payment,
        idempotency_key=key,
        channel=Channel.WEB,
        settings=settings,
        **kw,
    )


async def _nothing_happened(part_stocks: dict[int, int]):
    assert await Order.all().count() == 0
    assert await OrderLine.all().count() == 0
    assert await OutboxMessage.all().count() == 0
    for part_id, stock in part_stocks.items():
        assert (await Part.get(id=part_id)).stock == stock


async def test_order_is_built_from_stored_data_with_snapshots(db, settings):
    customer = await make_customer(
        last_name="Koval", first_name="Olha", patronymic="Ivanivna", locale="uk", telegram_user_id=5001
    )
    await LegalEntity.create(customer=customer, name="TOV Avtodetal", country="UA", tax_id="32855961")
    address = await make_address(customer, street="Khreshchatyk 22", city="Kyiv", postcode="01001")
    filter_, pads = await make_part(stock=5, price=1250, name="Oil filter"), await make_part(
        stock=3, price=4000, name="Brake pads"
    )
    owner = CartOwner(customer_id=customer.id)
    await add_to_cart(owner, filter_.id, 2)
    await add_to_cart(owner, pads.id, 1)

    order = await _order(
        customer,
        settings,
        delivery=DeliveryChoice(DeliveryMethod.COURIER, address_id=address.id),
        ip="203.0.113.9",
    )

    assert re.fullmatch(r"GS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", order.number)
    assert (order.status, order.channel, order.locale, order.currency) == (
        OrderStatus.NEW,
        Channel.WEB,
        "uk",
        "EUR",
    )
    assert (order.subtotal, order.shipping_price, order.total) == (6500, 500, 7000)
    assert (order.contact_name, order.contact_email, order.contact_phone) == (
        "Koval Olha Ivanivna",
        customer.email,
        customer.phone,
    )
    assert (order.buyer_organisation, order.buyer_tax_id) == ("TOV Avtodetal", "32855961")
    assert order.delivery_address == "Khreshchatyk 22, 01001 Kyiv, Kyivska, UA"
    assert (order.payment_method, order.payment_state) == (PaymentMethod.CASH, PaymentState.NOT_REQUIRED)
    lines = await OrderLine.filter(order_id=order.id).order_by("part_id")
    assert [(li.part_id, li.name, li.unit_price, li.quantity, li.line_total) for li in lines] == [
        (filter_.id, "Oil filter", 1250, 2, 2500),
        (pads.id, "Brake pads", 4000, 1, 4000),
    ]
    assert [(await Part.get(id=p.id)).stock for p in (filter_, pads)] == [3, 2]
    assert (await get_cart_view(owner)).lines == []
    events = await OrderEvent.filter(order_id=order.id)
    assert [(e.actor, e.from_status, e.to_status) for e in events] == [("customer", "", "new")]
    messages = await OutboxMessage.filter(order_id=order.id, kind="order_placed")
    assert sorted(m.channel for m in messages) == [
        "email",
        "sms",
        "staff_email",
        "staff_telegram",
        "telegram",
    ]
    assert messages[0].payload["number"] == order.number and messages[0].payload["total"] == 7000
    assert customer.email not in str(messages[0].payload)  # contact data is resolved at send time
    log = await AccessLog.get(customer_id=customer.id)
    assert (log.event, log.ip) == ("order", "203.0.113.9")

    # Snapshots do not follow later catalogue changes.
    await Part.filter(id=filter_.id).update(price=9999, name="Renamed")
    line = await OrderLine.get(order_id=order.id, part_id=filter_.id)
    assert (line.unit_price, line.name) == (1250, "Oil filter")


async def test_an_address_of_another_customer_is_refused(db, settings):
    customer, other = await make_customer(), await make_customer()
    foreign = await make_address(other)
    part = await make_part(stock=2)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    for address_id in (foreign.id, None, "1", 10**9, 2**31, 2**70, -1):
        with pytest.raises(ValidationError) as caught:
            await _order(
                customer, settings, delivery=DeliveryChoice(DeliveryMethod.COURIER, address_id=address_id)
            )
        assert "address_id" in caught.value.fields
    await _nothing_happened({part.id: 2})
    assert await CartLine.all().count() == 1


async def test_carrier_branch_is_validated_and_stored(db, settings):
    customer = await make_customer()
    part = await make_part(stock=2)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    with pytest.raises(ValidationError) as caught:
        await _order(
            customer,
            settings,
            delivery=DeliveryChoice(DeliveryMethod.CARRIER, carrier_city="", carrier_branch="twelve"),
        )
    assert set(caught.value.fields) == {"carrier_city", "carrier_branch"}
    await _nothing_happened({part.id: 2})
    order = await _order(
        customer,
        settings,
        delivery=DeliveryChoice(DeliveryMethod.CARRIER, carrier_city="  Lviv ", carrier_branch="№ 12"),
    )
    assert (order.carrier_city, order.carrier_branch, order.shipping_price, order.delivery_address) == (
        "Lviv",
        "12",
        300,
        "",
    )


async def test_shipping_is_free_from_the_configured_subtotal(db, settings):
    settings = replace_settings(settings, shipping={"free_from": 5000, "courier_price": 700})
    customer = await make_customer()
    address = await make_address(customer)
    cheap, dear = await make_part(price=1000), await make_part(price=6000)
    courier = DeliveryChoice(DeliveryMethod.COURIER, address_id=address.id)
    await add_to_cart(CartOwner(customer_id=customer.id), cheap.id, 1)
    first = await _order(customer, settings, key="key-cheap-001", delivery=courier)
    await add_to_cart(CartOwner(customer_id=customer.id), dear.id, 1)
    second = await _order(customer, settings, key="key-dear-0001", delivery=courier)
    assert (first.shipping_price, first.total) == (700, 1700)
    assert (second.shipping_price, second.total) == (0, 6000)


async def test_card_payment_uses_a_configured_provider(db, settings):
    customer = await make_customer()
    part = await make_part(stock=5)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    with pytest.raises(ValidationError):
        await _order(customer, settings, payment=PaymentChoice(PaymentMethod.CARD, provider="liqpay"))
    await _nothing_happened({part.id: 5})
    order = await _order(customer, settings, payment=PaymentChoice(PaymentMethod.CARD, provider="sandbox"))
    assert (order.payment_method, order.payment_provider, order.payment_state) == (
        PaymentMethod.CARD,
        "sandbox",
        PaymentState.PENDING,
    )


async def test_an_empty_cart_cannot_be_ordered(db, settings):
    customer = await make_customer()
    with pytest.raises(ValidationError, match="Your cart is empty"):
        await _order(customer, settings)
    await _nothing_happened({})


@pytest.mark.parametrize("key", ["", "short", "x" * 129, "has spaces in it", None])
async def test_a_bad_idempotency_key_is_refused(db, settings, key):
    customer = await make_customer()
    part = await make_part(stock=1)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    with pytest.raises(ValidationError):
        await _order(customer, settings, key=key)
    await _nothing_happened({part.id: 1})


async def test_a_shortfall_rolls_everything_back_and_names_the_part(db, settings):
    customer = await make_customer()
    plenty = await make_part(stock=10, name="Oil filter")
    scarce = await make_part(stock=3, name="Brake disc", brand="ATE")
    owner = CartOwner(customer_id=customer.id)
    await add_to_cart(owner, plenty.id, 4)
    await add_to_cart(owner, scarce.id, 3)
    await Part.filter(id=scarce.id).update(stock=2)  # someone bought one meanwhile
    with pytest.raises(ValidationError) as caught:
        await _order(customer, settings)
    assert (
        str(caught.value)
        == f"Brake disc (ATE {scarce.article}): only 2 left. Please change the quantity in your cart."
    )
    await _nothing_happened({plenty.id: 10, scarce.id: 2})
    assert [(li.part_id, li.quantity) for li in (await get_cart_view(owner)).lines] == [
        (plenty.id, 4),
        (scarce.id, 3),
    ]
    assert await OrderEvent.all().count() == 0


async def test_the_same_key_returns_the_same_order_and_refuses_another_cart(db, settings):
    customer = await make_customer()
    part = await make_part(stock=10)
    owner = CartOwner(customer_id=customer.id)
    await add_to_cart(owner, part.id, 2)
    first = await _order(customer, settings, key="checkout-form-1")
    again = await _order(customer, settings, key="checkout-form-1")
    assert again.id == first.id and await Order.all().count() == 1
    assert (await Part.get(id=part.id)).stock == 8

    await add_to_cart(owner, part.id, 1)  # a new cart, but the old form is submitted again
    with pytest.raises(Conflict):
        await _order(customer, settings, key="checkout-form-1")
    other = await make_customer()
    await add_to_cart(CartOwner(customer_id=other.id), part.id, 2)
    with pytest.raises(Conflict):
        await _order(other, settings, key="checkout-form-1")
    assert await Order.all().count() == 1 and (await Part.get(id=part.id)).stock == 8


async def test_order_numbers_are_random_and_unambiguous(db, settings):
    customer = await make_customer()
    part = await make_part(stock=10)
    orders = []
    for n in range(4):
        await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
        orders.append(await _order(customer, settings, key=f"key-seq-{n:04d}"))
    numbers = [o.number for o in orders]
    assert len(set(numbers)) == 4
    # Four random 8-character codes share no common structure with the row ids.
    assert len({n[3:7] for n in numbers}) > 1 and not any(str(o.id) in o.number for o in orders if o.id > 9)
    assert not set("".join(numbers).replace("GS-", "").replace("-", "")) & set("01OIL")
