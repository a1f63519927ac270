"""P14 over HTTP: providers post payment notifications that carry card numbers, card masks, CVV
and the payer's name (as real ones may); the shop applies the payment and keeps none of it: not
in any table, any log line, any message it sends, nor on any page the customer sees."""

from __future__ import annotations

import io
import json
import logging

from tortoise import connections

from core.notifications.worker import OutboxWorker
from core.payments.models import Payment, PaymentNotification
from tests.core.notifications_factories import console_adapters
from tests.fakes.liqpay import liqpay_fields
from tests.web.conftest import Catalogue
from tests.web.test_checkout_pages import add_to_cart, buy
from tests.web.test_payment_pages import card_order, signed_answer, the_order
from web import keys

PUBLIC, PRIVATE = "sandbox_i000000077", "liqpay_private_key_for_tests_only"
CARD = "4111111111111111"
CARD_DATA = {"card_number": CARD, "sender_card_mask2": "411111*11", "card_cvv": "737", "card_exp": "12/29",
             "sender_first_name": "Ivanna", "sender_last_name": "Cardholderenko"}
# (the CVV is looked for by its field name: three digits also occur by chance in hashes)
SECRETS = (CARD, "411111*11", "card_cvv", "card_exp", "12/29", "Ivanna", "Cardholderenko")
LIQPAY = {"providers": ("sandbox", "liqpay"), "liqpay": {"public_key": PUBLIC, "private_key": PRIVATE}}


async def every_table_as_text(kind: str) -> tuple[str, int]:
    conn = connections.get("default")
    if kind == "postgres":
        rows = await conn.execute_query_dict("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    dumps = [str(await conn.execute_query_dict(f'SELECT * FROM "{row["name"]}"')) for row in rows]
    return "\n".join(dumps), len(rows)


async def test_card_data_in_notifications_is_kept_nowhere(app_client, catalogue: Catalogue, db_url, caplog):
    caplog.set_level(logging.DEBUG)
    client, customer, bank_path = await card_order(app_client, catalogue, payments=LIQPAY)
    app = client.server.app

    # The sandbox bank's notification, with card data added, posted like a bank does (no CSRF token).
    sandbox_fields = {**signed_answer(app, bank_path, approve=True), **CARD_DATA}
    answered = await client.post("/payments/notify/sandbox", data=sandbox_fields)
    assert answered.status == 200 and (await answered.json())["result"] == "applied"
    first = await the_order(customer)
    assert first.payment_state == "paid"

    # A LiqPay callback for a second order, its card data inside the signed base64 body.
    await add_to_cart(client, catalogue.filter_bosch)
    placed = await buy(client, delivery="pickup", payment="card:liqpay")
    assert placed.status == 303 and placed.headers["Location"].startswith("https://www.liqpay.ua/")
    from core.orders.models import Order

    second = await Order.filter(customer_id=customer.id).exclude(id=first.id).first()
    payment = await Payment.get(order_id=second.id)
    body = {"public_key": PUBLIC, "payment_id": 2_000_000_077, "order_id": payment.reference, "status": "success",
            "amount": "12.50", "currency": "EUR", **CARD_DATA}
    answered = await client.post("/payments/notify/liqpay", data=liqpay_fields(PRIVATE, body))
    assert answered.status == 200 and (await answered.json())["result"] == "applied"
    await second.refresh_from_db()
    assert second.payment_state == "paid"

    # What the customer sees: the order pages, the payment return page, the data export.
    seen = [await (await client.get(f"/orders/{o.number}")).text() for o in (first, second)]
    seen.append(await (await client.get(f"/payments/return/{first.number}")).text())
    token = await client.get("/account/data")
    from tests.web.conftest import CSRF_INPUT

    export = await client.post("/account/data", data={"csrf_token": CSRF_INPUT.search(await token.text()).group(1)})
    seen.append(await export.text())
    assert [o["payment_state"] for o in json.loads(seen[-1])["orders"]] == ["paid", "paid"]

    # Every message the shop sends about it (rendered by the real worker, printed by console adapters).
    printed = io.StringIO()
    sent = await OutboxWorker(app[keys.SETTINGS], console_adapters(printed), "p14").run_once()
    assert sent > 0 and first.number in printed.getvalue()

    stored, tables = await every_table_as_text(db_url.kind)
    assert tables > 20 and first.number in stored and payment.reference in stored
    assert "2000000077" in stored  # the provider's transaction id is what the shop keeps
    assert await PaymentNotification.all().count() == 2
    for where, text in (("tables", stored), ("logs", caplog.text), ("messages", printed.getvalue()),
                        *((f"page {i}", page) for i, page in enumerate(seen))):
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in {where}"
