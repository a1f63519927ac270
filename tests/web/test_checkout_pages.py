"""Checkout and order pages on the real app (SQLite and PostgreSQL).

The whole purchase of a new customer (anonymous cart → register at checkout → place → order
page → account orders) with every Set-Cookie of it checked for personal data (P2); the
confirmation form carries only choices (P5); a double submit gives one order; bad choices come
back with an error by the field; another customer's order is a 404.
"""

from __future__ import annotations

import base64
import re
import urllib.parse
from html import unescape

from aiohttp import web
from tortoise import Tortoise

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as
from tests.web.test_auth_pages import (
    INPUT_NAMES,
    customer_with_password,
    field_error,
    input_value,
    post_form,
    register,
)

ORDER_PATH = re.compile(r"^/orders/(GS-[A-Z0-9]{4}-[A-Z0-9]{4})$")


async def add_to_cart(client, part_id: int, quantity: int = 1):
    response = await post_form(client, "/cart/add", {"part_id": str(part_id), "quantity": str(quantity)},
                               token_from=f"/part/{part_id}")
    assert response.status == 303, await response.text()


def form_fields(html: str, action: str) -> dict[str, str]:
    """name -> value of the inputs of the form that posts to `action`."""
    form = html.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    pairs = re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)
    return {unescape(name): unescape(value) for name, value in pairs}


async def confirm(client, **choices: str):
    """Step 2: post the choices; returns the confirmation response."""
    return await post_form(client, "/checkout", choices)


async def place_from(client, confirmation_html: str):
    """Step 3: submit the confirmation form exactly as the page has it."""
    fields = form_fields(confirmation_html, "/checkout/place")
    return await client.post("/checkout/place", data=fields, allow_redirects=False)


async def buy(client, **choices: str):
    confirmation = await confirm(client, **choices)
    assert confirmation.status == 200, await confirmation.text()
    return await place_from(client, await confirmation.text())


async def orders_of(customer_id: int) -> list:
    from core.orders.models import Order

    return await Order.filter(customer_id=customer_id).prefetch_related("lines")


# ---------------------------------------------------------------- the purchase of a new customer


def personal_data_in(value: str, secrets: list[str]) -> list[str]:
    """Which of `secrets` occur in a cookie value, as is, URL-decoded or base64-decoded."""
    forms = [value, urllib.parse.unquote(value)]
    try:
        forms.append(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode("latin-1"))
    except ValueError:
        pass
    return [s for s in secrets if any(s.casefold() in f.casefold() for f in forms)]


async def distinctive_customer_ids(db_url, start: int = 987_654) -> None:
    """Make the next customer id long and unusual, so finding it in a cookie means something."""
    from core.customers.models import Customer

    if db_url.kind == "postgres":
        await Tortoise.get_connection("default").execute_query(
            f"SELECT setval(pg_get_serial_sequence('customer', 'id'), {start - 1})")
    else:  # AUTOINCREMENT never reuses an id, even of a deleted row
        await (await Customer.create(id=start - 1, email="placeholder@example.com")).delete()


async def test_a_new_customer_buys_a_part_and_no_cookie_holds_personal_data(app_client, catalogue: Catalogue,
                                                                           db_url):
    cookies: list[str] = []

    async def record_cookies(request: web.Request, response: web.StreamResponse) -> None:
        cookies.extend(morsel.value for morsel in response.cookies.values())

    client = await app_client(lambda app: app.on_response_prepare.append(record_cookies))
    await distinctive_customer_ids(db_url)
    await add_to_cart(client, catalogue.filter_bosch, 2)

    checkout = await client.get("/checkout")
    html = await checkout.text()
    assert checkout.status == 200 and checkout.headers["Cache-Control"] == "no-store"
    assert 'action="/sign-in"' in html and 'action="/register"' in html  # inline, coming back here
    assert input_value(html.split('class="register"', 1)[1], "next") == "/checkout"

    registered = await register(client, next_="/checkout")
    assert registered.status == 303 and registered.headers["Location"] == "/checkout"
    html = await (await client.get("/checkout")).text()
    assert "Oil filter" in html and 'name="delivery"' in html and "Your cart now also has" in html

    placed = await buy(client, delivery="courier", address_id="new", address_country="UA",
                       address_city="Kyiv", address_street="Khreshchatyk 1", address_postcode="01001",
                       payment="cash")
    assert placed.status == 303
    number = ORDER_PATH.match(placed.headers["Location"]).group(1)
    order_page = await client.get(placed.headers["Location"])
    text = await order_page.text()
    assert order_page.status == 200 and order_page.headers["Cache-Control"] == "no-store"
    assert f"Thank you! Your order {number} is placed." in text
    assert "Khreshchatyk 1" in text and "0 986 452 041" in text and "€30.00" in text  # 2 × 12.50 + 5.00
    assert number in await (await client.get("/account/orders")).text()
    assert "Khreshchatyk 1" in await (await client.get("/account/addresses")).text()  # saved for next time

    from core.customers.models import Customer

    customer = await Customer.get(email="olena@example.com")
    assert customer.id == 987_654
    secrets = ["Koval", "Olena", "Petrivna", "olena@example.com", "olena%40example.com", "501234567",
               str(customer.id), "Khreshchatyk"]
    assert cookies, "the purchase set cookies (cart, csrf, session)"
    for value in cookies:
        assert personal_data_in(value, secrets) == [], value


