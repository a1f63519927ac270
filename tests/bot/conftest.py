"""Bot fixtures: a real aiogram Bot talking to the local fake Bot API, the real dispatcher, a catalogue.

async def test_x(telegram, shop):
    await telegram.say(OLENA, "/start")                       # a message update, fed to the dispatcher
    menu = telegram.api.last_to(OLENA["id"])                  # what the bot sent (current text, buttons)
    await telegram.press(OLENA, menu, "m:vehicle")            # press the button whose data starts so
    assert telegram.api.callback_answers()[-1]["text"] ...    # answers to button presses
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import build_dispatcher
from tests.conftest import replace_settings
from tests.fakes.bot_api import (
    DEFAULT_TOKEN,
    Delivered,
    FakeBotAPI,
    callback,
    group_message,
    private_message,
    user,
)

STAFF_CHAT = -1001234567890
STAFF = user(900, "en", first_name="Taras", last_name="Staff")
OTHER_GROUP_MEMBER = user(901, "en", first_name="Nazar")
OLENA = user(1001, "uk", first_name="Olena", last_name="Kovalenko")


def bot_settings(settings, api_url: str, *, base_url: str = "https://shop.example", **bot: Any):
    return replace_settings(
        settings,
        shop={"base_url": base_url},
        web={"session_key": "k" * 40},
        bot={
            "token": DEFAULT_TOKEN,
            "username": "gearshop_test_bot",
            "api_server": api_url,
            "staff_chat_id": STAFF_CHAT,
            "staff_user_ids": (STAFF["id"],),
            **bot,
        },
    )


class Telegram:
    """Feeds updates as Telegram would and reads what the bot sent back through the fake API."""

    def __init__(self, api: FakeBotAPI, bot, dispatcher, settings) -> None:
        self.api, self.bot, self.dispatcher, self.settings = api, bot, dispatcher, settings
        self._update_ids = itertools.count(10_000)
        self._message_ids = itertools.count(1)
        self._query_ids = itertools.count(1)

    async def feed(self, body: dict, update_id: int | None = None) -> dict:
        update = {"update_id": next(self._update_ids) if update_id is None else update_id, **body}
        await self.dispatcher.feed_raw_update(self.bot, update)
        return update

    async def say(self, who: dict, text: str | None = None, **extra: Any) -> dict:
        return await self.feed(private_message(who, text, message_id=next(self._message_ids), **extra))

    async def say_in_group(self, who: dict, text: str, chat_id: int = STAFF_CHAT, **extra: Any) -> dict:
        return await self.feed(group_message(chat_id, who, text, message_id=next(self._message_ids), **extra))

    async def share_contact(self, who: dict, phone: str = "380501234567", owner: dict | None = None) -> dict:
        owner = owner or who
        contact = {"phone_number": phone, "first_name": owner["first_name"], "user_id": owner["id"]}
        if owner.get("last_name"):
            contact["last_name"] = owner["last_name"]
        return await self.say(who, contact=contact)

    def callback_update(self, who: dict, message: Delivered, prefix: str) -> dict:
        return callback(who, button_data(message, prefix), message, query_id=f"q{next(self._query_ids)}")

    async def press(self, who: dict, message: Delivered, prefix: str) -> dict:
        return await self.feed(self.callback_update(who, message, prefix))

    async def press_text(self, who: dict, message: Delivered, text: str) -> dict:
        """Press the first button whose text contains `text`."""
        return await self.press_data(who, button_with_text(message, text), message)

    async def press_data(self, who: dict, data: str, message: Delivered | None = None) -> dict:
        return await self.feed(callback(who, data, message, query_id=f"q{next(self._query_ids)}"))

    def last(self, who: dict | int) -> Delivered:
        return self.api.last_to(who if isinstance(who, int) else who["id"])

    def last_answer(self) -> dict:
        return self.api.callback_answers()[-1]


def button_data(message: Delivered, prefix: str) -> str:
    """The callback data of the first button under the message whose data starts with `prefix`."""
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if str(button.get("callback_data", "")).startswith(prefix):
                return button["callback_data"]
    raise AssertionError(f"no button {prefix!r} under {message.text!r}: {message.reply_markup}")


def button_with_text(message: Delivered, text: str) -> str:
    for row in (message.reply_markup or {}).get("inline_keyboard", []):
        for button in row:
            if text in button.get("text", "") and "callback_data" in button:
                return button["callback_data"]
    raise AssertionError(f"no button with {text!r} under {message.text!r}: {message.reply_markup}")


def button_datas(message: Delivered) -> list[str]:
    return [
        b.get("callback_data", "")
        for row in (message.reply_markup or {}).get("inline_keyboard", [])
        for b in row
    ]


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as api:
        yield api


@pytest.fixture
async def make_telegram(bot_api, settings) -> AsyncIterator:
    """Build a Telegram driver with some [bot] settings replaced; sessions closed afterwards."""
    made: list[Telegram] = []

    async def make(base_url: str = "https://shop.example", **bot: Any) -> Telegram:
        configured = bot_settings(settings, bot_api.url, base_url=base_url, **bot)
        from bot.app import build_bot

        telegram = Telegram(bot_api, build_bot(configured), build_dispatcher(configured), configured)
        made.append(telegram)
        return telegram

    yield make
    for telegram in made:
        await telegram.bot.session.close()
        await telegram.dispatcher.storage.close()


@pytest.fixture
async def telegram(db, make_telegram) -> Telegram:
    return await make_telegram()


@dataclass
class Shop:
    golf: int
    focus: int
    make_vw: int
    model_golf: int
    filter_bosch: int  # fits the Golf; analogue of filter_mann
    filter_mann: int
    pads: int  # fits the Focus only
    plug_sold_out: int


@pytest.fixture
async def shop(db) -> Shop:
    """A small catalogue written with the models directly."""
    from core.catalogue.models import Category, CrossReference, Fitment, Make, Part, Vehicle, VehicleModel

    vw = await Make.create(name="Volkswagen", slug="volkswagen")
    ford = await Make.create(name="Ford", slug="ford")
    golf_model = await VehicleModel.create(make=vw, name="Golf")
    focus_model = await VehicleModel.create(make=ford, name="Focus")
    golf = await Vehicle.create(
        model=golf_model,
        generation="VII",
        body="5G1",
        engine_code="CZCA",
        engine_cc=1395,
        power_kw=92,
        fuel="petrol",
        year_from=2012,
        year_to=2020,
    )
    focus = await Vehicle.create(
        model=focus_model,
        generation="III",
        engine_code="PNDA",
        engine_cc=1596,
        power_kw=92,
        fuel="petrol",
        year_from=2011,
        year_to=2018,
    )
    filters = await Category.create(name="Oil filters", slug="oil-filters")
    brakes = await Category.create(name="Brake pads", slug="brake-pads")

    async def part(brand, article, name, category, price, stock, group=None):
        return await Part.create(
            brand=brand,
            brand_key=brand.upper(),
            article=article,
            article_norm=article,
            name=name,
            category=category,
            price=price,
            currency="EUR",
            stock=stock,
            xref_group=group,
        )

    bosch = await part("BOSCH", "0 986 452 041", "Oil filter", filters, 1250, 10, group=1)
    mann = await part("MANN-FILTER", "W 712/95", "Oil filter", filters, 990, 5, group=1)
    pads = await part("TRW", "GDB1550", "Brake pad set, front", brakes, 3450, 3)
    plug = await part("NGK", "BKR6EK", "Spark plug", None, 700, 0)
    for number, brand in (("03C115561H", "VAG"), ("0 986 452 041", "BOSCH"), ("W 712/95", "MANN-FILTER")):
        from core.catalogue.normalise import normalise_article

        await CrossReference.create(
            group=1,
            brand=brand,
            brand_key=brand.upper(),
            number=number,
            number_norm=normalise_article(number),
        )
    for p, v in ((bosch, golf), (mann, golf), (pads, focus), (plug, golf)):
        await Fitment.create(part=p, vehicle=v)
    return Shop(
        golf=golf.id,
        focus=focus.id,
        make_vw=vw.id,
        model_golf=golf_model.id,
        filter_bosch=bosch.id,
        filter_mann=mann.id,
        pads=pads.id,
        plug_sold_out=plug.id,
    )
