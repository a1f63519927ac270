"""A customer who had blocked the bot (the outbox marked their Telegram link unreachable) writes to
the bot again: the shop's Telegram messages reach them again."""

from __future__ import annotations

import datetime as dt
import io
import time

from core.adapters.console import ConsoleAdapter
from core.customers.models import AuditEvent, Customer
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.registry import build_adapters, close_adapters
from core.notifications.worker import OutboxWorker
from core.orders.status import change_status
from tests.bot.conftest import OLENA, Telegram
from tests.core.notifications_factories import make_order
from tests.fakes.bot_api import BOT_USER


async def unreachable_customer() -> Customer:
    return await Customer.create(first_name="Olena", last_name="Kovalenko", email="olena@example.com",
                                 phone="+380671234567", locale="en", telegram_user_id=OLENA["id"],
                                 telegram_unreachable_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3))


def bot_blocked(who: dict) -> dict:
    """What Telegram sends when the user blocks the bot (not a sign of being back)."""
    member = {"user": BOT_USER}
    return {"my_chat_member": {
        "chat": {"id": who["id"], "type": "private", "first_name": who["first_name"]}, "from": who,
        "date": int(time.time()), "old_chat_member": {**member, "status": "member"},
        "new_chat_member": {**member, "status": "kicked", "until_date": 0}}}


async def test_writing_to_the_bot_again_brings_the_order_messages_back_to_the_chat(telegram: Telegram):
    customer = await unreachable_customer()
    order = await make_order(customer)
    await change_status(order, "confirmed", actor="staff:1")
    assert not await OutboxMessage.filter(channel="telegram").exists()  # skipped while unreachable

    await telegram.say(OLENA, "/start")
    assert (await Customer.get(id=customer.id)).telegram_unreachable_at is None
    assert await AuditEvent.filter(customer_id=customer.id, event="telegram_reachable").count() == 1

    await change_status(order, "cancelled", actor="staff:1")
    adapters = build_adapters(telegram.settings)
    adapters.update({ch: ConsoleAdapter(ch, io.StringIO()) for ch in ("email", "sms", "staff_email", "delivery")})
    try:
        await OutboxWorker(telegram.settings, adapters, "bot-test").run_once()
    finally:
        await close_adapters(adapters)
    assert (await OutboxMessage.get(channel="telegram")).status == OutboxStatus.SENT
    assert telegram.last(OLENA).text == f"Order {order.number} has been cancelled."


async def test_a_button_press_in_the_chat_counts_as_writing(telegram: Telegram):
    customer = await unreachable_customer()
    await telegram.say(OLENA, "/start")
    await Customer.filter(id=customer.id).update(telegram_unreachable_at=dt.datetime.now(dt.UTC))
    await telegram.press(OLENA, telegram.last(OLENA), "m:")
    assert (await Customer.get(id=customer.id)).telegram_unreachable_at is None


async def test_the_update_telegram_sends_when_the_bot_is_blocked_changes_nothing(telegram: Telegram):
    customer = await unreachable_customer()
    await telegram.feed(bot_blocked(OLENA))
    assert (await Customer.get(id=customer.id)).telegram_unreachable_at is not None
    assert not await AuditEvent.filter(customer_id=customer.id, event="telegram_reachable").exists()
