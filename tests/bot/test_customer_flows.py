"""What a customer does in the chat besides the main purchase: link, cart, orders, language, data rights."""

from __future__ import annotations

import json

from core.carts.service import CartOwner, add_to_cart, get_cart_view
from core.customers import telegram_link
from core.customers.models import Address, Customer, CustomerStatus, GarageVehicle
from core.orders.models import Order
from tests.bot.conftest import OLENA, Telegram, button_datas
from tests.bot.test_bad_input import place_order
from tests.fakes.bot_api import inline_query, user


async def web_customer(email: str = "olena@example.com", phone: str = "+380671234567") -> Customer:
    return await Customer.create(
        first_name="Olena",
        last_name="Kovalenko",
        email=email,
        phone=phone,
        password_hash="argon2-not-used-here",
        locale="en",
    )


async def test_a_deep_link_joins_the_chat_to_the_web_account(telegram: Telegram, shop):
    web = await web_customer()
    await add_to_cart(CartOwner(customer_id=web.id), shop.pads, 1)
    await telegram.say(OLENA, "GDB1550")  # first, as a stranger, the chat's own cart
    await telegram.press(OLENA, telegram.last(OLENA), "p:show:")
    await telegram.press(OLENA, telegram.last(OLENA), "p:add:")
    token = await telegram_link.create_link_token(web)
    await telegram.say(OLENA, f"/start {token}")
    assert "Olena" in telegram.last(OLENA).text
    web = await Customer.get(id=web.id)
    assert web.telegram_user_id == OLENA["id"]
    cart = await get_cart_view(CartOwner(customer_id=web.id))
    assert [(line.part_id, line.quantity) for line in cart.lines] == [(shop.pads, 2)]
    await telegram.say(OLENA, "/cart")
    assert "GDB1550" in telegram.last(OLENA).text
    # The token was single-use.
    await telegram.say({**OLENA, "id": 2002}, f"/start {token}")
    assert (await Customer.get(id=web.id)).telegram_user_id == OLENA["id"]
    assert await Customer.filter(telegram_user_id=2002).count() == 0


