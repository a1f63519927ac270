"""No overselling and no duplicate orders under concurrent checkouts, on SQLite and PostgreSQL."""

import asyncio
import os
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from core import db as core_db
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


REPO = Path(__file__).resolve().parents[2]
# One shop process (web, bot, worker) placing orders for some of the buyers.
CHECKOUT_PROCESS = """
import asyncio, sys, time
from core import db
from core.config import Settings
from core.customers.models import Customer
from core.errors import ValidationError
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order

async def main(url, start_at, ids):
    await db.open_database(url)
    try:
        buyers = await Customer.filter(id__in=ids)
        await asyncio.sleep(max(0.0, start_at - time.time()))  # every process starts buying at once
        results = await asyncio.gather(*(
            place_order(c, delivery=DeliveryChoice("pickup"), payment=PaymentChoice("cash"),
                        idempotency_key=f"process-buyer-{c.id}", channel="web", settings=Settings())
            for c in buyers), return_exceptions=True)
    finally:
        await db.close_database()
    for r in results:
        print("order" if not isinstance(r, Exception) else "refused" if isinstance(r, ValidationError)
              else f"error {type(r).__name__}: {r}")

asyncio.run(main(sys.argv[1], float(sys.argv[2]), [int(x) for x in sys.argv[3:]]))
"""


async def test_buyers_in_three_processes_on_one_sqlite_file_get_exactly_the_stock(tmp_path):
    # The web shop, the bot in polling mode and a worker are separate processes on one file:
    # before, a checkout whose transaction began with a read failed with "database is locked".
    url = f"sqlite://{tmp_path}/shop.sqlite3"
    await core_db.create_schema(url)
    await core_db.open_database(url)
    try:
        part = await make_part(stock=3, name="Timing belt kit")
        customers = await _buyers(60, part)
    finally:
        await core_db.close_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    start_at = str(time.time() + 3)
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHECKOUT_PROCESS, url, start_at, *(str(c.id) for c in customers[n::3]),
            cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        for n in range(3)
    ]
    outputs = [await process.communicate() for process in processes]

    assert [p.returncode for p in processes] == [0, 0, 0], [err.decode()[-500:] for _, err in outputs]
    results = Counter(line for out, _ in outputs for line in out.decode().splitlines())
    assert results == {"order": 3, "refused": 57}, results
    await core_db.open_database(url)
    try:
        assert (await Part.get(id=part.id)).stock == 0
        assert await Order.all().count() == 3 and await CartLine.all().count() == 57
    finally:
        await core_db.close_database()


async def test_a_checkout_blocked_by_another_process_too_long_is_a_conflict_and_the_shop_goes_on(tmp_path):
    # Another process (a catalogue import) holds the SQLite write lock past the busy timeout.
    import sqlite3

    from core.config import Settings
    from core.errors import Conflict

    url = f"sqlite://{tmp_path}/shop.sqlite3?busy_timeout=200"
    await core_db.create_schema(url)
    await core_db.open_database(url)
    try:
        part = await make_part(stock=2)
        buyer = (await _buyers(1, part))[0]
        importer = sqlite3.connect(tmp_path / "shop.sqlite3", isolation_level=None)
        importer.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(Conflict) as caught:
                await place_order(buyer, delivery=PICKUP, payment=CASH, idempotency_key="busy-shop-key",
                                  channel=Channel.WEB, settings=Settings())  # fmt: skip
        finally:
            importer.rollback()
            importer.close()
        assert str(caught.value) == "The shop is busy for a moment. Please try again."
        assert await Order.all().count() == 0 and (await Part.get(id=part.id)).stock == 2
        # The failed BEGIN gave the connection back: the next checkout goes through.
        order = await asyncio.wait_for(
            place_order(buyer, delivery=PICKUP, payment=CASH, idempotency_key="busy-shop-key",
                        channel=Channel.WEB, settings=Settings()),
            timeout=10,
        )  # fmt: skip
        assert order.total > 0 and (await Part.get(id=part.id)).stock == 1
    finally:
        await core_db.close_database()
