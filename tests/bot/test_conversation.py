"""From /start to a placed order and to staff confirming and shipping it, in each language."""

from __future__ import annotations

import pytest

from core.customers.models import Consent, Customer
from core.notifications.models import OutboxMessage
from core.orders.models import Order, OrderStatus
from tests.bot.conftest import OLENA, STAFF, STAFF_CHAT, Telegram, button_datas
from tests.fakes.bot_api import user

# A few words of each language's text, as a customer would read them.
SAYS = {
    "en": {
        "welcome": "Welcome to gearshop",
        "fits": "Fits your Volkswagen Golf",
        "placed": "is placed",
        "added": "Added to your cart",
        "delivery": "How should we deliver",
    },
    "uk": {
        "welcome": "Вітаємо в gearshop",
        "fits": "Підходить до вашого Volkswagen Golf",
        "placed": "оформлено",
        "added": "Додано до кошика",
        "delivery": "Як доставити",
    },
    "ru": {
        "welcome": "Добро пожаловать в gearshop",
        "fits": "Подходит для вашего Volkswagen Golf",
        "placed": "оформлен",
        "added": "Добавлено в корзину",
        "delivery": "Как доставить",
    },
    "es": {
        "welcome": "Bienvenido a gearshop",
        "fits": "Sirve para tu Volkswagen Golf",
        "placed": "realizado",
        "added": "Añadido al carrito",
        "delivery": "¿Cómo entregamos",
    },
}


async def choose_golf(telegram: Telegram, who: dict) -> None:
    await telegram.say(who, "/vehicle")
    await telegram.press_text(who, telegram.last(who), "Volkswagen")
    await telegram.press_text(who, telegram.last(who), "Golf")
    await telegram.press_text(who, telegram.last(who), "CZCA")


async def buy_filter(telegram: Telegram, who: dict, says: dict) -> None:
    await telegram.say(who, "0986452041")
    results = telegram.last(who)
    assert "BOSCH" in str(results.reply_markup)
    await telegram.press(who, results, "p:show:")
    card = telegram.last(who)
    assert says["fits"] in card.text
    await telegram.press(who, card, "p:add:")
    assert says["added"] in telegram.last_answer()["text"]


@pytest.mark.parametrize("language", ["en", "uk", "ru", "es"])
async def test_from_start_to_a_shipped_order(telegram: Telegram, shop, language):
    says = SAYS[language]
    olena = {**OLENA, "language_code": language}
    await telegram.say(olena, "/start")
    assert says["welcome"] in telegram.last(olena).text
    await choose_golf(telegram, olena)
    assert "Volkswagen Golf VII" in telegram.last(olena).text
    await buy_filter(telegram, olena, says)

    await telegram.say(olena, "/cart")
    await telegram.press(olena, telegram.last(olena), "c:checkout")
    await telegram.press(olena, telegram.last(olena), "k:accept")
    assert telegram.last(olena).reply_markup["keyboard"][0][0]["request_contact"] is True
    await telegram.share_contact(olena)
    assert says["delivery"] in telegram.last(olena).text
    customer = await Customer.get(telegram_user_id=olena["id"])
    assert (customer.phone, customer.first_name, customer.locale) == ("+380501234567", "Olena", language)
    assert {c.kind for c in await Consent.filter(customer=customer)} >= {"age_14", "privacy_policy"}

    await telegram.press(olena, telegram.last(olena), "k:delivery:carrier")
    await telegram.say(olena, "Lviv")
    await telegram.say(olena, "12")
    await telegram.press(olena, telegram.last(olena), "k:payment:cash")
    summary = telegram.last(olena)
    assert "Lviv" in summary.text and "BOSCH" in summary.text
    await telegram.press(olena, summary, "k:confirm")
    order = await Order.get(customer=customer)
    assert says["placed"] in telegram.last(olena).text and order.number in telegram.last(olena).text
    assert (order.carrier_city, order.carrier_branch, order.channel) == ("Lviv", "12", "telegram")

    await staff_confirms_and_ships(telegram, order)


