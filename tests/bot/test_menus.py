"""Menus: paginated vehicle choice, /cancel in the middle of a conversation, /privacy, the catalogs."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from core.catalogue.models import Make, VehicleModel
from core.customers.models import Customer
from core.i18n import LOCALES_DIR
from tests.bot.conftest import Telegram, button_datas
from tests.fakes.bot_api import user

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


async def test_makes_come_in_pages_and_a_stale_page_shows_the_nearest(telegram: Telegram, shop):
    for n in range(20):
        make = await Make.create(name=f"Make {n:02d}", slug=f"make-{n:02d}")
        await VehicleModel.create(make=make, name="Only")
    who = user(9009, "en")
    await telegram.say(who, "/vehicle")
    first = telegram.last(who)
    makes = [d for d in button_datas(first) if d.startswith("v:make:")]
    assert len(makes) == 8 and "1/3" in str(first.reply_markup)
    await telegram.press(who, first, "v:makes:0:1")  # ▶
    assert "2/3" in str(telegram.last(who).reply_markup)
    await telegram.press_data(who, "v:makes:0:99", telegram.last(who))  # a page that no longer exists
    assert "3/3" in str(telegram.last(who).reply_markup)
    assert "Volkswagen" in str(telegram.last(who).reply_markup)


async def test_cancel_leaves_checkout_and_typing_searches_again(telegram: Telegram, shop):
    who = user(9010, "en")
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.say(who, "/cancel")
    assert "Cancelled. Nothing was changed." in telegram.api.texts_to(who["id"])
    assert telegram.api.calls_of("sendMessage")[-2].params["reply_markup"] == {"remove_keyboard": True}
    await telegram.say(who, "GDB1550")
    assert "Found 1" in telegram.last(who).text
    await telegram.share_contact(who)  # a contact out of the blue creates nobody
    assert await Customer.all().count() == 0


async def test_privacy_names_the_controller_and_how_to_reach_them(telegram: Telegram, shop):
    who = user(9011, "ru")
    await telegram.say(who, "/privacy")
    text = telegram.last(who).text
    shop_settings = telegram.settings.shop
    assert shop_settings.controller_contact in text and shop_settings.controller_address in text
    assert "Политика конфиденциальности" in text and "/mydata" in text and "/forgetme" in text
    # What the shop keeps is listed in the reader's language too.
    assert "Адреса доставки" in text and "Delivery addresses" not in text and "Garage" not in text


def test_every_bot_sentence_is_translated():
    keywords = {"_": None, "N_": None, "text": (2,)}
    wanted = {message for _, _, message, *_ in extract_from_dir(BOT_DIR, keywords=keywords) if message}
    assert len(wanted) > 150
    for locale in ("uk", "ru", "es"):
        with (LOCALES_DIR / locale / "LC_MESSAGES" / "bot.po").open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        missing = [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]
        assert missing == [], f"{locale}: {missing[:5]}"


async def test_categories_come_in_pages_and_the_menu_offers_help(telegram: Telegram, shop):
    from core.catalogue.models import Category, Fitment, Part

    for n in range(12):
        category = await Category.create(name=f"Category {n:02d}", slug=f"category-{n:02d}")
        part = await Part.create(
            brand="ACME",
            brand_key="ACME",
            article=f"A{n}",
            article_norm=f"A{n}",
            name="Thing",
            category=category,
            price=100,
            currency="EUR",
            stock=1,
        )
        await Fitment.create(part=part, vehicle_id=shop.golf)
    who = user(9012, "en")
    await telegram.say(who, "/start")
    await telegram.press(who, telegram.last(who), "m:help")
    assert "What I can do" in telegram.last(who).text
    await telegram.press_data(who, f"v:pick:{shop.golf}:0", telegram.last(who))
    await telegram.press(who, telegram.last(who), "v:cats:")
    first = telegram.last(who)
    first_names = category_buttons(first)
    assert "1/2" in str(first.reply_markup) and len(first_names) == 8
    await telegram.press(who, first, f"v:cats:{shop.golf}:1")
    second = telegram.last(who)
    assert "2/2" in str(second.reply_markup)
    every = {f"Category {n:02d} (1)" for n in range(12)} | {"Oil filters (2)"}
    assert set(first_names) | set(category_buttons(second)) == every
    if "Oil filters (2)" not in category_buttons(second):
        await telegram.press(who, second, f"v:cats:{shop.golf}:0")
    await telegram.press_text(who, telegram.last(who), "Oil filters")
    assert "In the category “Oil filters”: 2." in telegram.last(who).text


def category_buttons(message) -> list[str]:
    return [
        b["text"]
        for row in message.reply_markup["inline_keyboard"]
        for b in row
        if b.get("callback_data", "").startswith("s:")
    ]


async def test_help_in_the_staff_group_is_the_desks(telegram: Telegram, shop):
    from tests.bot.conftest import STAFF, STAFF_CHAT

    await telegram.say_in_group(STAFF, "/help")
    text = telegram.last(STAFF_CHAT).text
    assert "/order" in text and "/cart" not in text