async def test_a_bot_account_merges_into_the_web_account_with_its_orders(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    web = await web_customer(email="o@example.com", phone="+380671111111")
    await telegram.say(OLENA, f"/start {await telegram_link.create_link_token(web)}")
    assert (await Order.get(id=order.id)).customer_id == web.id
    await telegram.say(OLENA, "/orders")
    assert order.number in telegram.last(OLENA).text


async def test_a_bad_or_used_link_changes_nothing(telegram: Telegram, shop):
    await telegram.say(OLENA, "/start " + "A" * 43)
    assert "invalid" in telegram.last(OLENA).text.lower() or "недійсне" in telegram.last(OLENA).text
    await telegram.say(OLENA, "/start <script>")
    assert await Customer.filter(telegram_user_id=OLENA["id"]).count() == 0


async def test_cart_quantities_change_and_lines_go(telegram: Telegram, shop):
    who = user(5005, "en")
    for query in ("GDB1550", "0986452041"):
        await telegram.say(who, query)
        await telegram.press(who, telegram.last(who), "p:show:")
        await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/cart")
    cart = telegram.last(who)
    await telegram.press(who, cart, f"c:more:{shop.pads}")
    await telegram.press(who, cart, f"c:more:{shop.pads}")
    await telegram.press(who, cart, f"c:more:{shop.pads}")  # only 3 in stock
    assert "only 3 in stock" in telegram.last_answer()["text"]
    assert "× 3" in cart.text
    await telegram.press(who, cart, f"c:less:{shop.pads}")
    assert "× 2" in cart.text
    await telegram.press(who, cart, f"c:rm:{shop.filter_bosch}")
    assert "BOSCH" not in cart.text and "GDB1550" in cart.text
    await telegram.press_data(who, f"c:rm:{shop.filter_bosch}", cart)
    assert "no longer in your cart" in telegram.last_answer()["text"]


async def test_a_sold_out_part_has_no_add_button_and_cannot_be_added(telegram: Telegram, shop):
    who = user(5006, "en")
    await telegram.say(who, "BKR6EK")
    await telegram.press(who, telegram.last(who), "p:show:")
    card = telegram.last(who)
    assert "Out of stock" in card.text and not any(d.startswith("p:add") for d in button_datas(card))
    await telegram.press_data(who, f"p:add:{shop.plug_sold_out}", card)
    assert "out of stock" in telegram.last_answer()["text"]


async def test_a_part_that_does_not_fit_the_chosen_vehicle_says_so(telegram: Telegram, shop):
    who = user(5007, "en")
    await telegram.say(who, "/vehicle")
    await telegram.press_text(who, telegram.last(who), "Volkswagen")
    await telegram.press_text(who, telegram.last(who), "Golf")
    await telegram.press_text(who, telegram.last(who), "CZCA")
    await telegram.say(who, "GDB1550")
    assert "None of these is listed for your Volkswagen Golf" in telegram.last(who).text
    await telegram.press(who, telegram.last(who), "p:show:")
    assert "Does not fit your Volkswagen Golf" in telegram.last(who).text


async def test_courier_delivery_to_a_new_then_a_saved_address(telegram: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await place_order(telegram, who)  # the account exists now
    for _ in range(2):
        await telegram.say(who, "0986452041")
        await telegram.press(who, telegram.last(who), "p:show:")
        await telegram.press(who, telegram.last(who), "p:add:")
        await telegram.say(who, "/checkout")
        await telegram.press(who, telegram.last(who), "k:delivery:courier")
        if await Address.all().count() == 0:
            await telegram.say(who, "Kyiv")  # no street: asked again
            assert "city, street and house" in telegram.last(who).text
            await telegram.say(who, "Kyiv, Khreshchatyk 1, apt 5")
        else:
            await telegram.press(who, telegram.last(who), "k:address:")
        await telegram.press(who, telegram.last(who), "k:payment:cash")
        await telegram.press(who, telegram.last(who), "k:confirm")
    orders = await Order.filter(delivery_method="courier").order_by("id")
    assert [o.delivery_address for o in orders] == ["Khreshchatyk 1, apt 5, Kyiv, UA"] * 2
    assert await Address.all().count() == 1


async def test_card_payment_gives_the_provider_page(telegram: Telegram, shop):
    who = {**OLENA, "language_code": "en"}
    await place_order(telegram, who)
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    await telegram.press(who, telegram.last(who), "k:payment:card.sandbox")
    await telegram.press(who, telegram.last(who), "k:confirm")
    done = telegram.last(who)
    url = done.reply_markup["inline_keyboard"][0][0]["url"]
    assert url.startswith("https://shop.example/sandbox-bank/")
    order = await Order.filter(payment_method="card").first()
    assert order.payment_state == "pending" and order.number in done.text
    # Left unpaid, the order offers the provider's page again from /orders.
    await telegram.say(who, "/orders")
    await telegram.press_data(who, f"o:{order.number}", telegram.last(who))
    await telegram.press(who, telegram.last(who), "pay:")
    again = telegram.last(who).reply_markup["inline_keyboard"][0][0]["url"]
    assert again.startswith("https://shop.example/sandbox-bank/") and again != url


async def test_orders_list_and_details_and_someone_elses_order(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say(OLENA, "/orders")
    listing = telegram.last(OLENA)
    assert order.number in listing.text and "New" in listing.text
    await telegram.press(OLENA, listing, "o:")
    assert "Pickup at the shop" in telegram.last(OLENA).text
    stranger = user(6006, "en")
    await telegram.say(stranger, "/orders")
    assert "no orders yet" in telegram.last(stranger).text
    await telegram.press_data(stranger, f"o:{order.number}", telegram.last(stranger))
    assert telegram.last_answer()["text"] == "Order not found."


async def test_language_is_kept_for_the_chat_and_on_the_customer(telegram: Telegram, shop):
    stranger = user(7007, "en")
    await telegram.say(stranger, "/language")
    await telegram.press(stranger, telegram.last(stranger), "l:es")
    assert "Idioma cambiado" in telegram.last(stranger).text
    await telegram.say(stranger, "/help")
    assert "Qué puedo hacer" in telegram.last(stranger).text
    await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say(OLENA, "/language")
    await telegram.press(OLENA, telegram.last(OLENA), "l:ru")
    assert (await Customer.get(telegram_user_id=OLENA["id"])).locale == "ru"
    await telegram.say(OLENA, "/cancel")
    assert "Отменено" in telegram.api.texts_to(OLENA["id"])[-2]


async def test_inline_search_lists_parts_with_a_link_back(telegram: Telegram, shop):
    await telegram.feed(inline_query(user(8008, "uk"), "0986452041"))
    answer = telegram.api.calls_of("answerInlineQuery")[-1].params
    titles = [r["title"] for r in answer["results"]]
    assert any("BOSCH" in t for t in titles) and any("MANN" in t for t in titles)
    first = answer["results"][0]
    assert first["reply_markup"]["inline_keyboard"][0][0]["url"].startswith(
        "https://t.me/gearshop_test_bot?start=part_"
    )
    assert "Ціна" in first["input_message_content"]["message_text"]
    # Answers are per user: Telegram would otherwise show this Ukrainian answer to everyone.
    assert answer["is_personal"] is True
    await telegram.feed(inline_query(user(8009, "es"), "0986452041", query_id="iq-es"))
    spanish = telegram.api.calls_of("answerInlineQuery")[-1].params
    assert "Precio" in spanish["results"][0]["input_message_content"]["message_text"]
    await telegram.feed(inline_query(user(8008, "uk"), "x" * 300, query_id="iq2"))
    assert telegram.api.calls_of("answerInlineQuery")[-1].params["results"] == []
    part_link = first["reply_markup"]["inline_keyboard"][0][0]["url"].split("start=")[1]
    await telegram.say(user(8008, "uk"), f"/start {part_link}")
    assert "BOSCH" in telegram.last(8008).text or "MANN" in telegram.last(8008).text


async def test_mydata_shows_and_exports_and_forgetme_deletes(telegram: Telegram, shop):
    order = await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say(OLENA, "/mydata")
    shown = telegram.last(OLENA)
    assert "+38050" in shown.text and "privacy policy accepted" in shown.text
    await telegram.press(OLENA, shown, "d:export")
    exported = json.loads(telegram.api.calls_of("sendDocument")[-1].document())
    assert exported["profile"]["phone"].startswith("+38050")
    assert [o["number"] for o in exported["orders"]] == [order.number]
    # An order still open keeps the account; once it is done, /forgetme erases it.
    olena = {**OLENA, "language_code": "en"}
    await telegram.say(olena, "/forgetme")
    await telegram.press(olena, telegram.last(olena), "d:forget")
    assert order.number in telegram.last(olena).text
    assert (await Customer.get(telegram_user_id=olena["id"])).status == CustomerStatus.ACTIVE
    await Order.filter(id=order.id).update(status="delivered")
    await telegram.say(olena, "/forgetme")
    await telegram.press(olena, telegram.last(olena), "d:forget")
    assert "deleted" in telegram.last(olena).text
    assert await Customer.filter(telegram_user_id=olena["id"]).count() == 0
    await telegram.say(olena, "/mydata")
    assert "We keep no personal data" in telegram.last(olena).text


async def test_the_garage_remembers_vehicles(telegram: Telegram, shop):
    await place_order(telegram, {**OLENA, "language_code": "en"})
    await telegram.say(OLENA, "/vehicle")
    await telegram.press_text(OLENA, telegram.last(OLENA), "Ford")
    await telegram.press_text(OLENA, telegram.last(OLENA), "Focus")
    await telegram.press_text(OLENA, telegram.last(OLENA), "PNDA")
    await telegram.press(OLENA, telegram.last(OLENA), "v:save:")
    assert await GarageVehicle.filter(vehicle_id=shop.focus).exists()
    await telegram.say(OLENA, "/vehicle")
    garage = telegram.last(OLENA)
    assert "garage" in garage.text and "Ford Focus" in str(garage.reply_markup)
    await telegram.press_text(OLENA, garage, "Ford Focus")
    assert "Ford Focus III" in telegram.last(OLENA).text


async def test_an_expired_link_or_one_for_a_telegram_linked_elsewhere_changes_nothing(
    telegram: Telegram, shop
):
    import datetime as dt

    from core.customers.models import AccountToken

    web = await web_customer()
    token = await telegram_link.create_link_token(web)
    await AccountToken.filter(customer_id=web.id).update(
        expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    )
    english = {**OLENA, "language_code": "en"}
    await telegram.say(english, f"/start {token}")
    assert "expired" in telegram.last(english).text
    assert (await Customer.get(id=web.id)).telegram_user_id is None
    # This Telegram user is already the Telegram of another web account: that link stays.
    other = await web_customer(email="other@example.com", phone="+380679999999")
    await Customer.filter(id=other.id).update(telegram_user_id=english["id"])
    await telegram.say(english, f"/start {await telegram_link.create_link_token(web)}")
    assert "already linked to another shop account" in telegram.last(english).text
    assert (await Customer.get(id=web.id)).telegram_user_id is None
    assert (await Customer.get(id=other.id)).telegram_user_id == english["id"]


async def test_with_the_development_address_links_come_as_text(db, make_telegram, shop):
    """Telegram refuses URL buttons to 127.0.0.1 (and the whole message with them)."""
    telegram = await make_telegram(base_url="http://127.0.0.1:8080")
    who = {**OLENA, "language_code": "en"}
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    notice = telegram.last(who)
    assert "Privacy policy: http://127.0.0.1:8080/privacy" in notice.text
    assert all("url" not in b for row in notice.reply_markup["inline_keyboard"] for b in row)
    await telegram.press(who, notice, "k:accept")
    await telegram.share_contact(who)
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    await telegram.press(who, telegram.last(who), "k:payment:card.sandbox")
    await telegram.press(who, telegram.last(who), "k:confirm")
    done = telegram.last(who)
    assert "is placed" in done.text and "http://127.0.0.1:8080/sandbox-bank/" in done.text


async def test_a_big_cart_comes_in_pages_and_long_orders_fit_in_a_message(telegram: Telegram, shop, caplog):
    """Telegram takes at most 100 buttons and 4096 characters in a message."""
    from core.catalogue.models import Part

    who = {**OLENA, "language_code": "en"}
    await place_order(telegram, who)  # the account exists; its cart is filled directly
    customer = await Customer.get(telegram_user_id=who["id"])
    for n in range(25):
        part = await Part.create(
            brand="ACME",
            brand_key="ACME",
            article=f"BIG-{n:02d}",
            article_norm=f"BIG{n:02d}",
            name="A part with a rather long descriptive name " * 4,
            price=100,
            currency="EUR",
            stock=5,
        )
        await add_to_cart(CartOwner(customer_id=customer.id), part.id, 1)
    await telegram.say(who, "/cart")
    cart = telegram.last(who)
    assert "1/3" in str(cart.reply_markup) and cart.text.count("• ") == 10 and "BIG-00" in cart.text
    await telegram.press(who, cart, "c:show:0:1")
    assert "2/3" in str(cart.reply_markup) and "BIG-10" in cart.text and "BIG-00" not in cart.text
    await telegram.press(who, cart, "c:more:")  # a change on page 2 stays on page 2
    assert "2/3" in str(cart.reply_markup) and "BIG-10 — " in cart.text and "× 2" in cart.text
    await telegram.press(who, cart, "c:checkout")
    await telegram.press(who, telegram.last(who), "k:delivery:pickup")
    await telegram.press(who, telegram.last(who), "k:payment:cash")
    summary = telegram.last(who)
    assert "… and" in summary.text and len(summary.text) <= 4096
    await telegram.press(who, summary, "k:confirm")
    order = await Order.filter(customer_id=customer.id).order_by("-id").first()
    assert order.number in telegram.last(who).text
    await telegram.press_data(who, f"o:{order.number}", telegram.last(who))
    assert "… and" in telegram.last(who).text
    from tests.bot.conftest import STAFF, STAFF_CHAT

    await telegram.say_in_group(STAFF, f"/order {order.number}")
    assert "… and" in telegram.last(STAFF_CHAT).text
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_the_phone_of_a_web_account_ends_checkout_with_the_way_to_link(telegram: Telegram, shop):
    web = await web_customer(phone="+380501234567")
    who = {**OLENA, "language_code": "en"}
    await telegram.say(who, "GDB1550")
    await telegram.press(who, telegram.last(who), "p:show:")
    await telegram.press(who, telegram.last(who), "p:add:")
    await telegram.say(who, "/checkout")
    await telegram.press(who, telegram.last(who), "k:accept")
    await telegram.share_contact(who, phone="380501234567")
    assert "belongs to a web shop account" in telegram.last(who).text
    assert telegram.api.calls_of("sendMessage")[-1].params["reply_markup"] == {"remove_keyboard": True}
    assert (await Customer.get(id=web.id)).telegram_user_id is None
    assert await Customer.filter(telegram_user_id=who["id"]).count() == 0
    await telegram.say(who, "GDB1550")  # out of the checkout: typing searches again
    assert "Found 1" in telegram.last(who).text


async def test_mydata_changes_the_name_the_phone_and_deletes_an_address(telegram: Telegram, shop):
    """P9: the data the chat collected can be changed in the chat, not only seen."""
    who = {**OLENA, "language_code": "en"}
    await place_order(telegram, who)
    customer = await Customer.get(telegram_user_id=who["id"])
    await Address.create(customer=customer, city="Kyiv", street="Khreshchatyk 1", country="UA")
    await telegram.say(who, "/mydata")
    await telegram.press(who, telegram.last(who), "d:name")
    await telegram.say(who, "12345")  # not a name: asked again, nothing changes
    assert "What is your name" in telegram.last(who).text
    await telegram.say(who, "Olha Kovalenko-Shevchenko")
    shown = telegram.last(who)
    assert "Kovalenko-Shevchenko Olha" in shown.text
    await telegram.press(who, shown, "d:phone")
    await telegram.share_contact(who, phone="380671234000", owner=user(5555, first_name="Ivan"))
    assert "your own phone number" in telegram.last(who).text
    await telegram.share_contact(who, phone="380671234000")
    assert "+380671234000" in telegram.last(who).text
    customer = await Customer.get(id=customer.id)
    assert (customer.first_name, customer.last_name, customer.phone) == (
        "Olha",
        "Kovalenko-Shevchenko",
        "+380671234000",
    )
    shown = telegram.last(who)
    await telegram.press(who, shown, "d:addr:")
    assert await Address.filter(customer_id=customer.id).count() == 0
    assert "Kyiv" not in shown.text and "Deleted" in telegram.last_answer()["text"]
    await telegram.press_data(who, "d:addr:999999", shown)  # gone already, or never there
    assert "no longer in your address book" in telegram.last_answer()["text"]


async def test_a_web_accounts_phone_is_changed_on_the_website(telegram: Telegram, shop):
    web = await web_customer()
    await Customer.filter(id=web.id).update(password_hash="argon2id-hash", telegram_user_id=OLENA["id"])
    english = {**OLENA, "language_code": "en"}
    await telegram.say(english, "/mydata")
    shown = telegram.last(english)
    assert not any(d.startswith("d:phone") for d in button_datas(shown))
    await telegram.press_data(english, "d:phone:0", shown)
    assert "website" in telegram.last_answer()["text"]
    stranger = user(6107, "en")
    await telegram.say(stranger, "/mydata")
    await telegram.press_data(stranger, "d:name:0", telegram.last(stranger))
    assert "We keep no personal data" in telegram.last_answer()["text"]


async def test_many_orders_come_in_pages(telegram: Telegram, shop):
    first = await place_order(telegram, {**OLENA, "language_code": "en"})
    copied = ("customer_id", "status", "channel", "locale", "currency", "subtotal", "shipping_price", "total")
    copied += ("delivery_method", "payment_method", "payment_state")
    for n in range(11):
        await Order.create(number=f"GS-PAGE-{n:04d}", **{f: getattr(first, f) for f in copied})
    await telegram.say(OLENA, "/orders")
    listing = telegram.last(OLENA)
    assert "1/2" in str(listing.reply_markup) and listing.text.count("GS-") == 10
    await telegram.press(OLENA, listing, "os:1")
    assert "2/2" in str(listing.reply_markup) and listing.text.count("GS-") == 2
    await telegram.press(OLENA, listing, "o:")
    assert "GS-" in telegram.last(OLENA).text
