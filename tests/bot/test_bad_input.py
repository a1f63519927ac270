"""Bad input gets a polite answer and changes nothing: forged buttons, repeats, floods, strangers."""

from __future__ import annotations

import asyncio

from core.carts.models import CartLine
from core.orders.models import Order, OrderStatus
from tests.bot.conftest import OLENA, OTHER_GROUP_MEMBER, STAFF, STAFF_CHAT, Telegram, button_datas
from tests.bot.test_conversation import SAYS, buy_filter, choose_golf
from tests.fakes.bot_api import user

FORGED = [
    "",
    "zzz",
    "p",
    "p:show",
    "p:show:abc",
    "p:explode:1",
    "p:show:99999999",
    "v:pick:-5",
    "v:make:999999",
    "v:model:999999",
    "v:pick:999999",
    "c:more:424242",
    "c:rm:abc",
    "k:confirm",
    "k:payment:cash",
    "o:NOPE-1",
    "s:99",
    "s:0:999999",
    "l:xx",
    "d:forget",
    "staff:confirm:ZZZ",
    "pay:GS-NOPE-0000",
    "c:less:1:-3",
    "m:nothing",
    "x" * 64,
]


async def place_order(telegram: Telegram, who: dict) -> Order:
    await telegram.say(who, "/start")
    await choose_golf(telegram, who)
    await buy_filter(telegram, who, SAYS[who["language_code"]])
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who, phone=f"+38050{who['id']:07d}")
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    await telegram.press(who, telegram.last(who), "k:payment:cash")
    await telegram.press(who, telegram.last(who), "k:confirm")
    return await Order.get(customer__telegram_user_id=who["id"])


async def test_forged_and_stale_buttons_are_answered_and_change_nothing(telegram: Telegram, shop):
    await telegram.say(OLENA, "/start")
    menu = telegram.last(OLENA)
    for data in FORGED:
        before = len(telegram.api.callback_answers())
        await telegram.press_data(OLENA, data, menu)
        answers = telegram.api.callback_answers()
        assert len(answers) == before + 1, data
        assert answers[-1].get("text"), data
    assert await CartLine.all().count() == 0
    assert await Order.all().count() == 0
    assert telegram.last(OLENA).text == menu.text


async def test_a_double_tap_on_confirm_places_one_order(telegram: Telegram, shop):
    olena = {**OLENA, "language_code": "en"}
    await telegram.say(olena, "/start")
    await choose_golf(telegram, olena)
    await buy_filter(telegram, olena, SAYS["en"])
    await telegram.say(olena, "/checkout")
    await telegram.press(olena, telegram.last(olena), "k:accept")
    await telegram.share_contact(olena)
    await telegram.press(olena, telegram.last(olena), "k:delivery:pickup")
    await telegram.press(olena, telegram.last(olena), "k:payment:cash")
    summary = telegram.last(olena)
    taps = [telegram.callback_update(olena, summary, "k:confirm") for _ in range(4)]
    await asyncio.gather(*(telegram.feed(tap) for tap in taps[:3]))
    await telegram.feed(taps[3])  # Telegram delivering a late press after the order was placed
    assert await Order.all().count() == 1
    assert sum("is placed" in text for text in telegram.api.texts_to(olena["id"])) == 1


async def test_a_repeated_update_is_handled_once(telegram: Telegram, shop):
    update = await telegram.say(OLENA, "/help")
    await telegram.feed({k: v for k, v in update.items() if k != "update_id"}, update_id=update["update_id"])
    assert len(telegram.api.calls_of("sendMessage")) == 1


async def test_unknown_commands_huge_texts_and_stickers_get_polite_answers(telegram: Telegram, shop):
    who = user(3003, "en")
    await telegram.say(who, "/frobnicate")
    assert "I don't know this command" in telegram.last(who).text
    await telegram.say(who, "0986452041 " * 500)
    assert "too long for a search" in telegram.last(who).text
    await telegram.say(who, photo=[{"file_id": "p", "file_unique_id": "u", "width": 10, "height": 10}])
    assert "I understand text and buttons" in telegram.last(who).text
    await telegram.say(who, "a b c d e f g h i j k")
    assert "at most 10 words" in telegram.last(who).text
    assert await CartLine.all().count() == 0


