"""P14: payment notifications are verified, de-duplicated, amount-checked, forward-only, card-free."""

import asyncio
import logging
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from tortoise import connections

from core.carts.service import CartOwner, add_to_cart
from core.errors import ValidationError
from core.notifications.models import OutboxMessage
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import Channel, DeliveryMethod, Order, OrderStatus, PaymentMethod, PaymentState
from core.orders.status import change_status
from core.payments.liqpay import LiqPayProvider
from core.payments.models import Payment, PaymentNotification
from core.payments.ports import InvalidNotification
from core.payments.sandbox import SandboxProvider
from core.payments.service import (
    APPLIED,
    DUPLICATE,
    IGNORED,
    NOT_FINAL,
    REJECTED_AMOUNT,
    REJECTED_CURRENCY,
    UNKNOWN_PAYMENT,
    build_providers,
    handle_notification,
    start_payment,
)
from tests.conftest import replace_settings
from tests.core.commerce_factories import make_customer, make_part
from tests.fakes.liqpay import FakeLiqPay, liqpay_fields

PUBLIC, PRIVATE = "sandbox_i000000001", "sandbox_private_key_for_tests_only"
CARD = "4111111111111111"
SECRET = "sandbox-secret-for-tests-0123456789"


@pytest.fixture
def card_settings(settings):
    return replace_settings(
        settings,
        payments={
            "providers": ("sandbox", "liqpay"),
            "liqpay": {"public_key": PUBLIC, "private_key": PRIVATE},
        },
    )


async def _card_order(settings, provider="sandbox", price=1250, quantity=2):
    customer = await make_customer()
    part = await make_part(price=price, stock=10)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, quantity)
    return await place_order(
        customer,
        delivery=DeliveryChoice(DeliveryMethod.PICKUP),
        payment=PaymentChoice(PaymentMethod.CARD, provider=provider),
        idempotency_key=f"card-{customer.id}-key",
        channel=Channel.WEB,
        settings=settings,
    )


async def _sandbox_payment(settings):
    order = await _card_order(settings)
    sandbox = SandboxProvider(SECRET, "http://shop.test")
    url = await start_payment(
        order, sandbox, return_url="http://shop.test/orders/x", notify_url="http://shop.test/pay/notify"
    )
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    page = sandbox.read_page(parts.path.rsplit("/", 1)[1], query)
    return order, sandbox, page, url


async def _state(order):
    fresh = await Order.get(id=order.id)
    payment = await Payment.filter(order_id=order.id).order_by("-id").first()
    return fresh.payment_state, payment.state


async def _messages(order, kind):
    return await OutboxMessage.filter(order_id=order.id, kind=kind, channel="email").count()


async def test_the_sandbox_bank_pays_an_order(db, settings):
    order, sandbox, page, url = await _sandbox_payment(settings)
    assert url.startswith(f"http://shop.test/sandbox-bank/{page.reference}?")
    assert (page.amount, page.currency, page.order) == (2500, "EUR", order.number)
    assert page.notify_url == "http://shop.test/pay/notify"

    outcome = await handle_notification(sandbox, sandbox.bank_answer(page, approve=True))

    assert (outcome.result, outcome.payment_state, outcome.order_number) == (APPLIED, "paid", order.number)
    assert await _state(order) == (PaymentState.PAID, "paid")
    assert await _messages(order, "payment_received") == 1
    message = await OutboxMessage.get(order_id=order.id, kind="payment_received", channel="email")
    assert (message.payload["amount"], message.payload["currency"], message.payload["number"]) == (
        2500,
        "EUR",
        order.number,
    )
    stored = await PaymentNotification.get()
    assert (stored.provider, stored.status, stored.amount, stored.currency, stored.outcome) == (
        "sandbox",
        "paid",
        2500,
        "EUR",
        APPLIED,
    )


async def test_a_tampered_sandbox_link_is_refused(db, settings):
    order, sandbox, page, url = await _sandbox_payment(settings)
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    with pytest.raises(InvalidNotification):
        sandbox.read_page(page.reference, {**query, "amount": "1"})
    with pytest.raises(InvalidNotification):
        sandbox.read_page("pay-someone-else", query)


