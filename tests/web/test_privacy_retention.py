"""P12, P17: the web process runs the retention purge on its own schedule (first at start-up),
so an old access-log row or abandoned cart goes without anyone running a command."""

from __future__ import annotations

import asyncio
import datetime as dt

from core import db as core_db
from tests.web.conftest import sqlite_only

NOW = dt.datetime.now(dt.UTC)


@sqlite_only
async def test_the_web_process_purges_on_its_schedule(app_client, db_url):
    from core.carts.models import Cart
    from core.customers.models import Customer
    from core.privacy.models import AccessLog

    await core_db.open_database(db_url.url)
    try:
        customer = await Customer.create(first_name="Ana", email="ana@example.com", confirmed_at=NOW)
        old = await AccessLog.create(customer=customer, event="sign_in", ip="192.0.2.10")
        await AccessLog.filter(id=old.id).update(created_at=NOW - dt.timedelta(days=8))
        recent = await AccessLog.create(customer=customer, event="sign_in", ip="192.0.2.10")
        stale_cart = await Cart.create(token_hash="a" * 64)
        await Cart.filter(id=stale_cart.id).update(updated_at=NOW - dt.timedelta(days=8))
    finally:
        await core_db.close_database()

    client = await app_client(background=True, notifications={"worker_in_process": False},
                              privacy={"access_log_days": 7, "anonymous_cart_days": 7})
    for _ in range(100):
        if not await AccessLog.filter(id=old.id).exists():
            break
        await asyncio.sleep(0.02)
    assert await AccessLog.all().values_list("id", flat=True) == [recent.id]
    assert not await Cart.exists()
    await client.close()  # the schedule stops with the app; a pending task would fail the suite
