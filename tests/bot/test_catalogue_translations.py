"""The bot names categories and fuels in the customer's language."""

from __future__ import annotations

from core.catalogue.models import Category
from core.customers import garage
from core.customers.models import Customer
from tests.bot.conftest import OLENA, Telegram, button_datas
from tests.bot.test_bad_input import place_order
from tests.bot.test_menus import category_buttons
from tests.fakes.bot_api import user


async def test_a_ukrainian_customer_sees_ukrainian_categories_and_fuel(telegram: Telegram, shop):
    await Category.filter(slug="oil-filters").update(
        name_uk="Масляні фільтри", name_ru="Масляные фильтры", name_es="Filtros de aceite"
    )
    who = user(9301, "uk")
    await telegram.say(who, "/vehicle")
    await telegram.press_text(who, telegram.last(who), "Volkswagen")
    await telegram.press_text(who, telegram.last(who), "Golf")
    engines = telegram.last(who)
    assert "1.4 бензин CZCA" in str(engines.reply_markup) and "petrol" not in str(engines.reply_markup)
    await telegram.press_text(who, engines, "CZCA")
    assert "Ваше авто: Volkswagen Golf VII (5G1) 1.4 бензин CZCA" in telegram.last(who).text

    await telegram.press(who, telegram.last(who), "v:cats:")
    assert category_buttons(telegram.last(who)) == ["Масляні фільтри (2)"]
    await telegram.press_text(who, telegram.last(who), "Масляні фільтри")
    results = telegram.last(who)
    assert "У категорії «Масляні фільтри»: 2." in results.text
    assert any(d.startswith("p:show:") for d in button_datas(results))
    await telegram.press(who, results, "p:show:")
    assert "Категорія: Масляні фільтри" in telegram.last(who).text


async def test_an_english_customer_sees_the_name_as_imported(telegram: Telegram, shop):
    await Category.filter(slug="oil-filters").update(name_uk="Масляні фільтри")
    who = user(9302, "en")
    await telegram.say(who, "/vehicle")
    await telegram.press_text(who, telegram.last(who), "Volkswagen")
    await telegram.press_text(who, telegram.last(who), "Golf")
    await telegram.press_text(who, telegram.last(who), "CZCA")
    await telegram.press(who, telegram.last(who), "v:cats:")
    assert category_buttons(telegram.last(who)) == ["Oil filters (2)"]


async def test_the_garage_names_the_fuel_in_the_chats_language(telegram: Telegram, shop):
    await place_order(telegram, OLENA)  # Olena writes in Ukrainian; an order makes her a customer
    await garage.add_vehicle(await Customer.get(telegram_user_id=OLENA["id"]), shop.focus, channel="telegram")
    await telegram.say(OLENA, "/vehicle")
    buttons = str(telegram.last(OLENA).reply_markup)
    assert "Ford Focus III 1.6 бензин PNDA" in buttons and "petrol" not in buttons
