"""Checkout benchmark: `place_order` throughput on PostgreSQL, and proof that nothing was oversold.

A fresh PostgreSQL database (created, then dropped) gets the schema, a few parts with limited
stock and many customers whose carts together ask for more than there is, popular parts most.
Then every customer checks out at once, at most `CONCURRENCY` at a time, through the real
`core.orders.checkout.place_order` (the shop's own connection pool, as configured by the URL).
Refusals ("sold out") are expected; what is measured is placed orders per second, and what is
checked is that ordered quantities never exceed the stock and no stock went negative.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from collections import Counter

from bench import BenchContext, Result, benchmark
from core.config import load_settings
from core.db import create_schema, database

TARGET = 200  # orders per second on PostgreSQL (DESIGN.md)
PG_ADMIN_DSN = os.environ.get("GEARSHOP_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
CONCURRENCY = 64
PARTS = 40
HOT_PARTS = 4  # on sale: few units, wanted by many (the race for the last units)
HOT_STOCK = 25
STOCK = 400  # the others: enough for most carts, not for all
HOT_SHARE = 0.15  # share of cart lines that want a hot part
BUYERS = {"tiny": 300, "small": 1200, "large": 2500}


async def _admin(statement: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def _shop_url(name: str) -> str:
    return PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgres://", 1) + "/" + name


async def _stock_up(buyers: int, currency: str) -> tuple[dict[int, int], list, dict[int, int]]:
    """Parts with limited stock and customers with carts; (stock by part, customers, demand by part)."""
    from core.carts.models import Cart, CartLine
    from core.catalogue.models import Part
    from core.customers.models import Customer

    rng = random.Random(3)
    await Part.bulk_create([
        Part(brand="BOSCH", brand_key="BOSCH", article=f"0 986 BENCH {n:03d}", article_norm=f"0986BENCH{n:03d}",
             name=f"Brake disc {n}", price=1000 + 37 * n, currency=currency, stock=HOT_STOCK if n < HOT_PARTS else STOCK)
        for n in range(PARTS)
    ])  # fmt: skip
    part_ids = [p.id for p in await Part.all().order_by("id")]
    await Customer.bulk_create([
        Customer(first_name="Bench", last_name=f"Buyer {n}", email=f"buyer{n}@bench.example",
                 phone=f"+38050{n:07d}", locale="en")
        for n in range(buyers)
    ])  # fmt: skip
    customers = await Customer.all().order_by("id")
    await Cart.bulk_create([Cart(customer_id=c.id) for c in customers])
    carts = await Cart.all().order_by("id").values_list("id", flat=True)
    # Carts of 1 to 3 lines; some lines want a hot part, the rest any part, popular ones more.
    hot, others = part_ids[:HOT_PARTS], part_ids[HOT_PARTS:]
    weights = [1 / (rank + 1) ** 0.5 for rank in range(len(others))]
    lines, demand = [], Counter()
    for cart in carts:
        wanted = [rng.choice(hot) if rng.random() < HOT_SHARE else rng.choices(others, weights)[0]
                  for _ in range(rng.choice((1, 1, 2, 3)))]  # fmt: skip
        for part in sorted(set(wanted)):
            quantity = rng.choice((1, 1, 1, 2))
            lines.append(CartLine(cart_id=cart, part_id=part, quantity=quantity))
            demand[part] += quantity
    await CartLine.bulk_create(lines, batch_size=1000)
    stock = dict(await Part.all().values_list("id", "stock"))
    return stock, customers, dict(demand)


async def _check_out_everyone(customers: list, settings) -> tuple[list, float]:
    from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
    from core.orders.models import Channel, DeliveryMethod, PaymentMethod

    gate = asyncio.Semaphore(CONCURRENCY)
    pickup, cash = DeliveryChoice(DeliveryMethod.PICKUP), PaymentChoice(PaymentMethod.CASH)

    async def buy(customer):
        async with gate:
            return await place_order(customer, delivery=pickup, payment=cash, idempotency_key=f"bench-{customer.id}-key",
                                     channel=Channel.WEB, settings=settings)  # fmt: skip

    started, cpu = time.perf_counter(), time.process_time()
    results = await asyncio.gather(*(buy(c) for c in customers), return_exceptions=True)
    return results, time.perf_counter() - started, time.process_time() - cpu


async def _oversold(stock: dict[int, int]) -> tuple[int, int, int, int]:
    """(units ordered beyond the stock, parts whose stock went negative, units whose stock
    decrement and order lines disagree, units ordered)."""
    from core.catalogue.models import Part
    from core.orders.models import OrderLine

    ordered = Counter()
    for line in await OrderLine.all().values("part_id", "quantity"):
        ordered[line["part_id"]] += line["quantity"]
    left = dict(await Part.all().values_list("id", "stock"))
    beyond = sum(max(0, ordered[p] - initial) for p, initial in stock.items())
    negative = sum(1 for p in stock if left[p] < 0)
    # Every unit that left the shelf is in an order line, and nothing else left it.
    mismatch = sum(abs(stock[p] - left[p] - ordered[p]) for p in stock)
    return beyond, negative, mismatch, sum(ordered.values())


@benchmark("checkout")
async def checkout_throughput(ctx: BenchContext) -> list[Result]:
    from core.errors import ValidationError
    from core.orders.models import Order

    name = f"gearshop_bench_{uuid.uuid4().hex[:10]}"
    try:
        await _admin(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001 - any failure means "no server here": say so, go on
        reason = f"skipped: PostgreSQL not reachable at {PG_ADMIN_DSN} ({type(exc).__name__}: {exc})"
        return [Result("checkout on PostgreSQL", 0, "orders/s", f"≥ {TARGET}", None, reason)]
    try:
        url = _shop_url(name)
        await create_schema(url)
        settings = load_settings(environ={})
        async with database(url):
            stock, customers, demand = await _stock_up(BUYERS[ctx.size], settings.shop.currency)
            results, seconds, cpu = await _check_out_everyone(customers, settings)
            beyond, negative, mismatch, units = await _oversold(stock)
            orders = await Order.all().count()
    finally:
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    placed = sum(isinstance(r, Order) for r in results)
    refused = sum(isinstance(r, ValidationError) for r in results)
    failed = [r for r in results if not isinstance(r, Order | ValidationError)]
    rate = placed / seconds
    total_stock, wanted = sum(stock.values()), sum(demand.values())
    oversell = beyond + negative
    return [
        Result("orders placed per second (PostgreSQL)", rate, "orders/s", f"≥ {TARGET}", rate >= TARGET and not failed,
               f"{placed:,} orders in {seconds:.1f} s, {CONCURRENCY} at a time, pool of 5 connections (URL default)"
               + (f"; {len(failed)} FAILED: {failed[0]!r}" if failed else "")),
        Result("  checkouts answered per second (orders + sold-out refusals)", (placed + refused) / seconds,
               "calls/s", "", None, f"{refused:,} refused as sold out; shop process CPU {cpu / max(placed + refused, 1) * 1000:.1f} ms "
               f"per checkout ({cpu / seconds:.2f} CPU s/s)"),
        Result("oversold units (ordered beyond stock, or stock < 0)", oversell, "units", "= 0",
               oversell == 0 and mismatch == 0 and orders == placed,
               f"{units:,} of {total_stock:,} units ordered, {wanted:,} wanted; {negative} parts below 0; "
               f"stock vs order lines mismatch {mismatch}; {orders:,} orders in the database"),
    ]  # fmt: skip
