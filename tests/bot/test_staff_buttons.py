"""The staff card's buttons are the same whichever process posts the card, and the bot reads them.

`python -m core worker` cannot import the bot; the buttons are core data
(core/notifications/staff_buttons.py) that the bot's `StaffCb` must unpack.
"""

from __future__ import annotations

import pytest

from bot.callbacks import StaffAction, StaffCb
from core.notifications import staff_buttons
from core.notifications.registry import build_adapters, close_adapters
from core.notifications.worker import OutboxWorker
from core.orders.models import OrderStatus
from tests.core.notifications_factories import make_customer, make_order, queue
from tests.core.test_adapters_telegram import STAFF_CHAT, telegram_settings
from tests.fakes.bot_api import FakeBotAPI


@pytest.fixture
async def bot_api():
    async with FakeBotAPI() as server:
        yield server


@pytest.mark.parametrize("move", sorted(staff_buttons.BUTTON_TEXTS))
def test_every_button_is_a_press_the_bot_understands(move):
    data = staff_buttons.callback_data(move, "GS-AB12-CD34")
    assert data == StaffCb(action=StaffAction(move), number="GS-AB12-CD34").pack()
    assert StaffCb.unpack(data) == StaffCb(action=StaffAction(move), number="GS-AB12-CD34")


def test_buttons_follow_the_order_and_speak_the_staff_language():
    new = staff_buttons.order_card_buttons("GS-AB12-CD34", OrderStatus.NEW, "uk")["inline_keyboard"][0]
    assert [b["callback_data"] for b in new] == ["staff:confirm:GS-AB12-CD34", "staff:cancel:GS-AB12-CD34"]
    assert new[0]["text"] != "✅ Confirm"  # translated into Ukrainian
    assert staff_buttons.order_card_buttons("GS-AB12-CD34", OrderStatus.CANCELLED) == {"inline_keyboard": []}


async def test_a_worker_without_the_bot_still_posts_the_card_with_its_buttons(db, settings, bot_api):
    # As `python -m core worker` builds its adapters: no hook from the bot.
    order = await make_order(await make_customer())
    await queue("order_placed", "staff_telegram", order=order)
    s = telegram_settings(settings, bot_api)
    adapters = build_adapters(s)
    try:
        await OutboxWorker(s, adapters, "standalone").run_once()
    finally:
        await close_adapters(adapters)
    row = bot_api.last_to(STAFF_CHAT).reply_markup["inline_keyboard"][0]
    assert [button["callback_data"] for button in row] == [f"staff:confirm:{order.number}",
                                                            f"staff:cancel:{order.number}"]
