"""The fake Bot API speaks enough of the real protocol for a real aiogram Bot."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramUnauthorizedError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from tests.fakes.bot_api import FakeBotAPI, private_message, user


async def test_a_real_bot_sends_edits_and_is_recorded():
    async with FakeBotAPI() as api:
        bot = api.make_bot()
        try:
            me = await bot.get_me()
            assert me.username == "gearshop_test_bot"
            markup = InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="Go", callback_data="go")]]
            )
            sent = await bot.send_message(42, "0986452041", reply_markup=markup)
            assert api.calls_of("sendMessage")[0].params["text"] == "0986452041"
            assert api.last_to(42).reply_markup == {
                "inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]
            }
            await bot.edit_message_text("edited", chat_id=42, message_id=sent.message_id)
            assert api.texts_to(42) == ["edited"]
            with pytest.raises(TelegramBadRequest, match="not modified"):
                await bot.edit_message_text("edited", chat_id=42, message_id=sent.message_id)
            await bot.send_document(42, BufferedInputFile(b'{"a": 1}', filename="data.json"))
            assert api.calls_of("sendDocument")[0].document() == b'{"a": 1}'
        finally:
            await bot.session.close()


async def test_flood_answer_and_wrong_token():
    async with FakeBotAPI() as api:
        bot = api.make_bot()
        api.flood("sendMessage", retry_after=3)
        try:
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(1, "x")
            assert caught.value.retry_after == 3
            await bot.send_message(1, "x")
        finally:
            await bot.session.close()
    async with FakeBotAPI(token="1:right") as api:
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        bot = Bot("2:wrong", session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        try:
            with pytest.raises(TelegramUnauthorizedError):
                await bot.get_me()
        finally:
            await bot.session.close()


async def test_get_updates_returns_queued_updates_and_forgets_confirmed():
    async with FakeBotAPI() as api:
        bot = api.make_bot()
        try:
            pushed = api.push_update(private_message(user(7), "/start"))
            updates = await bot.get_updates(offset=0, timeout=1)
            assert [u.update_id for u in updates] == [pushed["update_id"]]
            assert updates[0].message.text == "/start"
            assert await bot.get_updates(offset=pushed["update_id"] + 1, timeout=0) == []
        finally:
            await bot.session.close()