async def test_forged_notifications_change_nothing(db, settings, card_settings):
    order, sandbox, page, _ = await _sandbox_payment(settings)
    answer = sandbox.bank_answer(page, approve=True)
    forgeries = [
        {**answer, "signature": "0" * 64},
        {**answer, "amount": "1"},
        {k: v for k, v in answer.items() if k != "signature"},
        SandboxProvider("another-secret-entirely", "http://shop.test").bank_answer(page, approve=True),
    ]
    for fields in forgeries:
        with pytest.raises(InvalidNotification):
            await handle_notification(sandbox, fields)
    liqpay = LiqPayProvider(PUBLIC, PRIVATE)
    good = liqpay_fields(
        PRIVATE,
        {"payment_id": 1, "order_id": page.reference, "status": "success", "amount": 25, "currency": "EUR"},
    )
    for fields in (
        {**good, "signature": liqpay_fields("wrong-key", {"x": 1})["signature"]},
        {"data": good["data"]},
        liqpay_fields(
            PRIVATE,
            {
                "payment_id": 1,
                "order_id": page.reference,
                "status": "success",
                "amount": 25,
                "currency": "EUR",
                "public_key": "someone_else",
            },
        ),
        {"data": "bm90IGpzb24=", "signature": liqpay_fields(PRIVATE, {})["signature"]},
    ):
        with pytest.raises(InvalidNotification):
            liqpay.verify(fields)
    assert await PaymentNotification.all().count() == 0
    assert await _state(order) == (PaymentState.PENDING, "pending")
    assert await _messages(order, "payment_received") == 0


async def test_a_replayed_notification_has_one_effect_even_concurrently(db, settings):
    order, sandbox, page, _ = await _sandbox_payment(settings)
    answer = sandbox.bank_answer(page, approve=True)
    first = await handle_notification(sandbox, answer)
    replays = await asyncio.gather(*(handle_notification(sandbox, dict(answer)) for _ in range(5)))
    assert first.result == APPLIED
    assert {r.result for r in replays} == {DUPLICATE} and replays[0].order_number == order.number

    concurrent = sandbox.bank_answer(page, approve=False)  # a new transaction, sent five times at once
    results = await asyncio.gather(*(handle_notification(sandbox, dict(concurrent)) for _ in range(5)))
    assert sorted(r.result for r in results) == [DUPLICATE] * 4 + [IGNORED]
    assert await PaymentNotification.all().count() == 2
    assert await _messages(order, "payment_received") == 1
    assert await _messages(order, "payment_failed") == 0
    assert await _state(order) == (PaymentState.PAID, "paid")


async def test_wrong_amount_or_currency_is_recorded_as_rejected_and_changes_nothing(
    db, settings, card_settings
):
    order = await _card_order(card_settings, provider="liqpay", price=1250, quantity=1)
    liqpay = LiqPayProvider(PUBLIC, PRIVATE)
    await start_payment(order, liqpay, return_url="http://shop.test/r", notify_url="http://shop.test/n")
    payment = await Payment.get(order_id=order.id)
    base = {"order_id": payment.reference, "status": "success", "public_key": PUBLIC}
    low = await handle_notification(
        liqpay, liqpay_fields(PRIVATE, {**base, "payment_id": 11, "amount": 0.01, "currency": "EUR"})
    )
    other = await handle_notification(
        liqpay, liqpay_fields(PRIVATE, {**base, "payment_id": 12, "amount": 12.5, "currency": "UAH"})
    )
    assert (low.result, other.result) == (REJECTED_AMOUNT, REJECTED_CURRENCY)
    rows = (
        await PaymentNotification.all()
        .order_by("id")
        .values_list("transaction_id", "amount", "currency", "outcome")
    )
    assert rows == [("11", 1, "EUR", REJECTED_AMOUNT), ("12", 1250, "UAH", REJECTED_CURRENCY)]
    assert await _state(order) == (PaymentState.PENDING, "pending")
    assert await OutboxMessage.filter(kind__startswith="payment_").count() == 0
    # The right amount, as LiqPay writes it (a decimal number), is accepted.
    right = await handle_notification(
        liqpay, liqpay_fields(PRIVATE, {**base, "payment_id": 13, "amount": 12.5, "currency": "EUR"})
    )
    assert right.result == APPLIED and await _state(order) == (PaymentState.PAID, "paid")


async def test_the_payment_state_only_moves_forward(db, settings):
    order, sandbox, page, _ = await _sandbox_payment(settings)
    declined = await handle_notification(sandbox, sandbox.bank_answer(page, approve=False))
    assert declined.result == APPLIED and await _state(order) == (PaymentState.FAILED, "failed")
    assert await _messages(order, "payment_failed") == 1
    paid = await handle_notification(sandbox, sandbox.bank_answer(page, approve=True))  # retried and paid
    assert paid.result == APPLIED and await _state(order) == (PaymentState.PAID, "paid")
    late_failure = await handle_notification(sandbox, sandbox.bank_answer(page, approve=False))
    assert late_failure.result == IGNORED and await _state(order) == (PaymentState.PAID, "paid")
    assert await _messages(order, "payment_failed") == 1 and await _messages(order, "payment_received") == 1


