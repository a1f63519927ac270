"""The bot remembers Telegram users who have no customer (bot.strangers); whoever becomes a
customer, or stops being one, is treated so on the very next update."""

from __future__ import annotations

from bot.app import build_bot, build_dispatcher
from bot.strangers import Strangers
from core.customers import telegram_link
from core.customers.models import Customer
from tests.bot.conftest import OLENA, Telegram, bot_settings
from tests.bot.test_bad_input import place_order
from tests.bot.test_customer_flows import web_customer
from tests.conftest import replace_settings
from tests.fakes.bot_api import private_message

ENGLISH = {**OLENA, "language_code": "en"}
NO_DATA = "We keep no personal data"


async def test_linking_a_web_account_and_unlinking_it_show_on_the_very_next_update(telegram: Telegram, shop):
    await telegram.say(ENGLISH, "/mydata")
    assert NO_DATA in telegram.last(ENGLISH).text
    web = await web_customer()
    await telegram.say(ENGLISH, f"/start {await telegram_link.create_link_token(web)}")
    await telegram.say(ENGLISH, "/mydata")
    assert "olena@example.com" in telegram.last(ENGLISH).text

    await telegram_link.unlink_telegram(web)  # on the website
    await telegram.say(ENGLISH, "/mydata")
    assert NO_DATA in telegram.last(ENGLISH).text


async def test_a_stranger_who_buys_in_the_chat_is_the_customer_on_the_very_next_update(
    telegram: Telegram, shop
):
    await telegram.say(ENGLISH, "/mydata")
    assert NO_DATA in telegram.last(ENGLISH).text
    order = await place_order(telegram, ENGLISH)
    await telegram.say(ENGLISH, "/orders")
    assert order.number in telegram.last(ENGLISH).text


async def test_after_forgetme_the_very_next_update_is_a_strangers(telegram: Telegram, shop):
    web = await web_customer()
    await telegram.say(ENGLISH, f"/start {await telegram_link.create_link_token(web)}")
    await telegram.say(ENGLISH, "/forgetme")
    await telegram.press(ENGLISH, telegram.last(ENGLISH), "d:forget")
    assert "deleted" in telegram.last(ENGLISH).text
    await telegram.say(ENGLISH, "/mydata")
    assert NO_DATA in telegram.last(ENGLISH).text


async def test_a_link_made_behind_the_bots_back_is_seen_after_the_stranger_is_forgotten(db):
    now = [0.0]
    strangers = Strangers(seconds=60, clock=lambda: now[0])
    web = await web_customer()
    assert await strangers.customer_of(ENGLISH["id"]) is None
    # Not through core.customers.telegram_link: this process is not told, as with a hand-made link.
    await Customer.filter(id=web.id).update(telegram_user_id=ENGLISH["id"])
    now[0] = 59.0
    assert await strangers.customer_of(ENGLISH["id"]) is None
    now[0] = 60.0
    found = await strangers.customer_of(ENGLISH["id"])
    assert found is not None and found.id == web.id


async def test_with_redis_a_link_made_by_another_process_is_seen_at_once(
    db, bot_api, settings, redis_url, shop
):
    configured = replace_settings(bot_settings(settings, bot_api.url), redis={"url": redis_url})
    bot = build_bot(configured)
    dispatcher = build_dispatcher(configured)
    web = await web_customer()
    try:
        await dispatcher.feed_raw_update(bot, {"update_id": 1, **private_message(ENGLISH, "/mydata")})
        assert NO_DATA in bot_api.last_to(ENGLISH["id"]).text
        # Another bot process linked it: this process is not told.
        await Customer.filter(id=web.id).update(telegram_user_id=ENGLISH["id"])
        await dispatcher.feed_raw_update(bot, {"update_id": 2, **private_message(ENGLISH, "/mydata")})
        assert "olena@example.com" in bot_api.last_to(ENGLISH["id"]).text
    finally:
        await bot.session.close()
        await dispatcher.storage.close()
