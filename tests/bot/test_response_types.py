"""The bot's session keeps the pydantic classes aiogram parses answers with (bot.responses)."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import Response, SendMessage

from tests.bot.conftest import OLENA


async def test_answers_are_parsed_with_a_class_built_once(telegram, shop):
    await telegram.say(OLENA, "/help")  # a sendMessage through build_bot's session and its answer parsed
    assert "/vehicle" in telegram.last(OLENA).text
    parser = weakref.ref(Response[SendMessage.__returning__])
    gc.collect()  # without the keeper pydantic's weak cache loses the class here, and it is rebuilt

    await telegram.say(OLENA, "/help")

    assert parser() is not None
    assert Response[SendMessage.__returning__] is parser()
