"""No overselling and no duplicate orders under concurrent checkouts, on SQLite and PostgreSQL."""

import asyncio

from core.carts.models import Cart, CartLine
from core.catalogue.models import Part
from core.errors import ValidationError
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import Channel, DeliveryMethod, Order, OrderLine, PaymentMethod
from tests.core.commerce_factories import make_customer, make_part

PICKUP = DeliveryChoice(DeliveryMethod.PICKUP)
CASH = PaymentChoice(PaymentMethod.CASH)


async def _buyers(count: int, part: Part) -> list:
    customers = [await make_customer() for _ in range(count)]
    for customer in customers:
        cart = await Cart.create(customer=customer)
        await CartLine.create(cart=cart, part=part, quantity=1)
    return customers


async def _buy_all(customers, settings) -> list:
    return await asyncio.gather(
        *(
            place_order(
                c,
                delivery=PICKUP,
                payment=CASH,
                idempotency_key=f"buyer-{c.id}-key",
                channel=Channel.WEB,
                settings=settings,
            )
            for c in customers
        ),
        return_exceptions=True,
    )


async def test_fifty_buyers_of_the_last_unit_make_exactly_one_order(db, settings):
    part = await make_part(stock=1, name="Timing belt kit")
    customers = await _buyers(50, part)
    results = await _buy_all(customers, settings)
    orders = [r for r in results if isinstance(r, Order)]
    refusals = [r for r in results if isinstance(r, ValidationError)]
    assert len(orders) == 1 and len(refusals) == 49, [
        r for r in results if not isinstance(r, Order | ValidationError)
    ]
    assert all("Timing belt kit" in str(r) and "sold out" in str(r) for r in refusals)
    assert (await Part.get(id=part.id)).stock == 0
    assert await Order.all().count() == 1 and await OrderLine.all().count() == 1
    # Losers keep their carts; the winner's is empty.
    assert await CartLine.all().count() == 49


async def test_twenty_buyers_of_five_units_make_five_orders(db, settings):
    part = await make_part(stock=5)
    results = await _buy_all(await _buyers(20, part), settings)
    assert sum(isinstance(r, Order) for r in results) == 5
    assert sum(isinstance(r, ValidationError) for r in results) == 15
    assert (await Part.get(id=part.id)).stock == 0
    assert await Order.all().count() == 5
    assert sum(line.quantity for line in await OrderLine.all()) == 5


async def test_a_concurrent_double_submit_makes_one_order(db, settings):
    part = await make_part(stock=10)
    customer = (await _buyers(1, part))[0]
    await CartLine.filter(part_id=part.id).update(quantity=3)
    results = await asyncio.gather(
        *(
            place_order(
                customer,
                delivery=PICKUP,
                payment=CASH,
                idempotency_key="double-click-key",
                channel=Channel.WEB,
                settings=settings,
            )
            for _ in range(5)
        )
    )
    assert len({order.id for order in results}) == 1
    assert await Order.all().count() == 1
    assert (await Part.get(id=part.id)).stock == 7


async def test_two_forms_of_one_cart_submitted_at_once_make_one_order(db, settings):
    # Two tabs, two keys, one cart: the second finds the cart already ordered.
    part = await make_part(stock=10)
    customer = (await _buyers(1, part))[0]
    results = await asyncio.gather(
        *(
            place_order(
                customer,
                delivery=PICKUP,
                payment=CASH,
                idempotency_key=f"tab-{n}-key-0000",
                channel=Channel.WEB,
                settings=settings,
            )
            for n in range(2)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Order", "ValidationError"]
    assert (await Part.get(id=part.id)).stock == 9
