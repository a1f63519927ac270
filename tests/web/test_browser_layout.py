"""The shop on a phone, in a real headless Chromium: no page is wider than the screen.

A new customer on a 390px-wide phone, in Russian (among the longest words of the four
languages), goes from the vehicle selector to a placed order and through the personal cabinet.
On every page the document must fit the screen: a page that scrolls sideways hides prices,
buttons and fields. The checkout also shows the address fields only under the chosen delivery.
"""

from __future__ import annotations

import uuid

import pytest

from tests.web.browser import chromium, fresh_sqlite, require_chromium, running_shop, watch_for_server_errors
from tests.web.conftest import seed_catalogue
from tests.web.test_browser import (
    TIMEOUT_MS,
    choose_car,
    choose_language,
    keep_evidence,
    search_and_add_to_cart,
)

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}}  # a desktop browser this narrow: it never zooms out to fit
ACCOUNT_PAGES = ("/account", "/account/profile", "/account/addresses", "/account/garage", "/account/orders",
                 "/account/password", "/account/sessions", "/account/data", "/account/delete")


async def fits_the_screen(page) -> None:
    document, screen = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert document <= screen, f"{page.url} is {document}px wide on a {screen}px screen"


async def register_without_an_address(page) -> None:
    form = page.locator("form.register")
    await form.locator('[name="last_name"]').fill("Koval")
    await form.locator('[name="first_name"]').fill("Olena")
    await form.locator('[name="phone"]').fill(f"+38050{uuid.uuid4().int % 10_000_000:07d}")
    await form.locator('[name="email"]').fill(f"phone.{uuid.uuid4().hex[:10]}@example.com")
    await form.locator('[name="password"]').fill("correct horse battery staple")
    await form.locator('[name="age_confirmed"]').check()
    await form.locator('[name="privacy_accepted"]').check()
    async with page.expect_navigation():
        await form.locator('button[type="submit"]').last.click()


async def walk_to_an_order_on_a_phone(page, base_url: str) -> None:
    await choose_language(page, base_url, "ru")
    await choose_car(page, "ru")
    await fits_the_screen(page)
    await search_and_add_to_cart(page, "ru")
    await fits_the_screen(page)
    async with page.expect_navigation():
        await page.locator("article.card h3 a").first.click()
    await fits_the_screen(page)
    for path in ("/cart", "/checkout"):
        await page.goto(base_url + path)
        await fits_the_screen(page)
    await register_without_an_address(page)
    assert page.url.endswith("/checkout"), page.url
    await fits_the_screen(page)
    city, branch = page.locator('[name="address_city"]'), page.locator('[name="carrier_city"]')
    await page.locator('input[name="delivery"][value="pickup"]').check()
    assert not await city.is_visible() and not await branch.is_visible()
    await page.locator('input[name="delivery"][value="courier"]').check()
    assert await city.is_visible() and not await branch.is_visible()
    await fits_the_screen(page)  # the new address form with its country list is open now
    await city.fill("Киев")
    await page.locator('[name="address_street"]').fill("Крещатик 1, кв. 5")
    async with page.expect_navigation():
        await page.locator('form[action="/checkout"] button[type="submit"]').click()
    await fits_the_screen(page)
    async with page.expect_navigation():
        await page.locator('form[action="/checkout/place"] button[type="submit"]').click()
    assert "/orders/GS-" in page.url, page.url
    await fits_the_screen(page)
    for path in ACCOUNT_PAGES:
        await page.goto(base_url + path)
        await fits_the_screen(page)


async def test_every_page_fits_a_phone_screen(settings, tmp_path):
    require_chromium()
    shop_settings = await fresh_sqlite(settings, tmp_path)
    async with running_shop(shop_settings) as base_url:
        await seed_catalogue()
        async with chromium(**PHONE) as context:
            page = await context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            problems = watch_for_server_errors(page)
            try:
                await walk_to_an_order_on_a_phone(page, base_url)
            except Exception:
                await keep_evidence(page, tmp_path)
                raise
            assert problems == []
