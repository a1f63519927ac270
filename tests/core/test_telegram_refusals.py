"""The Telegram answers a real shop meets every week, through the real worker and the real Bot API
adapters against a local Bot API server (tests/fakes/bot_api.py):

- a customer blocked the bot (or deleted the account, or the chat is unknown): the message is
  undeliverable on Telegram, the email and SMS copies go, staff are not alerted, and Telegram is
  skipped until the customer writes to the bot again;
- the staff group became a supergroup: the message goes to the new chat at once and the log says
  which id to configure;
- flood control: the retry waits at least retry_after, for customer and staff messages.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramRetryAfter,
)

from core.adapters.console import ConsoleAdapter
from core.customers.data_rights import delete_account, export_customer_data
from core.customers.models import AuditEvent, Customer
from core.customers.telegram_link import mark_telegram_reachable
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.notifications.registry import build_adapters, close_adapters
from core.notifications.worker import OutboxWorker
from core.orders.models import DeliveryMethod
from core.orders.status import change_status
from tests.conftest import replace_settings
from tests.core.notifications_factories import make_customer, make_order, queue
from tests.fakes.bot_api import FakeBotAPI

STAFF_CHAT = -1001234567890
SUPERGROUP = -100123
CUSTOMER_CHAT = 555000222

REFUSALS = {
    "block_bot": "Forbidden: bot was blocked by the user",
    "deactivate_user": "Forbidden: user is deactivated",
    "forget_chat": "Bad Request: chat not found",
}


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@asynccontextmanager
async def worker_for(settings, api: FakeBotAPI, printed: io.StringIO, **builder):
    """A worker with the real Telegram adapters (customer and staff group) talking to `api`;
    email, SMS, staff email and delivery print into `printed` (the shop's console adapters)."""
    s = replace_settings(settings, bot={"token": api.token, "api_server": api.url, "staff_chat_id": STAFF_CHAT},
                         notifications={"staff": {"telegram": True}})
    adapters = build_adapters(s, **builder)
    adapters.update({ch: ConsoleAdapter(ch, printed) for ch in ("email", "sms", "staff_email", "delivery")})
    try:
        yield OutboxWorker(s, adapters, "tg")
    finally:
        await close_adapters(adapters)


async def rows(**filters) -> dict[str, OutboxMessage]:
    return {row.channel: row for row in await OutboxMessage.filter(**filters)}


# ---------------------------------------------------------------- a customer who blocked the bot


@pytest.mark.parametrize("refusal", sorted(REFUSALS))
async def test_a_customer_who_blocked_the_bot_still_gets_email_and_sms_and_staff_hear_nothing(
        db, settings, bot_api, refusal):
    customer = await make_customer(telegram_user_id=CUSTOMER_CHAT)
    order = await make_order(customer, delivery_method=DeliveryMethod.PICKUP)
    getattr(bot_api, refusal)(CUSTOMER_CHAT)
    printed = io.StringIO()
    async with worker_for(settings, bot_api, printed) as worker:
        await change_status(order, "confirmed", actor="staff:1")
        assert await worker.run_once() == 3

        confirmed = await rows(kind="order_confirmed")
        assert confirmed["telegram"].status == OutboxStatus.UNDELIVERABLE
        assert REFUSALS[refusal] in confirmed["telegram"].last_error
        assert confirmed["email"].status == confirmed["sms"].status == OutboxStatus.SENT
        assert f"Your order {order.number} is confirmed." in printed.getvalue()  # the email
        assert f"order {order.number} confirmed." in printed.getvalue()  # the SMS
        assert not await OutboxMessage.filter(kind="dead_letter").exists()
        assert bot_api.sent_to(STAFF_CHAT) == [] and "dead_letter" not in printed.getvalue()
        assert (await Customer.get(id=customer.id)).telegram_unreachable_at is not None
        assert await AuditEvent.filter(customer_id=customer.id, event="telegram_unreachable").count() == 1

        # The next message does not try Telegram again; email and SMS carry it.
        await change_status(order, "cancelled", actor="staff:1")
        assert set(await rows(kind="order_cancelled")) == {"email", "sms"}
        assert await worker.run_once() == 2
    assert len(bot_api.calls_of("sendMessage")) == 1


async def test_telegram_messages_queued_before_the_block_was_known_are_not_tried(db, settings, bot_api):
    customer = await make_customer(telegram_user_id=CUSTOMER_CHAT)
    order = await make_order(customer)
    first = await queue("order_confirmed", "telegram", customer=customer, order=order)
    second = await queue("order_shipped", "telegram", customer=customer, order=order)
    bot_api.block_bot(CUSTOMER_CHAT)
    async with worker_for(settings, bot_api, io.StringIO()) as worker:
        assert await worker.run_once() == 2
    await first.refresh_from_db()
    await second.refresh_from_db()
    assert first.status == second.status == OutboxStatus.UNDELIVERABLE
    assert "blocked the bot" in second.last_error
    assert len(bot_api.calls_of("sendMessage")) == 1
    assert not await OutboxMessage.filter(kind="dead_letter").exists()


async def test_telegram_messages_resume_once_the_customer_writes_to_the_bot_again(db, settings, bot_api):
    customer = await make_customer(telegram_user_id=CUSTOMER_CHAT)
    order = await make_order(customer, delivery_method=DeliveryMethod.PICKUP)
    bot_api.block_bot(CUSTOMER_CHAT)
    async with worker_for(settings, bot_api, io.StringIO()) as worker:
        await change_status(order, "confirmed", actor="staff:1")
        await worker.run_once()
        bot_api.reopen_chat(CUSTOMER_CHAT)  # unblocked, and wrote /start: the bot calls this
        assert await mark_telegram_reachable(await Customer.get(id=customer.id))
        await change_status(order, "cancelled", actor="staff:1")
        await worker.run_once()
    assert (await rows(kind="order_cancelled"))["telegram"].status == OutboxStatus.SENT
    assert bot_api.texts_to(CUSTOMER_CHAT) == [bot_api.last_to(CUSTOMER_CHAT).text]
    assert order.number in bot_api.last_to(CUSTOMER_CHAT).text
    events = await AuditEvent.filter(customer_id=customer.id).order_by("id").values_list("event", flat=True)
    assert [e for e in events if e.startswith("telegram_")] == ["telegram_unreachable", "telegram_reachable"]


async def test_the_data_export_shows_the_unreachable_mark_and_deletion_erases_it(db, settings, bot_api):
    customer = await make_customer(telegram_user_id=CUSTOMER_CHAT)
    await queue("password_reset", "telegram", customer=customer, purpose=Purpose.ACCOUNT,
                payload={"reset_url": "https://shop.example/reset/x"})
    bot_api.block_bot(CUSTOMER_CHAT)
    async with worker_for(settings, bot_api, io.StringIO()) as worker:
        await worker.run_once()
    marked = (await Customer.get(id=customer.id)).telegram_unreachable_at
    exported = await export_customer_data(customer)
    assert marked is not None and exported["profile"]["telegram_unreachable_at"] == marked.isoformat()
    assert "telegram_unreachable" in [e["event"] for e in exported["audit_trail"]]
    await delete_account(customer, actor="customer")
    assert (await Customer.get(id=customer.id)).telegram_unreachable_at is None


async def test_a_staff_group_that_cannot_be_reached_is_still_a_dead_letter_with_an_alert(db, settings, bot_api):
    row = await queue("order_placed", "staff_telegram", order=await make_order(await make_customer()))
    bot_api.forget_chat(STAFF_CHAT)
    printed = io.StringIO()
    async with worker_for(settings, bot_api, printed) as worker:
        await worker.run_once()
        await worker.run_once()  # the alerts
    await row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and "chat not found" in row.last_error
    assert "--- staff_email: dead_letter" in printed.getvalue()


# ---------------------------------------------------------------- the staff group became a supergroup


def staff_buttons(message):
    return {"inline_keyboard": [[{"text": "Confirm", "callback_data": f"staff:confirm:{message.order.number}"}]]}


async def test_a_staff_group_upgraded_to_a_supergroup_gets_the_order_at_its_new_id(db, settings, bot_api, caplog):
    first = await make_order(await make_customer())
    second = await make_order(await make_customer())
    await queue("order_placed", "staff_telegram", order=first)
    bot_api.upgrade_group(STAFF_CHAT, SUPERGROUP)
    caplog.set_level(logging.WARNING, logger="gearshop.notifications")
    async with worker_for(settings, bot_api, io.StringIO(), reply_markup_builder=staff_buttons) as worker:
        assert await worker.run_once() == 1
        await queue("order_placed", "staff_telegram", order=second)
        assert await worker.run_once() == 1

    cards = bot_api.sent_to(SUPERGROUP)
    assert [f"New order {o.number}" in card.text for card, o in zip(cards, (first, second), strict=True)] == [True] * 2
    assert cards[0].reply_markup["inline_keyboard"][0][0]["callback_data"] == f"staff:confirm:{first.number}"
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 2
    assert not await OutboxMessage.filter(kind="dead_letter").exists()
    tried_old = [c for c in bot_api.calls_of("sendMessage") if c.params["chat_id"] == STAFF_CHAT]
    assert len(tried_old) == 1  # the second order went straight to the new id
    warnings = [r.getMessage() for r in caplog.records if "bot.staff_chat_id" in r.getMessage()]
    assert len(warnings) == 1 and f"set bot.staff_chat_id = {SUPERGROUP} in the config file" in warnings[0]


# ---------------------------------------------------------------- flood control


@pytest.mark.parametrize("channel", ["telegram", "staff_telegram"])
async def test_flood_control_retries_no_earlier_than_retry_after(db, settings, bot_api, channel):
    customer = await make_customer(telegram_user_id=CUSTOMER_CHAT)
    row = await queue("order_placed", channel, customer=customer, order=await make_order(customer))
    bot_api.flood("sendMessage", retry_after=1)
    async with worker_for(settings, bot_api, io.StringIO()) as worker:
        before = dt.datetime.now(dt.UTC)
        assert await worker.run_once() == 1
        await row.refresh_from_db()
        assert row.status == OutboxStatus.PENDING and "Too Many Requests: retry after 1" in row.last_error
        assert row.next_attempt_at >= before + dt.timedelta(seconds=1)
        assert await worker.run_once() == 0  # not due yet: Telegram is not asked again
        assert len(bot_api.calls_of("sendMessage")) == 1

        await asyncio.sleep((row.next_attempt_at - dt.datetime.now(dt.UTC)).total_seconds() + 0.05)
        assert await worker.run_once() == 1
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    chat = CUSTOMER_CHAT if channel == "telegram" else STAFF_CHAT
    assert len(bot_api.sent_to(chat)) == 1 and not await OutboxMessage.filter(kind="dead_letter").exists()


async def test_a_burst_of_orders_under_the_staff_groups_flood_control_is_posted_in_order_after_the_wait(
        db, settings, bot_api):
    orders = [await make_order(await make_customer()) for _ in range(3)]
    for order in orders:
        await queue("order_placed", "staff_telegram", order=order)
    bot_api.flood_chat(STAFF_CHAT, 1)  # Telegram: this group has had its messages for the minute
    async with worker_for(settings, bot_api, io.StringIO()) as worker:
        before = dt.datetime.now(dt.UTC)
        assert await worker.run_once() == 3
        assert len(bot_api.calls_of("sendMessage")) == 1  # the other cards did not knock during the wait
        waiting = await OutboxMessage.all().order_by("id")
        assert {row.status for row in waiting} == {OutboxStatus.PENDING}
        assert [row.attempts for row in waiting] == [1, 0, 0]  # waiting is not a failed attempt
        due = {row.next_attempt_at for row in waiting}
        assert len(due) == 1 and min(due) >= before + dt.timedelta(seconds=1)

        await asyncio.sleep((min(due) - dt.datetime.now(dt.UTC)).total_seconds() + 0.05)
        assert await worker.run_once() == 3
    cards = [card.text for card in bot_api.sent_to(STAFF_CHAT)]
    assert [f"New order {order.number}" in card for card, order in zip(cards, orders, strict=True)] == [True] * 3
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 3


# ---------------------------------------------------------------- the fake answers as Telegram does


async def test_the_local_bot_api_answers_these_errors_in_telegrams_own_json(bot_api):
    bot_api.block_bot(CUSTOMER_CHAT)
    bot_api.upgrade_group(STAFF_CHAT, SUPERGROUP)
    bot_api.flood("sendChatAction", retry_after=5)
    url = f"{bot_api.url}/bot{bot_api.token}"
    async with aiohttp.ClientSession() as http:
        answers = []
        for method, chat in (("sendMessage", CUSTOMER_CHAT), ("sendMessage", STAFF_CHAT), ("sendChatAction", 1)):
            async with http.post(f"{url}/{method}", json={"chat_id": chat, "text": "hi", "action": "typing"}) as reply:
                answers.append((reply.status, await reply.json()))
    assert answers == [
        (403, {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}),
        (400, {"ok": False, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat",
               "parameters": {"migrate_to_chat_id": SUPERGROUP}}),
        (429, {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 5",
               "parameters": {"retry_after": 5}}),
    ]


async def test_aiogram_reads_the_local_bot_apis_errors_as_telegrams(bot_api):
    bot_api.deactivate_user(CUSTOMER_CHAT)
    bot_api.forget_chat(42)
    bot_api.upgrade_group(STAFF_CHAT, SUPERGROUP)
    bot = bot_api.make_bot()
    try:
        with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
            await bot.send_message(CUSTOMER_CHAT, "hi")
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(42, "hi")
        with pytest.raises(TelegramMigrateToChat) as moved:
            await bot.send_message(STAFF_CHAT, "hi")
        assert moved.value.migrate_to_chat_id == SUPERGROUP
        bot_api.flood("sendMessage", retry_after=5)
        with pytest.raises(TelegramRetryAfter) as flood:
            await bot.send_message(SUPERGROUP, "hi")
        assert flood.value.retry_after == 5
        assert (await bot.send_message(SUPERGROUP, "hi")).chat.id == SUPERGROUP
    finally:
        await bot.session.close()