async def test_someone_outside_the_staff_cannot_press_staff_buttons(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    card = telegram.last(STAFF_CHAT)
    for stranger in (OTHER_GROUP_MEMBER, OLENA):
        await telegram.press(stranger, card, "staff:confirm:")
        answer = telegram.last_answer()
        assert answer["show_alert"] is True and "Only shop staff" in answer["text"]
    await telegram.press_data(STAFF, f"staff:ship:{order.number}", card)  # not offered for a new order
    assert (await Order.get(id=order.id)).status == OrderStatus.NEW
    assert telegram.api.sent_to(STAFF_CHAT)[-1].text == card.text
    # A stranger's /order in the group is ignored; a staff member's card in a private chat does nothing.
    await telegram.say_in_group(OTHER_GROUP_MEMBER, f"/order {order.number}")
    assert len(telegram.api.sent_to(STAFF_CHAT)) == 1
    await telegram.press_data(STAFF, button_datas(card)[0], telegram.last(OLENA))
    assert (await Order.get(id=order.id)).status == OrderStatus.NEW


async def test_staff_cancel_returns_the_order_to_nobody_twice(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    card = telegram.last(STAFF_CHAT)
    await telegram.press(STAFF, card, "staff:cancel:")
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    assert "cancelled by Taras Staff" in telegram.last(STAFF_CHAT).text
    await telegram.press_data(STAFF, f"staff:confirm:{order.number}", telegram.last(STAFF_CHAT))
    assert "Only a new order can be confirmed" in telegram.last_answer()["text"]
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED


async def test_a_bad_tracking_number_is_refused_and_can_be_retried(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    await telegram.press(STAFF, telegram.last(STAFF_CHAT), "staff:confirm:")
    await telegram.press(STAFF, telegram.last(STAFF_CHAT), "staff:ship:")
    await telegram.say_in_group(STAFF, "no such thing!")
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    await telegram.say_in_group(OTHER_GROUP_MEMBER, "AB-1234")
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    await telegram.say_in_group(STAFF, "-")
    shipped = await Order.get(id=order.id)
    assert (shipped.status, shipped.tracking_number) == (OrderStatus.SHIPPED, "")


async def test_throttling_answers_once_and_drops_the_rest(db, make_telegram, shop):
    telegram = await make_telegram(updates_per_minute_per_user=3)
    who = user(4004, "en")
    for _ in range(6):
        await telegram.say(who, "/help")
    texts = telegram.api.texts_to(who["id"])
    assert len(texts) == 4 and "Too many requests" in texts[-1]
    other = user(4005, "en")
    await telegram.say(other, "/help")
    assert len(telegram.api.texts_to(other["id"])) == 1


async def test_flood_limits_are_waited_out(telegram: Telegram, shop):
    telegram.api.flood("sendMessage", retry_after=1)
    await telegram.say(OLENA, "/help")
    assert len(telegram.api.calls_of("sendMessage")) == 2
    assert len(telegram.api.texts_to(OLENA["id"])) == 1


async def test_a_card_too_old_to_read_is_rebuilt_from_the_order(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    card = telegram.last(STAFF_CHAT)
    inaccessible = {
        "chat": {"id": STAFF_CHAT, "type": "supergroup", "title": "Staff desk"},
        "message_id": card.message_id,
        "date": 0,
    }
    await telegram.press_data(STAFF, f"staff:confirm:{order.number}", inaccessible)
    assert (await Order.get(id=order.id)).status == OrderStatus.CONFIRMED
    assert order.number in card.text and "confirmed by Taras Staff" in card.text


async def test_a_failure_inside_is_logged_and_answered_politely(db, telegram: Telegram, shop, caplog):
    from core.db import close_database, open_database

    who = user(3004, "es")
    await close_database()  # the database goes away under the bot
    try:
        await telegram.say(who, "0986452041")
    finally:
        await open_database(db.url)
    assert "algo ha fallado" in telegram.last(who).text
    assert any("failed" in record.message for record in caplog.records)


async def test_customer_buttons_outside_the_private_chat_change_nothing(telegram: Telegram, shop, caplog):
    """A customer's button data pressed under a group message or an inline message: a polite no."""
    olena = {**OLENA, "language_code": "en"}
    await telegram.say_in_group(STAFF, "/order NOPE")
    group_message = telegram.last(STAFF_CHAT)
    for data in ("m:cart", "c:checkout", f"p:add:{shop.filter_bosch}", "k:accept", "m:language", "m:help"):
        before = len(telegram.api.calls_of("sendMessage"))
        await telegram.press_data(olena, data, group_message)
        inline = {"id": f"inline-{data}", "from": olena, "chat_instance": "ci", "data": data}
        await telegram.feed({"callback_query": {**inline, "inline_message_id": "AAAA"}})
        answers = telegram.api.callback_answers()[-2:]
        assert all("no longer valid" in a.get("text", "") for a in answers), (data, answers)
        assert len(telegram.api.calls_of("sendMessage")) == before, data
    assert await CartLine.all().count() == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_commands_work_in_the_middle_of_checkout(telegram: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await place_order(telegram, who)
    await buy_filter(telegram, who, SAYS["en"])
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:delivery:courier")
    await telegram.say(who, "/privacy")
    assert "privacy@example.com" in telegram.last(who).text
    await telegram.say(who, "/frobnicate")
    assert "Please answer the question above" in telegram.last(who).text
    await telegram.say(who, "Lviv, Svobody 2")  # the conversation goes on where it was
    assert "How will you pay?" in telegram.last(who).text


async def test_while_the_phone_is_asked_for_commands_still_answer(telegram: Telegram, shop):
    who = user(3010, "en")
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.say(who, "/privacy")
    assert "privacy@example.com" in telegram.last(who).text
    await telegram.say(who, "my phone is 0501234567")
    assert telegram.last(who).reply_markup["keyboard"][0][0]["request_contact"] is True
    await telegram.share_contact(who, phone="+380501119922")
    assert "How should we deliver" in telegram.last(who).text


async def test_an_edited_message_is_answered_and_not_acted_on(telegram: Telegram, shop):
    who = user(3011, "en")
    await telegram.say(who, "/start")
    sent = await telegram.say(who, "0986452041")
    edited = {**sent["message"], "text": "GDB1550", "edit_date": sent["message"]["date"] + 5}
    await telegram.feed({"edited_message": edited})
    assert "edited messages" in telegram.last(who).text
    assert not any("GDB1550" in text for text in telegram.api.texts_to(who["id"]))
    # In the staff group people fix their typos without the bot commenting.
    said = await telegram.say_in_group(STAFF, "helo")
    await telegram.feed({"edited_message": {**said["message"], "text": "hello", "edit_date": 1}})
    assert telegram.api.sent_to(STAFF_CHAT) == []


async def test_an_order_cancelled_while_its_tracking_number_is_asked_for(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say_in_group(STAFF, f"/order {order.number}")
    await telegram.press(STAFF, telegram.last(STAFF_CHAT), "staff:confirm:")
    card = telegram.api.sent_to(STAFF_CHAT)[-1]
    await telegram.press(STAFF, card, "staff:ship:")
    await telegram.press(STAFF, card, "staff:cancel:")  # a change of mind before the number is typed
    await telegram.say_in_group(STAFF, "59000123456789")
    assert "Only a confirmed order can be shipped" in telegram.last(STAFF_CHAT).text
    assert (await Order.get(id=order.id)).status == OrderStatus.CANCELLED
    sent = len(telegram.api.sent_to(STAFF_CHAT))
    await telegram.say_in_group(STAFF, "ok, thanks everyone")  # no longer taken for a tracking number
    assert len(telegram.api.sent_to(STAFF_CHAT)) == sent


async def test_names_with_html_characters_are_shown_as_written(telegram: Telegram, shop, caplog):
    """The fake Bot API refuses broken HTML as Telegram does; every shown value must be escaped."""
    from core.catalogue.models import Category, Make, Part, Vehicle, VehicleModel

    await Make.filter(id=shop.make_vw).update(name="VW <Motors> & Co")
    await VehicleModel.filter(id=shop.model_golf).update(name="Golf <i>")
    await Vehicle.filter(id=shop.golf).update(generation="VII & <8>")
    await Part.filter(id=shop.filter_bosch).update(name="Oil <filter> & more")
    await Category.filter(slug="oil-filters").update(name="Filters <oil> & co")
    boss = user(900, "en", first_name="Taras <Boss>", last_name="& Co")
    who = {**OLENA, "language_code": "en"}
    await telegram.say(who, "/vehicle")
    await telegram.press_text(who, telegram.last(who), "VW <Motors>")
    await telegram.press_text(who, telegram.last(who), "Golf <i>")
    await telegram.press_text(who, telegram.last(who), "CZCA")
    assert "VW &lt;Motors&gt; &amp; Co Golf &lt;i&gt; VII &amp; &lt;8&gt;" in telegram.last(who).text
    await telegram.say(who, "<b>oil & filter")
    assert "&lt;b&gt;oil &amp; filter" in telegram.last(who).text
    await telegram.say(who, "0986452041")
    await telegram.press_text(who, telegram.last(who), "BOSCH")
    card = telegram.last(who)
    assert "Oil &lt;filter&gt; &amp; more" in card.text and "Filters &lt;oil&gt; &amp; co" in card.text
    await telegram.press(who, card, "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who)
    await telegram.press(who, telegram.last(who), "k:delivery:carrier")
    await telegram.say(who, "Lviv & <Co>")
    await telegram.say(who, "12")
    await telegram.press(who, telegram.last(who), "k:payment:cash")
    assert "Lviv &amp; &lt;Co&gt;" in telegram.last(who).text
    await telegram.press(who, telegram.last(who), "k:confirm")
    order = await Order.get(customer__telegram_user_id=who["id"])
    await telegram.say(who, "/orders")
    await telegram.press(who, telegram.last(who), "o:")
    assert "Oil &lt;filter&gt; &amp; more" in telegram.last(who).text
    await telegram.say_in_group(boss, f"/order {order.number}")
    await telegram.press(boss, telegram.last(STAFF_CHAT), "staff:confirm:")
    assert "confirmed by Taras &lt;Boss&gt; &amp; Co" in telegram.api.sent_to(STAFF_CHAT)[-1].text
    await telegram.press(boss, telegram.api.sent_to(STAFF_CHAT)[-1], "staff:ship:")
    assert "Taras &lt;Boss&gt; &amp; Co</a>" in telegram.last(STAFF_CHAT).text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