async def test_an_unfinished_liqpay_status_is_not_recorded_and_the_final_one_counts(db, card_settings):
    order = await _card_order(card_settings, provider="liqpay", price=1000, quantity=1)
    liqpay = LiqPayProvider(PUBLIC, PRIVATE)
    await start_payment(order, liqpay, return_url="http://shop.test/r", notify_url="http://shop.test/n")
    reference = (await Payment.get(order_id=order.id)).reference
    body = {
        "order_id": reference,
        "payment_id": 77,
        "amount": "10.00",
        "currency": "EUR",
        "public_key": PUBLIC,
    }
    waiting = await handle_notification(liqpay, liqpay_fields(PRIVATE, {**body, "status": "3ds_verify"}))
    assert waiting.result == NOT_FINAL and await PaymentNotification.all().count() == 0
    done = await handle_notification(liqpay, liqpay_fields(PRIVATE, {**body, "status": "success"}))
    assert done.result == APPLIED and await _state(order) == (PaymentState.PAID, "paid")
    unknown = await handle_notification(
        liqpay,
        liqpay_fields(PRIVATE, {**body, "payment_id": 78, "order_id": "pay-nobody", "status": "failure"}),
    )
    assert unknown.result == UNKNOWN_PAYMENT and await _state(order) == (PaymentState.PAID, "paid")


async def test_liqpay_checkout_and_callback_round_trip(db, card_settings):
    order = await _card_order(card_settings, provider="liqpay", price=1999, quantity=3)
    outcomes = []

    async def notify_view(request: web.Request) -> web.Response:
        outcomes.append(await handle_notification(liqpay, dict(await request.post())))
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/payments/liqpay/notify", notify_view)
    async with FakeLiqPay(PUBLIC, PRIVATE) as bank, TestServer(app, host="127.0.0.1") as shop:
        liqpay = LiqPayProvider(PUBLIC, PRIVATE, checkout_url=bank.checkout_url)
        url = await start_payment(
            order,
            liqpay,
            return_url="http://shop.test/orders/1",
            notify_url=str(shop.make_url("/payments/liqpay/notify")),
        )
        async with aiohttp.ClientSession() as session, session.get(url) as page:
            assert page.status == 200 and bank.refused == 0
        reference = (await Payment.get(order_id=order.id)).reference
        request = bank.checkouts[reference]
        assert (request["amount"], request["currency"], request["action"]) == ("59.97", "EUR", "pay")
        assert request["result_url"] == "http://shop.test/orders/1" and order.number in request["description"]
        assert await bank.pay(reference, status="success") == 200
    assert [o.result for o in outcomes] == [APPLIED]
    assert await _state(order) == (PaymentState.PAID, "paid")


async def _all_table_text(db) -> str:
    conn = connections.get("default")
    if db.kind == "postgres":
        rows = await conn.execute_query_dict(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        )
    else:
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type = 'table'")
    dumps = [str(await conn.execute_query_dict(f'SELECT * FROM "{row["name"]}"')) for row in rows]
    assert any("payment_notification" in row["name"] for row in rows) and len(rows) > 20
    return "\n".join(dumps)


async def test_a_card_number_in_a_notification_is_stored_nowhere(db, card_settings, caplog):
    caplog.set_level(logging.DEBUG)
    card_extra = {
        "card_number": CARD,
        "sender_card_mask2": "411111*11",
        "sender_first_name": "Ivan",
        "card_cvv": "123",
        "card_exp_month": "12",
    }
    order = await _card_order(card_settings, provider="liqpay", price=500, quantity=1)
    async with FakeLiqPay(PUBLIC, PRIVATE) as bank:
        liqpay = LiqPayProvider(PUBLIC, PRIVATE, checkout_url=bank.checkout_url)
        await start_payment(order, liqpay, return_url="http://shop.test/r", notify_url="http://shop.test/n")
        async with (
            aiohttp.ClientSession() as session,
            session.get(
                await start_payment(
                    order, liqpay, return_url="http://shop.test/r", notify_url="http://shop.test/n"
                )
            ) as page,
        ):
            assert page.status == 200
        reference = (await Payment.filter(order_id=order.id).order_by("-id").first()).reference
        fields = bank.callback(reference, status="success", extra=card_extra)
    assert (await handle_notification(liqpay, fields)).result == APPLIED
    assert (await handle_notification(liqpay, fields)).result == DUPLICATE

    sandbox_order, sandbox, page, _ = await _sandbox_payment(card_settings)
    answer = {**sandbox.bank_answer(page, approve=True), **card_extra}
    assert (await handle_notification(sandbox, answer)).result == APPLIED

    text = await _all_table_text(db)
    # The dump does see the shop's data, notifications included.
    assert order.number in text and reference in text
    assert all(
        txn in text for txn in await PaymentNotification.all().values_list("transaction_id", flat=True)
    )
    for secret in (CARD, "411111*11", "424242*42", "Ivan", "card_cvv"):
        assert secret not in text, f"{secret!r} was stored"
    assert CARD not in caplog.text and "411111*11" not in caplog.text


