"""P13 in Telegram: the bot never asks for a location, and one sent anyway is stored nowhere."""

from __future__ import annotations

import json
from pathlib import Path

from aiogram.fsm.storage.base import StorageKey

from tests.bot.conftest import OLENA, Telegram
from tests.web.test_privacy_card_data import every_table_as_text

BOT = Path(__file__).resolve().parents[2] / "bot"
KYIV = {"latitude": 50.450127, "longitude": 30.523419}


def test_no_keyboard_asks_for_a_location():
    for path in BOT.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "request_location" not in text and "KeyboardButtonRequestLocation" not in text, path


async def test_a_location_sent_anyway_is_answered_and_forgotten(telegram: Telegram, shop, db):
    await telegram.say(OLENA, "/start")
    await telegram.say(OLENA, location=KYIV)
    assert "Я розумію текст і кнопки" in telegram.last(OLENA).text  # "I understand text and buttons"
    await telegram.say(OLENA, "0986452041")
    await telegram.say(OLENA, venue={"location": KYIV, "title": "Home", "address": "Khreshchatyk 1"})

    stored, _ = await every_table_as_text(db.kind)
    for value in ("50.450127", "30.523419", "50.45", "30.52", "Khreshchatyk"):
        assert value not in stored, value
    key = StorageKey(bot_id=telegram.bot.id, chat_id=OLENA["id"], user_id=OLENA["id"])
    state = await telegram.dispatcher.storage.get_data(key=key)
    assert "50.45" not in json.dumps(state, default=str)
