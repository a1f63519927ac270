"""Running the bot: webhook route with its secret, getUpdates polling, Redis state, start-up refusals."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import build_bot, build_dispatcher
from bot.webhook import setup_webhook
from core.config import ConfigError
from tests.bot.conftest import OLENA, bot_settings
from tests.conftest import replace_settings
from tests.fakes.bot_api import private_message

SECRET = "s3cret-webhook-token-for-tests"


async def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.01)


@pytest.fixture
async def webhook_client(db, bot_api, settings):
    configured = bot_settings(settings, bot_api.url, mode="webhook", webhook_secret=SECRET)
    app = web.Application()
    setup_webhook(app, configured, build_bot(configured), build_dispatcher(configured))
    async with TestClient(TestServer(app)) as client:
        yield client, configured


async def test_the_webhook_answers_telegram_and_refuses_everyone_else(webhook_client, bot_api, shop):
    client, configured = webhook_client
    assert bot_api.webhook["url"] == "https://shop.example/telegram/webhook"
    assert bot_api.webhook["secret_token"] == SECRET
    path = configured.bot.webhook_path
    update = {"update_id": 1, **private_message(OLENA, "/help")}
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        response = await client.post(path, json=update, headers=headers)
        assert response.status == 401
    await asyncio.sleep(0.05)
    assert bot_api.calls_of("sendMessage") == []

    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert (await client.post(path, data=b"{not json", headers=good)).status == 400
    assert (await client.post(path, json=[1, 2], headers=good)).status == 400
    response = await client.post(path, json=update, headers=good)
    assert response.status == 200
    await wait_for(lambda: bot_api.calls_of("sendMessage"))
    assert "/vehicle" in bot_api.last_to(OLENA["id"]).text
    # Telegram re-sends an update it thinks was lost: it is answered once.
    assert (await client.post(path, json=update, headers=good)).status == 200
    await asyncio.sleep(0.1)
    assert len(bot_api.calls_of("sendMessage")) == 1


async def test_webhook_mode_refuses_to_start_without_a_secret(bot_api, settings):
    configured = bot_settings(settings, bot_api.url, mode="webhook", webhook_secret="")
    bot = build_bot(configured)
    try:
        with pytest.raises(ConfigError, match="bot.webhook_secret"):
            setup_webhook(web.Application(), configured, bot, build_dispatcher(configured))
    finally:
        await bot.session.close()


async def test_polling_answers_updates_from_get_updates(db, bot_api, settings, shop):
    configured = bot_settings(settings, bot_api.url)
    bot, dispatcher = build_bot(configured), build_dispatcher(configured)
    polling = asyncio.create_task(dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1))
    try:
        bot_api.push_update(private_message(OLENA, "/start"))
        await wait_for(lambda: bot_api.calls_of("sendMessage"))
        assert "gearshop" in bot_api.last_to(OLENA["id"]).text
        assert bot_api.calls_of("setMyCommands")  # the command menu, in each language
        assert {c.params.get("language_code") for c in bot_api.calls_of("setMyCommands")} == {
            None,
            "uk",
            "ru",
            "es",
        }
        # Customers see their commands in private chats; the staff group sees the desk's.
        menus = {
            (c.params["scope"]["type"], c.params.get("language_code")): [
                x["command"] for x in c.params["commands"]
            ]
            for c in bot_api.calls_of("setMyCommands")
        }
        assert (
            "cart" in menus[("all_private_chats", None)] and "order" not in menus[("all_private_chats", None)]
        )
        assert menus[("chat", "uk")] == ["order", "cancel", "help"]
    finally:
        await dispatcher.stop_polling()
        await polling


async def test_without_a_token_python_m_bot_says_so_in_one_line(tmp_path):
    environ = {
        "PATH": "/usr/bin:/bin",
        "GEARSHOP_BOT__TOKEN": "",
        "GEARSHOP_DATABASE__URL": f"sqlite://{tmp_path}/x.db",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    stderr = err.decode()
    assert process.returncode == 2
    assert stderr.strip().count("\n") == 0 and "GEARSHOP_BOT__TOKEN" in stderr


async def test_a_self_hosted_bot_api_server_is_used(bot_api, settings):
    configured = replace_settings(bot_settings(settings, bot_api.url + "/"), bot={})
    bot = build_bot(configured)
    try:
        assert (await bot.get_me()).username == "gearshop_test_bot"
        assert bot_api.calls_of("getMe")
    finally:
        await bot.session.close()


async def test_redis_keeps_state_and_update_ids_across_processes(db, bot_api, settings, redis_url, shop):
    """Two webhook processes sharing Redis: a repeated update is handled once, a conversation goes on."""
    configured = replace_settings(bot_settings(settings, bot_api.url), redis={"url": redis_url})
    bot = build_bot(configured)
    first, second = build_dispatcher(configured), build_dispatcher(configured)
    try:
        update = {"update_id": 77, **private_message(OLENA, "/forgetme")}
        await first.feed_raw_update(bot, update)
        await second.feed_raw_update(bot, update)
        assert len(bot_api.calls_of("sendMessage")) == 1
        # The /forgetme question was asked by the first process; the second one sees the state.
        state = second.fsm.get_context(bot, chat_id=OLENA["id"], user_id=OLENA["id"])
        assert await state.get_state() == "ForgetMe:confirm"
    finally:
        await bot.session.close()
        await first.storage.close()
        await second.storage.close()


async def test_the_web_app_mounts_the_webhook_in_webhook_mode(db_url, bot_api, settings):
    """The real composition root: `python -m web` with bot.mode = "webhook"."""
    from web.app import init_app

    configured = replace_settings(
        bot_settings(settings, bot_api.url, mode="webhook", webhook_secret=SECRET),
        database={"url": db_url.url},
    )
    app = init_app(configured, start_background=False)
    async with TestClient(TestServer(app)) as client:
        path = configured.bot.webhook_path
        update = {"update_id": 5, **private_message(OLENA, "/privacy")}
        assert (await client.post(path, json=update)).status == 401
        response = await client.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
        assert response.status == 200
        await wait_for(lambda: bot_api.calls_of("sendMessage"))
        text = bot_api.last_to(OLENA["id"]).text
        assert "privacy@example.com" in text or configured.shop.controller_contact in text
    assert bot_api.webhook["url"] == "https://shop.example/telegram/webhook"


async def test_with_redis_the_per_user_limit_holds_across_processes(db, bot_api, settings, redis_url, shop):
    configured = replace_settings(
        bot_settings(settings, bot_api.url, updates_per_minute_per_user=2), redis={"url": redis_url}
    )
    bot = build_bot(configured)
    first, second = build_dispatcher(configured), build_dispatcher(configured)
    try:
        for update_id, dispatcher in zip((201, 202, 203, 204), (first, second, first, second), strict=True):
            await dispatcher.feed_raw_update(bot, {"update_id": update_id, **private_message(OLENA, "/help")})
        texts = bot_api.texts_to(OLENA["id"])
        assert len(texts) == 3 and "/vehicle" in texts[1] and "/vehicle" not in texts[2]
    finally:
        await bot.session.close()
        await first.storage.close()
        await second.storage.close()


async def test_python_m_bot_on_a_database_never_migrated_says_what_to_run(tmp_path):
    environ = {
        "PATH": "/usr/bin:/bin",
        "GEARSHOP_BOT__TOKEN": "123:not-used",
        "GEARSHOP_BOT__API_SERVER": "http://127.0.0.1:9",  # never reached
        "GEARSHOP_DATABASE__URL": f"sqlite://{tmp_path}/fresh.sqlite3",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "python -m core migrate" in err.decode().strip().splitlines()[-1]


async def test_a_card_link_the_webhook_bot_makes_opens_on_the_same_web_app(db_url, bot_api, settings):
    """No web.session_key (development): the bot's sandbox link is signed with the app's own key."""
    from core.orders.models import PaymentMethod
    from core.payments.service import start_payment
    from tests.core.notifications_factories import make_customer, make_order
    from web import keys
    from web.app import init_app

    configured = replace_settings(
        bot_settings(settings, bot_api.url, mode="webhook", webhook_secret=SECRET),
        database={"url": db_url.url}, web={"session_key": ""},
    )
    app = init_app(configured, start_background=False)
    async with TestClient(TestServer(app)) as client:
        order = await make_order(await make_customer(), payment_method=PaymentMethod.CARD, payment_provider="sandbox")
        sandbox = app[keys.DISPATCHER]["providers"]["sandbox"]
        url = await start_payment(order, sandbox, return_url="https://shop.example/r", notify_url="https://shop.example/n")
        bank = await client.get(url.removeprefix(configured.shop.base_url))
        assert bank.status == 200, await bank.text()
        assert order.number in await bank.text()