async def test_payments_start_only_for_unpaid_card_orders(db, settings):
    sandbox = SandboxProvider(SECRET, "http://shop.test")
    customer = await make_customer()
    part = await make_part(stock=5)
    await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    cash = await place_order(
        customer,
        delivery=DeliveryChoice(DeliveryMethod.PICKUP),
        payment=PaymentChoice(PaymentMethod.CASH),
        idempotency_key="cash-order-key",
        channel=Channel.WEB,
        settings=settings,
    )
    with pytest.raises(ValidationError):
        await start_payment(cash, sandbox, return_url="r", notify_url="n")
    order, _, page, _ = await _sandbox_payment(settings)
    with pytest.raises(ValidationError):
        await start_payment(order, LiqPayProvider(PUBLIC, PRIVATE), return_url="r", notify_url="n")
    await handle_notification(sandbox, sandbox.bank_answer(page, approve=True))
    with pytest.raises(ValidationError):
        await start_payment(order, sandbox, return_url="r", notify_url="n")
    unpaid, _, _, _ = await _sandbox_payment(settings)
    await change_status(unpaid, OrderStatus.CANCELLED, actor="staff:1")
    with pytest.raises(ValidationError):
        await start_payment(unpaid, sandbox, return_url="r", notify_url="n")
    assert (
        await Payment.filter(order_id__in=[cash.id, unpaid.id]).count() == 1
    )  # the one made before cancelling


def test_providers_are_built_from_configuration(card_settings):
    providers = build_providers(card_settings, SECRET)
    assert sorted(providers) == ["liqpay", "sandbox"]
    assert providers["sandbox"].base_url == card_settings.shop.base_url
    assert providers["liqpay"].checkout_url == "https://www.liqpay.ua/api/3/checkout"
    with pytest.raises(ValueError):
        build_providers(card_settings, "")


@pytest.mark.parametrize(
    ("amount", "currency", "sent"), [(1250, "EUR", "12.50"), (1990, "ISK", "1990"), (12345, "KWD", "12.345")]
)
async def test_liqpay_amounts_have_the_currencys_minor_units(amount, currency, sent):
    # The same digits the importer read the price with and the shop displays it with.
    import base64
    import json

    liqpay = LiqPayProvider(PUBLIC, PRIVATE)
    payment = Payment(provider="liqpay", reference="pay-minor", amount=amount, currency=currency)
    url = await liqpay.start(payment, Order(number="GS-AAAA-BBBB", locale="en"), return_url="http://r", notify_url="http://n")
    data = parse_qs(urlsplit(url).query)["data"][0]
    assert json.loads(base64.b64decode(data))["amount"] == sent
    body = {"payment_id": 5, "order_id": "pay-minor", "status": "success", "amount": float(sent), "currency": currency}
    assert liqpay.verify(liqpay_fields(PRIVATE, body)).amount == amount


async def test_a_liqpay_test_payment_with_sandbox_keys_pays_the_order(db, card_settings):
    # LiqPay's test mode reports a payment that went through with the status "sandbox".
    order = await _card_order(card_settings, provider="liqpay", price=1000, quantity=1)
    sandbox_keys = LiqPayProvider(PUBLIC, PRIVATE)
    await start_payment(order, sandbox_keys, return_url="http://shop.test/r", notify_url="http://shop.test/n")
    reference = (await Payment.get(order_id=order.id)).reference
    body = {"order_id": reference, "payment_id": 90, "amount": 10, "currency": "EUR", "status": "sandbox"}

    real_keys = LiqPayProvider("i00000000042", PRIVATE)  # the same notification under live keys
    assert real_keys.verify(liqpay_fields(PRIVATE, {**body, "public_key": "i00000000042"})).status == "pending"
    for odd in (["success"], {"s": 1}, None):
        assert sandbox_keys.verify(liqpay_fields(PRIVATE, {**body, "status": odd})).status == "pending"

    done = await handle_notification(sandbox_keys, liqpay_fields(PRIVATE, body))
    assert done.result == APPLIED and await _state(order) == (PaymentState.PAID, "paid")
