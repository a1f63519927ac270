"""Kept catalogue pages (web.page_cache): what one visitor sees never reaches another, and what
this process changes (stock, reviews) shows at once.

Each test runs one app, so one page cache, visited by several browsers with cookie jars of their
own, as people on the same shop would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import ClientSession, CookieJar
from aiohttp.test_utils import TestClient

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as
from tests.web.test_auth_pages import PASSWORD, customer_with_password, post_form
from tests.web.test_checkout_pages import add_to_cart, buy, orders_of
from tests.web.test_privacy_reviews import reviews_section, write
from web import keys


@pytest.fixture
async def browsers() -> AsyncIterator[Callable[[TestClient], ClientSession]]:
    """`browsers(client)`: another browser, with cookies of its own, on the client's app."""
    opened: list[ClientSession] = []

    def open_browser(client: TestClient) -> ClientSession:
        browser = ClientSession(base_url=str(client.make_url("/")), cookie_jar=CookieJar(unsafe=True))
        opened.append(browser)
        return browser

    yield open_browser
    for browser in opened:
        await browser.close()


async def page_text(browser, path: str, **headers: str) -> str:
    response = await browser.get(path, headers=headers)
    assert response.status == 200, path
    return await response.text()


async def test_each_visitor_gets_their_own_csrf_token_on_a_kept_page(app_client, browsers, catalogue: Catalogue):
    client = await app_client()
    first, second = browsers(client), browsers(client)
    page = f"/part/{catalogue.filter_bosch}"
    first_token = await csrf_from(first, page)
    second_token = await csrf_from(second, page)
    assert len(client.app[keys.PAGE_CACHE]) == 1  # the second visitor was served the kept page
    assert first_token != second_token
    assert first_token not in await page_text(second, page)
    assert second_token not in await page_text(first, page)
    # Each token works for its own visitor only, so the forms on a kept page work.
    form = {"part_id": str(catalogue.filter_bosch), "quantity": "1"}
    stolen = await second.post("/cart/add", data={"csrf_token": first_token, **form}, allow_redirects=False)
    assert stolen.status == 403
    for browser, token in ((first, first_token), (second, second_token)):
        added = await browser.post("/cart/add", data={"csrf_token": token, **form}, allow_redirects=False)
        assert added.status == 303


async def test_a_purchase_and_a_cancellation_in_this_process_show_at_once(app_client, browsers,
                                                                          catalogue: Catalogue):
    from core.orders.status import change_status

    client = await app_client()
    reader = browsers(client)
    page, listing = f"/part/{catalogue.pads}", f"/category/brake-pads?vehicle={catalogue.focus}"
    assert "In stock: 3" in await page_text(reader, page)
    assert "In stock: 3" in await page_text(reader, listing)
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads, 3)
    assert (await buy(client, delivery="pickup", payment="cash")).status == 303

    for path in (page, listing):
        sold_out = await page_text(reader, path)
        assert "Out of stock" in sold_out and 'action="/cart/add"' not in sold_out

    [order] = await orders_of(customer.id)
    await change_status(order, "cancelled", actor="staff", note="customer called")
    assert "In stock: 3" in await page_text(reader, page)
    assert "In stock: 3" in await page_text(reader, listing)


async def test_signed_in_and_anonymous_visitors_never_share_a_page(app_client, browsers, catalogue: Catalogue):
    from core.catalogue.models import Review

    client = await app_client()
    staff = await make_customer(is_staff=True, display_name="Desk Oksana")
    await Review.create(part_id=catalogue.pads, customer_id=staff.id, display_name="Someone", rating=5,
                        text="Good pads.")
    page = f"/part/{catalogue.pads}"
    before = await page_text(browsers(client), page)
    await sign_in_as(client, staff)
    response = await client.get(page)
    mine = await response.text()
    after = await page_text(browsers(client), page)

    assert response.headers["Cache-Control"] == "no-store"
    assert "Sign out" in mine and "Order desk" in mine and "Remove this review" in mine
    assert "Desk Oksana" in reviews_section(mine)  # the review form is filled with the staff's name
    for anonymous in (before, after):
        assert "Sign in" in anonymous and "Good pads." in anonymous
        for personal in ("Sign out", "Order desk", "Remove this review", "Desk Oksana", "Koval"):
            assert personal not in anonymous, personal


