"""Telegram Payments: an invoice in the chat, the pre-checkout answer, the successful payment."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from bot.app import build_dispatcher
from core.errors import ValidationError
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import Channel, DeliveryMethod, Order, PaymentMethod
from core.orders.status import change_status
from core.payments.models import Payment, PaymentNotification
from tests.bot.conftest import OLENA, Telegram, button_datas
from tests.bot.test_conversation import SAYS, buy_filter, choose_golf
from tests.conftest import replace_settings
from tests.fakes.bot_api import pre_checkout_query, successful_payment

PROVIDER_TOKEN = "284685063:TEST:gearshop-tests"
_charges = itertools.count(1)
CANCELLED = {"uk": "скасовано", "es": "cancelado"}


@pytest.fixture
async def paying(db, make_telegram) -> Telegram:
    return await make_telegram(payments_provider_token=PROVIDER_TOKEN)


async def order_paid_in_telegram(telegram: Telegram, who: dict) -> Order:
    await telegram.say(who, "/start")
    await choose_golf(telegram, who)
    await buy_filter(telegram, who, SAYS[who["language_code"]])
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who)
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    await telegram.press(who, telegram.last(who), "k:payment:card.telegram")
    await telegram.press(who, telegram.last(who), "k:confirm")
    return await Order.get(customer__telegram_user_id=who["id"])


def last_invoice(telegram: Telegram) -> dict:
    return telegram.api.calls_of("sendInvoice")[-1].params


async def pay(telegram: Telegram, who: dict, invoice: dict, charge: str | None = None) -> dict:
    charge = charge or f"tg-charge-{next(_charges)}"
    return await telegram.feed(
        successful_payment(
            who, invoice["payload"], invoice["prices"][0]["amount"], invoice["currency"], charge
        )
    )


async def test_an_invoice_paid_in_telegram_pays_the_order_once(paying: Telegram, shop):
    olena = {**OLENA, "language_code": "en"}
    await paying.say(olena, "/start")
    await choose_golf(paying, olena)
    await buy_filter(paying, olena, SAYS["en"])
    await paying.say(olena, "/checkout")
    await paying.press(olena, paying.last(olena), "k:accept")
    await paying.share_contact(olena)
    await paying.press(olena, paying.last(olena), "k:delivery:pickup")
    assert "Card, in Telegram" in str(paying.last(olena).reply_markup)
    await paying.press(olena, paying.last(olena), "k:payment:card.telegram")
    assert "Card, in Telegram's payment form" in paying.last(olena).text
    await paying.press(olena, paying.last(olena), "k:confirm")
    order = await Order.get(customer__telegram_user_id=olena["id"])
    assert (order.payment_method, order.payment_provider, order.payment_state) == (
        "card",
        "telegram",
        "pending",
    )

    invoice = last_invoice(paying)
    payment = await Payment.get(order_id=order.id)
    assert invoice["chat_id"] == olena["id"] and invoice["provider_token"] == PROVIDER_TOKEN
    assert (invoice["payload"], invoice["currency"]) == (payment.reference, "EUR")
    assert [p["amount"] for p in invoice["prices"]] == [order.total] and order.number in invoice["title"]
    assert "Telegram's payment form" in paying.api.texts_to(olena["id"])[-2]

    await paying.feed(pre_checkout_query(olena, invoice["payload"], order.total, "EUR", query_id="pc1"))
    assert paying.api.calls_of("answerPreCheckoutQuery")[-1].params == {
        "pre_checkout_query_id": "pc1",
        "ok": True,
    }
    await pay(paying, olena, invoice, charge="tg-charge-A")
    assert (await Order.get(id=order.id)).payment_state == "paid"
    assert f"Payment received for order {order.number}" in paying.last(olena).text
    # Telegram delivering the same payment again (a new update) records nothing new.
    await pay(paying, olena, invoice, charge="tg-charge-A")
    assert await PaymentNotification.filter(provider="telegram").count() == 1
    assert (await Payment.get(id=payment.id)).transaction_id == "tg-charge-A"
    # A paid order offers no payment any more, and the invoice is refused at pre-checkout.
    await paying.say(olena, "/orders")
    await paying.press(olena, paying.last(olena), "o:")
    assert "(paid)" in paying.last(olena).text and button_datas(paying.last(olena)) == []
    await paying.feed(pre_checkout_query(olena, invoice["payload"], order.total, "EUR", query_id="pc2"))
    refused = paying.api.calls_of("answerPreCheckoutQuery")[-1].params
    assert refused["ok"] is False and "already paid" in refused["error_message"]


@pytest.mark.parametrize("language", ["uk", "es"])
async def test_pre_checkout_refuses_a_cancelled_order_or_a_changed_amount(paying: Telegram, shop, language):
    who = {**OLENA, "language_code": language}
    order = await order_paid_in_telegram(paying, who)
    invoice = last_invoice(paying)
    await paying.feed(pre_checkout_query(who, invoice["payload"], order.total - 1, "EUR", query_id="a"))
    await paying.feed(pre_checkout_query(who, "pay-forged", order.total, "EUR", query_id="b"))
    await change_status(order, "cancelled", actor="staff:test")
    await paying.feed(pre_checkout_query(who, invoice["payload"], order.total, "EUR", query_id="c"))
    answers = {
        c.params["pre_checkout_query_id"]: c.params for c in paying.api.calls_of("answerPreCheckoutQuery")
    }
    assert all(answers[q]["ok"] is False and answers[q]["error_message"] for q in "abc")
    assert CANCELLED[language] in answers["c"]["error_message"]  # in the customer's language
    assert "invoice is out of date" not in answers["a"]["error_message"] + answers["b"]["error_message"]
    assert (await Order.get(id=order.id)).payment_state == "pending"


async def test_a_payment_that_does_not_match_is_not_applied(paying: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(paying, who)
    invoice = {**last_invoice(paying), "prices": [{"label": "x", "amount": order.total - 100}]}
    await pay(paying, who, invoice)
    assert (await Order.get(id=order.id)).payment_state == "pending"
    assert "checking it" in paying.last(who).text


async def test_pay_again_from_the_order_sends_a_new_invoice(paying: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(paying, who)
    await paying.say(who, "/orders")
    await paying.press(who, paying.last(who), "o:")
    details = paying.last(who)
    assert "awaiting payment" in details.text
    await paying.press(who, details, "pay:")
    assert len(paying.api.calls_of("sendInvoice")) == 2
    second = last_invoice(paying)
    assert await Payment.filter(order_id=order.id).count() == 2
    await pay(paying, who, second)
    assert (await Order.get(id=order.id)).payment_state == "paid"
    await paying.press_data(who, f"pay:{order.number}", details)
    assert "already paid" in paying.last_answer()["text"] and len(paying.api.calls_of("sendInvoice")) == 2


async def test_payments_are_not_throttled(db, make_telegram, shop):
    telegram = await make_telegram(payments_provider_token=PROVIDER_TOKEN, updates_per_minute_per_user=200)
    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(telegram, who)
    invoice = last_invoice(telegram)
    # The limit is reached by a chatty customer, then the money arrives.
    throttle = next(
        m for m in telegram.dispatcher.update.outer_middleware if type(m).__name__ == "ThrottleUsers"
    )
    throttle.per_minute = 1
    await telegram.say(who, "/help")
    await telegram.feed(pre_checkout_query(who, invoice["payload"], order.total, "EUR", query_id="t"))
    assert telegram.api.calls_of("answerPreCheckoutQuery")[-1].params["ok"] is True
    await pay(telegram, who, invoice)
    assert (await Order.get(id=order.id)).payment_state == "paid"


async def test_without_a_provider_token_telegram_payments_are_not_offered(telegram: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await telegram.say(who, "/start")
    await choose_golf(telegram, who)
    await buy_filter(telegram, who, SAYS["en"])
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who)
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    assert not any("telegram" in d for d in button_datas(telegram.last(who)))
    await telegram.press_data(who, "k:payment:card.telegram", telegram.last(who))
    assert "no longer valid" in telegram.last_answer()["text"]
    with pytest.raises(ValidationError):
        await place_order(
            await telegram_customer(who),
            delivery=DeliveryChoice(method=DeliveryMethod.PICKUP),
            payment=PaymentChoice(method=PaymentMethod.CARD, provider="telegram"),
            idempotency_key="k" * 32,
            channel=Channel.TELEGRAM,
            settings=telegram.settings,
        )
    assert await Order.all().count() == 0 and telegram.api.calls_of("sendInvoice") == []


async def test_the_web_cannot_choose_telegram_payments(paying: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await order_paid_in_telegram(paying, who)
    await buy_filter(paying, who, SAYS["en"])
    with pytest.raises(ValidationError):
        await place_order(
            await telegram_customer(who),
            delivery=DeliveryChoice(method=DeliveryMethod.PICKUP),
            payment=PaymentChoice(method=PaymentMethod.CARD, provider="telegram"),
            idempotency_key="w" * 32,
            channel=Channel.WEB,
            settings=paying.settings,
        )


async def telegram_customer(who: dict):
    from core.customers.models import Customer

    return await Customer.get(telegram_user_id=who["id"])


async def test_a_double_tap_sends_one_invoice(paying: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await paying.say(who, "/start")
    await choose_golf(paying, who)
    await buy_filter(paying, who, SAYS["en"])
    await paying.say(who, "/checkout")
    await paying.press(who, paying.last(who), "k:accept")
    await paying.share_contact(who)
    await paying.press(who, paying.last(who), "k:delivery:pickup")
    await paying.press(who, paying.last(who), "k:payment:card.telegram")
    summary = paying.last(who)
    taps = [paying.callback_update(who, summary, "k:confirm") for _ in range(3)]
    await asyncio.gather(*(paying.feed(tap) for tap in taps))
    assert await Order.all().count() == 1 and await Payment.all().count() == 1
    assert len(paying.api.calls_of("sendInvoice")) == 1


async def test_an_invoice_telegram_refuses_leaves_the_order_and_says_so(paying: Telegram, shop, caplog):
    from core.catalogue.models import Part

    await Part.filter(id=shop.filter_bosch).update(price=40)  # under the provider's smallest invoice
    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(paying, who)
    assert order.total == 40 and paying.api.calls_of("sendInvoice")
    texts = paying.api.texts_to(who["id"])
    assert order.number in texts[-2] and "not available right now" in texts[-1]
    await paying.say(who, "/orders")
    await paying.press(who, paying.last(who), "o:")
    await paying.press(who, paying.last(who), "pay:")
    assert "not available right now" in paying.last_answer()["text"]
    assert any("refused the invoice" in r.message for r in caplog.records)


async def test_a_payment_arriving_in_the_middle_of_a_conversation_is_recorded(paying: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(paying, who)
    invoice = last_invoice(paying)
    await paying.say(who, "/forgetme")  # a question is waiting for an answer when the money arrives
    await pay(paying, who, invoice)
    assert (await Order.get(id=order.id)).payment_state == "paid"
    assert "Payment received" in paying.last(who).text


async def test_a_failure_at_pre_checkout_still_answers_telegram(db, paying: Telegram, shop):
    from core.db import close_database, open_database

    who = {**OLENA, "language_code": "en"}
    order = await order_paid_in_telegram(paying, who)
    invoice = last_invoice(paying)
    await close_database()  # the database goes away just as the customer presses Pay
    try:
        await paying.feed(pre_checkout_query(who, invoice["payload"], order.total, "EUR", query_id="down"))
    finally:
        await open_database(db.url)
    answer = paying.api.calls_of("answerPreCheckoutQuery")[-1].params
    assert answer["ok"] is False and "something went wrong" in answer["error_message"]


async def test_card_services_are_offered_by_their_names(db, make_telegram, shop):
    liqpay = {"public_key": "pk", "private_key": "sk"}
    telegram = await make_telegram(payments_provider_token=PROVIDER_TOKEN)
    two_pages = replace_settings(
        telegram.settings, payments={"providers": ("sandbox", "liqpay"), "liqpay": liqpay}
    )
    first_dispatcher, telegram.dispatcher = telegram.dispatcher, build_dispatcher(two_pages)
    await first_dispatcher.storage.close()
    who = {**OLENA, "language_code": "en"}
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who)
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    texts = [b["text"] for row in telegram.last(who).reply_markup["inline_keyboard"] for b in row]
    assert texts[1:4] == ["💳 Card (Sandbox bank)", "💳 Card (LiqPay)", "💳 Card, in Telegram"]