async def test_the_confirmation_form_sends_only_choices(app_client, catalogue: Catalogue):
    """P5: names, phones and addresses stay on the server; the order is built there."""
    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)
    confirmation = await confirm(client, delivery="carrier", carrier_city="Kyiv", carrier_branch="12",
                                 payment="cash")
    html = await confirmation.text()
    form = html.split('action="/checkout/place"', 1)[1].split("</form>", 1)[0]
    assert set(INPUT_NAMES.findall(form)) == {"csrf_token", "idempotency_key", "delivery", "address_id",
                                              "carrier_city", "carrier_branch", "payment"}
    assert "Koval" not in form and "+380" not in form and "olena@" not in form
    assert "Kyiv" in html and "€37.50" in html  # 34.50 + 3.00 to a carrier branch
    placed = await place_from(client, html)
    order = (await orders_of(customer.id))[0]
    assert placed.status == 303
    assert (order.contact_name, order.contact_phone) == ("Koval Olena", "+380501234567")  # from the account
    assert (order.carrier_city, order.carrier_branch, order.total) == ("Kyiv", "12", 3450 + 300)


async def test_a_double_submit_gives_one_order(app_client, catalogue: Catalogue):
    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)
    confirmation = await (await confirm(client, delivery="pickup", payment="cash")).text()
    first = await place_from(client, confirmation)
    second = await place_from(client, confirmation)
    assert first.status == second.status == 303
    assert first.headers["Location"] == second.headers["Location"]
    orders = await orders_of(customer.id)
    assert len(orders) == 1 and orders[0].lines[0].quantity == 1


async def test_each_confirmation_has_a_fresh_key(app_client, catalogue: Catalogue):
    client = await app_client()
    await sign_in_as(client, await customer_with_password())
    await add_to_cart(client, catalogue.pads)
    keys = set()
    for _ in range(2):
        html = await (await confirm(client, delivery="pickup", payment="cash")).text()
        keys.add(form_fields(html, "/checkout/place")["idempotency_key"])
    assert len(keys) == 2


# ---------------------------------------------------------------- bad choices


async def test_bad_choices_come_back_with_errors_and_nothing_is_saved(app_client, catalogue: Catalogue):
    from core.customers.models import Address

    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)

    no_city = await confirm(client, delivery="courier", address_id="new", address_country="UA",
                            address_city="", address_street="Rynok 2", payment="cash")
    html = await no_city.text()
    assert no_city.status == 422
    assert field_error(html, "address_city") and input_value(html, "address_street") == "Rynok 2"
    assert await Address.filter(customer_id=customer.id).count() == 0

    no_branch = await confirm(client, delivery="carrier", carrier_city="Kyiv", carrier_branch="",
                              payment="cash")
    html = await no_branch.text()
    assert no_branch.status == 422 and field_error(html, "carrier_branch")
    assert input_value(html, "carrier_city") == "Kyiv"

    for choices, field in (({"delivery": "drone", "payment": "cash"}, "delivery"),
                           ({"delivery": "pickup", "payment": "card:nowhere"}, "payment"),
                           ({"delivery": "courier", "address_id": "99999", "payment": "cash"}, "address_id")):
        refused = await confirm(client, **choices)
        assert refused.status == 422, choices
        assert 'class="field-error"' in await refused.text(), choices
    assert await orders_of(customer.id) == []


