"""The staff desk with the notifications worker: a new order arrives in the group with its buttons."""

from __future__ import annotations

from core.notifications.registry import build_adapters, close_adapters
from core.notifications.worker import OutboxWorker
from core.orders.models import Order, OrderStatus
from tests.bot.conftest import OLENA, STAFF, STAFF_CHAT, button_datas
from tests.bot.test_bad_input import place_order
from tests.conftest import replace_settings


async def send_outbox(settings, bot) -> None:
    adapters = build_adapters(settings, bot=bot)
    try:
        worker = OutboxWorker(settings, adapters, "test-worker")
        while await worker.run_once():
            pass
    finally:
        await close_adapters(adapters)


async def test_the_worker_posts_new_orders_with_buttons_that_work(db, make_telegram, shop):
    telegram = await make_telegram()
    settings = replace_settings(telegram.settings, notifications={"staff": {"telegram": True}})
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await send_outbox(settings, telegram.bot)
    card = telegram.last(STAFF_CHAT)
    assert order.number in card.text
    assert button_datas(card) == [f"staff:confirm:{order.number}", f"staff:cancel:{order.number}"]
    # The customer got the order message in the private chat as well.
    assert any(order.number in text for text in telegram.api.texts_to(OLENA["id"]))

    await telegram.press(STAFF, card, "staff:confirm:")
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    card = telegram.api.sent_to(STAFF_CHAT)[0]
    assert order.number in card.text and "confirmed by Taras Staff" in card.text
    await send_outbox(settings, telegram.bot)
    confirmed = [t for t in telegram.api.texts_to(OLENA["id"]) if order.number in t]
    assert len(confirmed) >= 3  # placed (bot), placed (message), confirmed (message)
