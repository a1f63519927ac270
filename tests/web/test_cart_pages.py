"""The cart page: add, change, remove; bad quantities; cookies off; a signed-in customer's cart."""

from __future__ import annotations

import re

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as


def cart_lines(html: str) -> dict[str, str]:
    """{article: quantity} of the cart table."""
    rows = re.findall(r'<span class="article">([^<]+)</span>.*?name="quantity"[^>]*value="(\d+)"', html, re.S)
    return dict(rows)


async def add(client, part_id: int, quantity="1", next_="/", token=None):
    token = token or await csrf_from(client, f"/part/{part_id}")
    return await client.post("/cart/add", data={"csrf_token": token, "part_id": str(part_id),
                                                "quantity": quantity, "next": next_}, allow_redirects=False)


async def test_add_change_and_remove_lines(app_client, catalogue: Catalogue):
    client = await app_client()
    added = await add(client, catalogue.filter_bosch, "2", next_=f"/part/{catalogue.filter_bosch}")
    assert added.status == 303
    assert added.headers["Location"] == f"/part/{catalogue.filter_bosch}"
    cart_cookie = added.cookies["cart"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", cart_cookie.value)  # opaque, nothing personal (P2)
    await add(client, catalogue.pads, "1")
    page = await client.get("/cart")
    text = await page.text()
    assert page.headers["Cache-Control"] == "no-store"
    assert cart_lines(text) == {"0 986 452 041": "2", "GDB1550": "1"}
    assert "€59.50" in text  # 2 × 12.50 + 34.50

    token = await csrf_from(client, "/cart")
    changed = await client.post("/cart/update", data={"csrf_token": token, "part_id": str(catalogue.filter_bosch),
                                                      "quantity": "3"}, allow_redirects=False)
    assert changed.status == 303 and changed.headers["Location"] == "/cart"
    assert cart_lines(await (await client.get("/cart")).text())["0 986 452 041"] == "3"
    await client.post("/cart/update", data={"csrf_token": token, "part_id": str(catalogue.pads), "remove": "1"})
    await client.post("/cart/update", data={"csrf_token": token, "part_id": str(catalogue.filter_bosch),
                                            "quantity": "0"})
    text = await (await client.get("/cart")).text()
    assert cart_lines(text) == {} and "Your cart is empty." in text


async def test_flash_message_after_adding(app_client, catalogue: Catalogue):
    client = await app_client()
    await add(client, catalogue.filter_bosch)
    assert "Added to your cart." in await (await client.get("/")).text()
    assert "Added to your cart." not in await (await client.get("/")).text()  # shown once


async def test_more_than_stock_comes_back_with_the_error_by_the_field(app_client, catalogue: Catalogue):
    client = await app_client()
    refused = await add(client, catalogue.pads, "7")  # stock is 3
    text = await refused.text()
    assert refused.status == 422
    assert re.search(r'name="quantity"[^>]*value="7"', text)  # what was typed is kept
    assert 'class="field-error"' in text
    assert cart_lines(await (await client.get("/cart")).text()) == {}  # nothing changed

    not_a_number = await add(client, catalogue.pads, "two")
    assert not_a_number.status == 422
    assert "Enter a whole number." in await not_a_number.text()
    assert cart_lines(await (await client.get("/cart")).text()) == {}


async def test_bad_quantity_on_the_cart_page_keeps_the_cart(app_client, catalogue: Catalogue):
    client = await app_client()
    await add(client, catalogue.pads, "2")
    token = await csrf_from(client, "/cart")
    refused = await client.post("/cart/update", data={"csrf_token": token, "part_id": str(catalogue.pads),
                                                      "quantity": "50"})
    assert refused.status == 422
    text = await refused.text()
    assert 'class="field-error"' in text and "only 3 in stock" in text
    assert re.search(r'name="quantity"[^>]*value="50"', text)  # what was typed is kept by its error
    assert cart_lines(await (await client.get("/cart")).text()) == {"GDB1550": "2"}


async def test_unknown_part_is_404_and_external_next_is_refused(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    missing = await client.post("/cart/add", data={"csrf_token": token, "part_id": "999999", "quantity": "1"})
    assert missing.status == 404
    evil = await add(client, catalogue.filter_bosch, "1", next_="//evil.example/steal", token=token)
    assert evil.status == 303 and evil.headers["Location"] == "/cart"


async def test_cart_needs_cookies_and_says_so(app_client, catalogue: Catalogue):
    client = await app_client(cookies=False)
    page = await (await client.get(f"/part/{catalogue.filter_bosch}")).text()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = await client.post("/cart/add", data={"csrf_token": token, "part_id": str(catalogue.filter_bosch),
                                                   "quantity": "1"})
    assert refused.status == 403
    assert "Cookies are needed" in await refused.text()
    own_page = {"Referer": f"http://{client.host}:{client.port}/part/{catalogue.filter_bosch}"}
    cart = await (await client.get("/cart", headers=own_page)).text()  # from the shop's page: cookies are off
    assert "Cookies are needed for the cart" in cart and "Your cart is empty." in cart
    first_visit = await (await client.get("/cart")).text()  # from a link elsewhere: it cannot tell yet
    assert "Cookies are needed for the cart" not in first_visit and "Your cart is empty." in first_visit


async def test_signed_in_customer_gets_the_anonymous_cart_merged(app_client, catalogue: Catalogue):
    client = await app_client()
    await add(client, catalogue.filter_bosch, "2")
    customer = await make_customer()
    await sign_in_as(client, customer)
    assert "cart" not in {c.key for c in client.session.cookie_jar}  # the token cookie is gone
    assert cart_lines(await (await client.get("/cart")).text()) == {"0 986 452 041": "2"}
    await add(client, catalogue.pads, "1")  # now added to the customer's own cart
    from core.carts.models import Cart

    cart = await Cart.get(customer_id=customer.id).prefetch_related("lines")
    assert sorted(line.quantity for line in cart.lines) == [1, 2]


async def test_a_signed_in_customers_messages_wait_on_the_server_not_in_a_cookie(app_client, catalogue: Catalogue):
    client = await app_client()
    await sign_in_as(client, await make_customer())
    added = await add(client, catalogue.pads, "1")
    assert added.status == 303
    assert "flash" not in added.cookies
    assert "Added to your cart." in await (await client.get("/cart")).text()
    assert "Added to your cart." not in await (await client.get("/cart")).text()


async def test_a_message_shown_on_an_error_page_is_not_shown_again(app_client, catalogue: Catalogue):
    for signed_in in (False, True):
        client = await app_client()
        if signed_in:
            await sign_in_as(client, await make_customer(email=f"c{catalogue.golf}@example.com"))
        token = await csrf_from(client)
        # Added, then sent back to a page that no longer exists: the 404 page shows the message.
        missing = await client.post("/cart/add", data={"csrf_token": token, "part_id": str(catalogue.filter_bosch),
                                                       "quantity": "1", "next": "/part/999999"})
        assert missing.status == 404 and "Added to your cart." in await missing.text(), signed_in
        assert "Added to your cart." not in await (await client.get("/cart")).text(), signed_in