async def staff_confirms_and_ships(telegram: Telegram, order: Order) -> None:
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    card = telegram.last(STAFF_CHAT)
    assert order.number in card.text
    await telegram.press(STAFF, card, "staff:confirm:")
    card = telegram.last(STAFF_CHAT)
    assert "confirmed by Taras Staff" in card.text
    assert any(d.startswith("staff:ship:") for d in button_datas(card))
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    assert await OutboxMessage.filter(order_id=order.id, kind="order_confirmed", channel="telegram").exists()

    await telegram.press(STAFF, card, "staff:ship:")
    question = telegram.last(STAFF_CHAT)
    assert order.number in question.text
    assert telegram.api.calls_of("sendMessage")[-1].params["reply_markup"]["force_reply"] is True
    await telegram.say_in_group(STAFF, "59000123456789")
    shipped = await Order.get(id=order.id)
    assert (shipped.status, shipped.tracking_number) == (OrderStatus.SHIPPED, "59000123456789")
    card = telegram.api.sent_to(STAFF_CHAT)[0]
    assert "shipped by Taras Staff" in card.text and "59000123456789" in card.text
    assert button_datas(card) == [f"staff:delivered:{order.number}"]
    assert await OutboxMessage.filter(order_id=order.id, kind="order_shipped", channel="telegram").exists()
    await telegram.press(STAFF, card, "staff:delivered:")
    assert (await Order.get(id=order.id)).status == OrderStatus.DELIVERED
    assert "delivered, marked by Taras Staff" in card.text and button_datas(card) == []


async def test_someone_elses_contact_is_refused(telegram: Telegram, shop):
    olena = OLENA
    await telegram.say(olena, "/start")
    await choose_golf(telegram, olena)
    await buy_filter(telegram, olena, SAYS["uk"])
    await telegram.say(olena, "/checkout")
    await telegram.press(olena, telegram.last(olena), "k:accept")
    await telegram.share_contact(olena, phone="380671112233", owner=user(5555, first_name="Ivan"))
    assert await Customer.all().count() == 0
    assert telegram.last(olena).reply_markup["keyboard"][0][0]["request_contact"] is True


async def test_a_sticker_where_the_name_is_expected_changes_nothing(telegram: Telegram, shop):
    anonymous = user(1002, "en", first_name="")
    await telegram.say(anonymous, "/start")
    await telegram.say(anonymous, "GDB1550")
    await telegram.press(anonymous, telegram.last(anonymous), "p:show:")
    await telegram.press(anonymous, telegram.last(anonymous), "p:add:")
    await telegram.say(anonymous, "/checkout")
    await telegram.press(anonymous, telegram.last(anonymous), "k:accept")
    await telegram.share_contact(anonymous, phone="+34612345678")
    assert "What is your name" in telegram.last(anonymous).text
    await telegram.say(
        anonymous,
        sticker={
            "file_id": "s1",
            "file_unique_id": "u1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        },
    )
    assert "Please answer the question above" in telegram.last(anonymous).text
    await telegram.say(anonymous, "x" * 5000)
    assert (await Customer.get(telegram_user_id=1002)).first_name == ""
    await telegram.say(anonymous, "Marta Garcia Lopez")
    customer = await Customer.get(telegram_user_id=1002)
    assert (customer.first_name, customer.last_name) == ("Marta", "Garcia Lopez")
    assert "How should we deliver" in telegram.last(anonymous).text


async def test_a_telegram_name_with_emoji_is_not_a_dead_end(telegram: Telegram, shop):
    """Telegram profile names often carry emoji or digits; checkout then asks for the name."""
    who = user(1003, "uk", first_name="Оля 🌸", last_name="<b>K&K</b>")
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who, phone="380931112233")
    customer = await Customer.get(telegram_user_id=1003)
    assert (customer.phone, customer.first_name, customer.last_name) == ("+380931112233", "", "")
    assert "Як вас звати?" in telegram.last(who).text
    await telegram.say(who, "Ольга O'Neil-Коваленко")
    customer = await Customer.get(telegram_user_id=1003)
    assert (customer.first_name, customer.last_name) == ("Ольга", "O'Neil-Коваленко")
    assert SAYS["uk"]["delivery"] in telegram.last(who).text