async def test_a_bad_branch_number_is_refused_at_placing_and_the_cart_stays(app_client, catalogue: Catalogue):
    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)
    confirmation = await (await confirm(client, delivery="carrier", carrier_city="Kyiv", carrier_branch="abc",
                                        payment="cash")).text()
    refused = await place_from(client, confirmation)
    html = await refused.text()
    assert refused.status == 422
    assert field_error(html, "carrier_branch") == "Enter the branch number (digits only)."
    assert input_value(html, "carrier_city") == "Kyiv"
    assert await orders_of(customer.id) == []
    assert "GDB1550" in await (await client.get("/cart")).text()


async def test_another_customers_address_cannot_be_used(app_client, catalogue: Catalogue):
    from core.customers.models import Address

    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    other = await make_customer(email="other@example.com", phone="+380671234567")
    theirs = await Address.create(customer=other, country="UA", city="Odesa", street="Derybasivska 3")
    await add_to_cart(client, catalogue.pads)
    mine = await (await confirm(client, delivery="pickup", payment="cash")).text()
    fields = form_fields(mine, "/checkout/place") | {"delivery": "courier", "address_id": str(theirs.id)}
    refused = await client.post("/checkout/place", data=fields, allow_redirects=False)
    assert refused.status == 422
    assert "Derybasivska" not in await refused.text()
    assert await orders_of(customer.id) == []


async def test_a_part_sold_out_since_the_confirmation_is_refused(app_client, catalogue: Catalogue):
    from core.catalogue.models import Part

    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads, 2)
    confirmation = await (await confirm(client, delivery="pickup", payment="cash")).text()
    await Part.filter(id=catalogue.pads).update(stock=0)
    refused = await place_from(client, confirmation)
    assert refused.status == 422
    assert "has just sold out" in await refused.text()
    assert await orders_of(customer.id) == []


async def test_placing_needs_a_signed_in_customer(app_client, catalogue: Catalogue):
    client = await app_client()
    await add_to_cart(client, catalogue.pads)
    response = await post_form(client, "/checkout/place",
                               {"delivery": "pickup", "payment": "cash", "idempotency_key": "k" * 32},
                               token_from="/checkout")
    assert response.status == 303 and response.headers["Location"] == "/checkout"
    confirm_step = await post_form(client, "/checkout", {"delivery": "pickup", "payment": "cash"})
    assert confirm_step.status == 303
    assert confirm_step.headers["Location"].startswith("/sign-in?next=/checkout")


async def test_an_empty_cart_has_nothing_to_check_out(app_client):
    client = await app_client()
    await sign_in_as(client, await customer_with_password())
    html = await (await client.get("/checkout")).text()
    assert "Your cart is empty." in html and 'action="/checkout"' not in html


# ---------------------------------------------------------------- orders


async def test_another_customers_order_is_not_found(app_client, catalogue: Catalogue):
    buyer = await app_client()
    customer = await customer_with_password()
    await sign_in_as(buyer, customer)
    await add_to_cart(buyer, catalogue.pads)
    placed = await buy(buyer, delivery="pickup", payment="cash")
    path = placed.headers["Location"]
    assert (await buyer.get(path)).status == 200

    snoop = await app_client()
    await sign_in_as(snoop, await make_customer(email="snoop@example.com", phone="+380671234567"))
    for url in (path, path.replace("/orders/", "/payments/return/")):
        response = await snoop.get(url)
        assert response.status == 404, url
        assert "Koval" not in await response.text()
    assert path.removeprefix("/orders/") not in await (await snoop.get("/account/orders")).text()
    pay = await snoop.post(path, data={"csrf_token": await csrf_from(snoop, "/account/orders")},
                           allow_redirects=False)  # "pay this order" is no way in either
    assert pay.status == 404 and "Koval" not in await pay.text()
    anonymous = await app_client()
    assert (await anonymous.get(path, allow_redirects=False)).status == 303  # sign in first


async def test_orders_list_shows_status_payment_and_total(app_client, catalogue: Catalogue):
    client = await app_client()
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    empty = await (await client.get("/account/orders")).text()
    assert "You have not ordered anything yet." in empty
    await add_to_cart(client, catalogue.filter_mann, 3)
    await buy(client, delivery="pickup", payment="cash")
    html = await (await client.get("/account/orders")).text()
    assert "New" in html and "Pay on delivery" in html and "€29.70" in html