async def test_signed_in_pages_and_flash_messages_are_never_kept(app_client, browsers, catalogue: Catalogue):
    client = await app_client()
    await sign_in_as(client, await make_customer())
    for path in ("/", f"/?vehicle={catalogue.golf}", f"/part/{catalogue.pads}", "/search?q=filter",
                 "/category/oil-filters", "/cart"):
        response = await client.get(path)
        assert response.status == 200 and response.headers["Cache-Control"] == "no-store", path
    assert len(client.app[keys.PAGE_CACHE]) == 0

    shopper, other = browsers(client), browsers(client)
    page = f"/part/{catalogue.filter_bosch}"
    await page_text(other, page)
    await add_to_cart(shopper, catalogue.filter_bosch)  # "Added to your cart." on the next page
    assert "Added to your cart." in await page_text(shopper, page)
    assert "Added to your cart." not in await page_text(shopper, page)  # shown once
    assert "Added to your cart." not in await page_text(other, page)


async def test_languages_do_not_mix(app_client, browsers, catalogue: Catalogue):
    client = await app_client()
    ukrainian, english = browsers(client), browsers(client)
    page = f"/part/{catalogue.filter_bosch}"
    for _ in range(2):
        uk = await page_text(ukrainian, page, **{"Accept-Language": "uk-UA,uk;q=0.9"})
        en = await page_text(english, page, **{"Accept-Language": "en"})
        assert '<html lang="uk">' in uk and "У наявності: 10" in uk and "In stock" not in uk
        assert '<html lang="en">' in en and "In stock: 10" in en and "У наявності" not in en


async def test_the_remembered_vehicle_is_part_of_what_a_page_depends_on(app_client, browsers,
                                                                        catalogue: Catalogue):
    client = await app_client()
    golf_owner, newcomer = browsers(client), browsers(client)
    chosen = await golf_owner.get(f"/vehicle?vehicle={catalogue.golf}")
    assert chosen.status == 200
    for _ in range(2):
        remembered = await page_text(golf_owner, "/search?q=filter")
        plain = await page_text(newcomer, "/search?q=filter")
        assert "Your vehicle:" in remembered and "Fits your vehicle" in remembered
        assert "Your vehicle:" not in plain and "Fits your vehicle" not in plain


async def test_reviews_written_and_deleted_in_this_process_show_at_once(app_client, browsers,
                                                                        catalogue: Catalogue):
    from core.catalogue.models import Review

    client = await app_client()
    reader = browsers(client)
    page = f"/part/{catalogue.pads}"
    assert "No reviews yet." in reviews_section(await page_text(reader, page))
    await sign_in_as(client, await customer_with_password())
    assert (await write(client, catalogue.pads, text="Quiet pads.")).status == 303
    assert "Quiet pads." in reviews_section(await page_text(reader, page))

    review = await Review.get(part_id=catalogue.pads)
    deleted = await post_form(client, f"/account/reviews/{review.id}/delete", {}, token_from="/account")
    assert deleted.status == 303
    assert "Quiet pads." not in await page_text(reader, page)

    assert (await write(client, catalogue.pads, text="Still quiet.")).status == 303
    assert "Still quiet." in await page_text(reader, page)
    gone = await post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "1"})
    assert gone.status == 303
    assert "Still quiet." not in await page_text(reader, page)


async def test_changes_made_by_another_process_show_within_catalogue_page_seconds(app_client, browsers,
                                                                                   catalogue: Catalogue):
    from core.catalogue.models import Part

    client = await app_client(web={"catalogue_page_seconds": 0.5})
    reader = browsers(client)
    page = f"/part/{catalogue.pads}"
    assert "In stock: 3" in await page_text(reader, page)
    # An UPDATE this process is not told about, as the bot's checkout in its own process would be.
    await Part.filter(id=catalogue.pads).update(stock=1)
    assert "In stock: 3" in await page_text(reader, page)  # the lag the setting allows
    await asyncio.sleep(0.6)
    assert "In stock: 1" in await page_text(reader, page)


