"""A new customer buys a part in a real headless Chromium, in each of the four languages.

The real app (init_app) serves a fresh SQLite database with the small catalogue on a real TCP
port. The customer picks the language, chooses the car (make → model → vehicle), searches by
article, adds the part to the cart, registers at checkout, places the order and finds it in
the account. No 5xx and no JavaScript error may happen on the way.
"""

from __future__ import annotations

import re
import uuid

import pytest

from core.i18n import gettext
from tests.web.browser import chromium, require_chromium, fresh_sqlite, running_shop, watch_for_server_errors
from tests.web.conftest import seed_catalogue

pytestmark = pytest.mark.browser

TIMEOUT_MS = 10_000


def say(locale: str, text: str, **params: str) -> str:
    translated = gettext(locale, text)
    return translated.format(**params) if params else translated


def translated(locale: str, text: str) -> str:
    """The sentence in `locale`, insisting that it really is translated (not English)."""
    result = say(locale, text)
    if locale != "en":
        assert result != text, f"{text!r} has no {locale} translation"
    return result


async def choose_language(page, base_url: str, locale: str) -> None:
    await page.goto(base_url + "/")
    async with page.expect_navigation():
        await page.locator(f'form.languages button[name="locale"][value="{locale}"]').click()
    assert await page.locator("html").get_attribute("lang") == locale


async def choose_car(page, locale: str) -> None:
    """Make → model (each submits itself) → vehicle, as on the home page."""
    await page.get_by_role("heading", name=translated(locale, "Choose your vehicle")).wait_for()
    async with page.expect_navigation():
        await page.locator('select[name="make"]').select_option(label="Volkswagen")
    async with page.expect_navigation():
        await page.locator('select[name="model"]').select_option(label="Golf")
    vehicle = page.locator('select[name="vehicle"]')
    await vehicle.select_option(index=1)
    async with page.expect_navigation():
        await vehicle.locator("xpath=ancestor::form").locator('button[type="submit"]').click()
    await page.locator(".vehicle-bar").get_by_text("Volkswagen Golf VII").wait_for()


async def search_and_add_to_cart(page, locale: str) -> None:
    await page.locator("#site-search").fill("0986452041")
    async with page.expect_navigation():
        await page.locator("#site-search").press("Enter")
    card = page.locator("article.card").filter(has_text="BOSCH")
    await card.get_by_text(translated(locale, "Fits your vehicle")).wait_for()
    async with page.expect_navigation():
        await card.locator("form.add-to-cart button[type=submit]").click()


async def register_at_checkout(page, locale: str) -> str:
    async with page.expect_navigation():
        await page.locator('.site-nav a[href="/cart"]').click()
    await page.get_by_text("Oil filter").first.wait_for()
    async with page.expect_navigation():
        await page.locator('a[href="/checkout"]').click()
    await page.get_by_role("heading", name=translated(locale, "I am new here")).wait_for()
    email = f"buyer.{uuid.uuid4().hex[:10]}@example.com"
    form = page.locator("form.register")
    await form.locator('[name="last_name"]').fill("Koval")
    await form.locator('[name="first_name"]').fill("Olena")
    await form.locator('[name="phone"]').fill(f"+38050{uuid.uuid4().int % 10_000_000:07d}")
    await form.locator('[name="email"]').fill(email)
    await form.locator('[name="password"]').fill("correct horse battery staple")
    # The optional delivery address: given here, the courier brings the order to it.
    await form.locator("details").filter(has=page.locator('[name="address_city"]')).locator("summary").click()
    await form.locator('[name="address_city"]').fill("Kyiv")
    await form.locator('[name="address_street"]').fill("Khreshchatyk 1, flat 5")
    await form.locator('[name="age_confirmed"]').check()
    await form.locator('[name="privacy_accepted"]').check()
    async with page.expect_navigation():
        await form.locator('button[type="submit"]').last.click()
    return email


async def place_order(page, locale: str) -> str:
    """Courier to the address given at registration, cash; confirm, place; returns the order number."""
    await page.get_by_role("group", name=translated(locale, "Delivery")).wait_for()
    await page.locator('input[name="delivery"][value="courier"]').check()
    await page.locator('input[name="address_id"]:not([value="new"])').first.check()
    await page.locator('input[name="payment"][value="cash"]').check()
    async with page.expect_navigation():
        await page.locator('form[action="/checkout"] button[type="submit"]').click()
    await page.get_by_role("heading", name=translated(locale, "Confirm your order")).wait_for()
    await page.get_by_text("Khreshchatyk 1, flat 5").wait_for()
    async with page.expect_navigation():
        await page.locator('form[action="/checkout/place"] button[type="submit"]').click()
    found = re.search(r"/orders/(GS-[A-Z0-9]{4}-[A-Z0-9]{4})$", page.url)
    assert found, page.url
    number = found.group(1)
    await page.get_by_role("heading", name=say(locale, "Order {number}", number=number)).wait_for()
    return number


async def find_order_in_account(page, locale: str, number: str) -> None:
    async with page.expect_navigation():
        await page.locator('.site-nav a[href="/account"]').click()
    async with page.expect_navigation():
        await page.locator('.account-nav a[href="/account/orders"]').click()
    await page.get_by_role("heading", name=translated(locale, "My orders")).wait_for()
    row = page.locator("table.orders tbody tr").filter(has_text=number)
    await row.get_by_text(translated(locale, "Pay on delivery")).wait_for()
    await row.get_by_text(say(locale, "New"), exact=True).wait_for()


async def keep_evidence(page, directory) -> None:
    """What the browser showed when a step failed: a screenshot and the page's HTML."""
    await page.screenshot(path=str(directory / "failure.png"), full_page=True)
    (directory / "failure.html").write_text(await page.content(), encoding="utf-8")
    print(f"browser evidence: {directory}/failure.png, failure.html (at {page.url})")


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
async def test_new_customer_buys_a_part(settings, tmp_path, locale):
    require_chromium()  # skip (or fail in CI) before starting anything
    shop_settings = await fresh_sqlite(settings, tmp_path)
    async with running_shop(shop_settings) as base_url:
        await seed_catalogue()
        async with chromium() as context:
            page = await context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            problems = watch_for_server_errors(page)

            try:
                await choose_language(page, base_url, locale)
                await choose_car(page, locale)
                await search_and_add_to_cart(page, locale)
                await register_at_checkout(page, locale)
                number = await place_order(page, locale)
                await find_order_in_account(page, locale, number)
            except Exception:
                await keep_evidence(page, tmp_path)
                raise
            assert problems == []
