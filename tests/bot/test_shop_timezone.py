"""The bot's /orders dates each order on the shop's clock (`[shop] timezone`): an order placed late
in the evening (UTC) is already the next day in Kyiv. The default clock is UTC."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import build_bot, build_dispatcher
from core.orders.models import Order
from tests.bot.conftest import OLENA, Telegram, bot_settings
from tests.bot.test_bad_input import place_order
from tests.conftest import replace_settings

PLACED = dt.datetime(2026, 1, 15, 22, 30, tzinfo=dt.UTC)  # 00:30 on 16 January in Kyiv (UTC+2)
DAYS = {"Europe/Kyiv": "Jan 16, 2026", "UTC": "Jan 15, 2026"}


@pytest.mark.parametrize("zone", list(DAYS))
async def test_orders_are_dated_on_the_shops_day(db, bot_api, settings, shop, zone):
    if zone != "UTC":  # UTC: the shipped default
        settings = replace_settings(settings, shop={"timezone": zone})
    configured = bot_settings(settings, bot_api.url)
    telegram = Telegram(bot_api, build_bot(configured), build_dispatcher(configured), configured)
    try:
        who = {**OLENA, "language_code": "en"}
        order = await place_order(telegram, who)
        await Order.filter(id=order.id).update(created_at=PLACED)
        other = next(day for name, day in DAYS.items() if name != zone)

        await telegram.say(who, "/orders")
        listing = telegram.last(who).text
        assert f"Order {order.number} of {DAYS[zone]}: New" in listing and other not in listing

        await telegram.say(who, "/start")
        await telegram.press(who, telegram.last(who), "m:orders")  # the menu's button says the same
        assert f"Order {order.number} of {DAYS[zone]}: New" in telegram.last(who).text
    finally:
        await telegram.bot.session.close()
        await telegram.dispatcher.storage.close()


@pytest.mark.parametrize("zone", list(DAYS))
async def test_mydata_dates_consents_on_the_shops_day(db, bot_api, settings, shop, zone):
    from core.customers.models import Consent

    if zone != "UTC":
        settings = replace_settings(settings, shop={"timezone": zone})
    configured = bot_settings(settings, bot_api.url)
    telegram = Telegram(bot_api, build_bot(configured), build_dispatcher(configured), configured)
    try:
        who = {**OLENA, "language_code": "en"}
        order = await place_order(telegram, who)
        assert await Consent.filter(customer_id=order.customer_id).update(created_at=PLACED) > 0
        other = next(day for name, day in DAYS.items() if name != zone)

        await telegram.say(who, "/mydata")
        text = telegram.last(who).text
        assert f"({DAYS[zone]}, policy version" in text and other not in text
    finally:
        await telegram.bot.session.close()
        await telegram.dispatcher.storage.close()
