"""Telegram through a local Bot API server (tests/fakes/bot_api.py): the staff group gets new
orders (with the bot's buttons), customers who linked Telegram get their messages, 429 waits
exactly retry_after, and the token never shows in an error."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from core.adapters.staff_telegram import StaffTelegramAdapter
from core.notifications.models import OutboxStatus
from core.notifications.ports import PermanentError, TransientError
from core.notifications.registry import build_adapters, close_adapters
from core.notifications.worker import OutboxWorker
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue
from tests.core.test_adapters_sms import text_message
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.smtp import free_port

STAFF_CHAT = -1001234567890


@pytest.fixture
async def bot_api():
    async with FakeBotAPI() as server:
        yield server


def telegram_settings(settings, api, **bot):
    return replace_settings(settings, bot={"token": api.token, "api_server": api.url, "staff_chat_id": STAFF_CHAT, **bot},
                            notifications={"staff": {"telegram": True}})


def buttons(message):
    if message.kind != "order_placed":
        return None
    return {"inline_keyboard": [[{"text": "Confirm", "callback_data": f"staff:confirm:{message.order.number}"}]]}


async def test_staff_group_gets_the_new_order_with_buttons(db, settings, bot_api):
    customer = await make_customer()
    order = await make_order(customer)
    await queue("order_placed", "staff_telegram", customer=customer, order=order)
    s = telegram_settings(settings, bot_api)
    adapters = build_adapters(s, reply_markup_builder=buttons)
    try:
        assert await OutboxWorker(s, adapters, "tg").run_once() == 1
    finally:
        await close_adapters(adapters)

    card = bot_api.last_to(STAFF_CHAT)
    assert f"New order {order.number}" in card.text
    assert f"Customer: {customer.full_name}, {customer.phone}" in card.text
    assert "0986452041" in card.text and "Київ, branch 12" in card.text
    assert customer.email not in card.text
    assert card.reply_markup == {"inline_keyboard": [[{"text": "Confirm",
                                                       "callback_data": f"staff:confirm:{order.number}"}]]}


async def test_an_aiogram_keyboard_from_the_bot_hook_is_sent_as_json(bot_api):
    def keyboard(message):
        return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Ship", callback_data="staff:ship:1")]])

    adapter = StaffTelegramAdapter(bot_api.token, bot_api.url, STAFF_CHAT, reply_markup_builder=keyboard)
    try:
        await adapter.send(text_message(channel="staff_telegram", text="New order GS-1"))
    finally:
        await adapter.close()
    assert bot_api.last_to(STAFF_CHAT).reply_markup == {
        "inline_keyboard": [[{"text": "Ship", "callback_data": "staff:ship:1"}]]}


async def test_a_customer_who_linked_telegram_gets_the_message_in_the_chat(db, settings, bot_api):
    customer = await make_customer(telegram_user_id=555000111, locale="uk")
    order = await make_order(customer)
    await queue("order_shipped", "telegram", customer=customer, order=order)
    await order.__class__.filter(id=order.id).update(tracking_number="20450000000077")
    s = telegram_settings(settings, bot_api)
    adapters = build_adapters(s)
    try:
        await OutboxWorker(s, adapters, "tg").run_once()
    finally:
        await close_adapters(adapters)
    text = bot_api.last_to(555000111).text
    assert f"Замовлення {order.number} вже в дорозі." in text and "20450000000077" in text
    assert customer.full_name not in text and customer.phone not in text  # the chat needs no contact data


async def test_flood_control_waits_exactly_retry_after(db, settings, bot_api):
    row = await queue("order_placed", "staff_telegram", order=await make_order(await make_customer()))
    bot_api.flood("sendMessage", retry_after=7)
    s = telegram_settings(settings, bot_api)
    adapters = console_adapters(io.StringIO())
    adapters["staff_telegram"] = StaffTelegramAdapter(bot_api.token, bot_api.url, STAFF_CHAT)
    before = dt.datetime.now(dt.UTC)
    try:
        await OutboxWorker(s, adapters, "tg").run_once()
    finally:
        await adapters["staff_telegram"].close()
    after = dt.datetime.now(dt.UTC)
    await row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and "429" in row.last_error
    assert before + dt.timedelta(seconds=7) <= row.next_attempt_at <= after + dt.timedelta(seconds=7)


async def test_telegram_errors_keep_the_token_out(bot_api):
    wrong = "987654321:AAWrongTokenWrongTokenWrongToken-xyz"
    adapter = StaffTelegramAdapter(wrong, bot_api.url, STAFF_CHAT)
    try:
        with pytest.raises(PermanentError, match="401") as failure:
            await adapter.send(text_message(channel="staff_telegram"))
    finally:
        await adapter.close()
    assert wrong not in str(failure.value)
    assert adapter.api.http.scrub(f"http://x/bot{wrong}/sendMessage") == "http://x/bot***/sendMessage"


async def test_an_unreachable_bot_api_is_transient():
    adapter = StaffTelegramAdapter("1:token", f"http://127.0.0.1:{free_port()}", STAFF_CHAT)
    try:
        with pytest.raises(TransientError):
            await adapter.send(text_message(channel="staff_telegram"))
    finally:
        await adapter.close()


async def test_the_bot_areas_hook_object_adds_its_buttons(db, settings, bot_api):
    class BotHooks:
        @staticmethod
        def staff_reply_markup(message):
            return buttons(message)

    order = await make_order(await make_customer())
    await queue("order_placed", "staff_telegram", order=order)
    s = telegram_settings(settings, bot_api)
    adapters = build_adapters(s, bot=BotHooks())
    try:
        await OutboxWorker(s, adapters, "tg").run_once()
    finally:
        await close_adapters(adapters)
    assert bot_api.last_to(STAFF_CHAT).reply_markup["inline_keyboard"][0][0]["text"] == "Confirm"