async def test_catalogue_page_seconds_zero_keeps_nothing(app_client, browsers, catalogue: Catalogue):
    from core.catalogue.models import Part

    client = await app_client(web={"catalogue_page_seconds": 0})
    reader = browsers(client)
    page = f"/part/{catalogue.pads}"
    assert "In stock: 3" in await page_text(reader, page)
    await Part.filter(id=catalogue.pads).update(stock=1)
    assert "In stock: 1" in await page_text(reader, page)
    assert len(client.app[keys.PAGE_CACHE]) == 0


async def test_an_expired_page_is_checked_against_every_price_stock_and_review_it_shows(
        app_client, browsers, catalogue: Catalogue):
    import datetime as dt

    from core.catalogue.models import Part, Review

    client = await app_client(web={"catalogue_page_seconds": 0.3})
    reader = browsers(client)
    customer = await make_customer()
    await Review.create(part_id=catalogue.filter_bosch, customer_id=customer.id, display_name="Anna", rating=5,
                        text="Fits well.")
    page, listing = f"/part/{catalogue.filter_bosch}", f"/category/oil-filters?vehicle={catalogue.golf}"
    first = await page_text(reader, page)
    assert "Fits well." in first and "In stock: 5" in first.split('id="analogues-title"')[1]
    assert "€9.90" in await page_text(reader, listing)
    await asyncio.sleep(0.4)
    assert await page_text(reader, page) == first  # nothing changed: the same page, the same token

    # Changes this process is not told about, as another process's would be, one at a time.
    await Part.filter(id=catalogue.filter_mann).update(stock=0, price=1090)
    await asyncio.sleep(0.4)
    analogues = (await page_text(reader, page)).split('id="analogues-title"')[1]
    assert "Out of stock" in analogues and "€10.90" in analogues
    listed = await page_text(reader, listing)
    assert "€10.90" in listed and "€9.90" not in listed

    await Review.filter(part_id=catalogue.filter_bosch).update(removed_at=dt.datetime.now(dt.UTC))
    await asyncio.sleep(0.4)
    assert "Fits well." not in await page_text(reader, page)


async def test_a_page_past_three_quarters_of_its_time_is_rechecked_without_making_anyone_wait(
        app_client, browsers, catalogue: Catalogue):
    import time

    from core.catalogue.models import Part

    client = await app_client(web={"catalogue_page_seconds": 4})
    reader = browsers(client)
    page = f"/part/{catalogue.pads}"
    rendered = time.monotonic()
    assert "In stock: 3" in await page_text(reader, page)
    await Part.filter(id=catalogue.pads).update(stock=2)  # as another process would
    await asyncio.sleep(3.2)
    assert "In stock: 3" in await page_text(reader, page)  # still within its 4 s; a re-check starts
    for _ in range(40):
        text = await page_text(reader, page)
        if "In stock: 2" in text:
            break
        await asyncio.sleep(0.01)
    assert "In stock: 2" in text
    assert time.monotonic() - rendered < 4  # found by the re-check, before the page's time was up


async def test_an_account_deleted_from_the_chat_takes_its_reviews_off_kept_pages_at_once(app_client, browsers,
                                                                                          catalogue: Catalogue):
    """Webhook mode: the bot's /forgetme runs in the web process and calls the same core service."""
    from core.customers import data_rights
    from core.customers.models import Customer

    client = await app_client()
    reader = browsers(client)
    page = f"/part/{catalogue.pads}"
    author = await customer_with_password()
    await sign_in_as(client, author)
    assert (await write(client, catalogue.pads, text="Bought twice.")).status == 303
    assert "Bought twice." in reviews_section(await page_text(reader, page))  # kept now

    await data_rights.delete_account(await Customer.get(id=author.id), actor="customer", channel="telegram")
    assert "Bought twice." not in await page_text(reader, page)
