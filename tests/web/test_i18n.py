"""Languages: account, then cookie, then Accept-Language; the switcher; locale-formatted prices;
every text of the web pages translated in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from babel.messages.pofile import read_po

from core.i18n import LOCALES_DIR as LOCALES, translations
from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, sqlite_only
from web.i18n import parse_accept_language

WEB = Path(__file__).resolve().parents[2] / "web"
OWN_TEMPLATES = ["base.html", "macros.html", "index.html", "search.html", "part.html", "category.html",
                 "cart.html", "errors/error.html", "errors/404.html", "errors/500.html"]
MSGID = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')


def template_msgids() -> set[str]:
    found = set()
    for name in OWN_TEMPLATES:
        for match in MSGID.finditer((WEB / "templates" / name).read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def python_msgids() -> set[str]:
    from web import errors, security

    return {security.CSRF_FAILED, security.COOKIES_NEEDED, security.ORIGIN_FAILED,
            *errors.STATUS_MESSAGES.values(), *errors.STATUS_TITLES.values(),
            "Enter a whole number.", "Enter a number from {low} to {high}.", "Added to your cart.",
            "The part was removed from your cart.", "Your cart was updated.", "There is no such category."}


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
def test_every_web_text_is_translated(locale):
    with (LOCALES / locale / "LC_MESSAGES" / "web.po").open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    assert sorted((template_msgids() | python_msgids()) - set(translated)) == []
    for msgid, text in translated.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
    if locale != "en":  # really translated, not copied: most texts differ from the English
        same = [m for m, t in translated.items() if m == t]
        assert len(same) <= 5, same
    assert translations(locale).gettext("Your cart is empty.") == translated["Your cart is empty."]


def test_accept_language_parsing():
    allowed = ("en", "uk", "ru", "es")
    assert parse_accept_language("uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7", allowed) == "uk"
    assert parse_accept_language("de-DE,de;q=0.9,es;q=0.8,ru;q=0.9", allowed) == "ru"
    assert parse_accept_language("fr, de", allowed) is None
    assert parse_accept_language("es;q=0, en;q=0.1", allowed) == "en"
    assert parse_accept_language("es;q=abc, en", allowed) == "en"
    assert parse_accept_language("", allowed) is None


async def test_accept_language_gives_ukrainian_text_and_prices(app_client, catalogue: Catalogue):
    client = await app_client()
    response = await client.get(f"/part/{catalogue.filter_bosch}", headers={"Accept-Language": "uk-UA,uk;q=0.9"})
    text = await response.text()
    assert '<html lang="uk">' in text
    assert "У наявності: 10" in text and "Додати в кошик" in text
    assert "12,50\xa0€" in text or "12,50 €" in text or "12,50\xa0EUR" in text
    assert "€12.50" not in text
    spanish = await (await client.get("/", headers={"Accept-Language": "es-ES"})).text()
    assert "Encuentre recambios para su vehículo" in spanish


@sqlite_only
async def test_error_pages_are_translated(app_client, catalogue: Catalogue):
    client = await app_client()
    response = await client.get("/no/such/page", headers={"Accept-Language": "ru"})
    assert response.status == 404
    assert "Страница не найдена" in await response.text()


@sqlite_only
async def test_switcher_cookie_beats_accept_language(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    switched = await client.post("/language", data={"csrf_token": token, "locale": "es", "next": "/cart"},
                                 allow_redirects=False)
    assert switched.status == 303 and switched.headers["Location"] == "/cart"
    assert switched.cookies["locale"].value == "es"
    page = await (await client.get("/", headers={"Accept-Language": "uk"})).text()
    assert '<html lang="es">' in page
    unknown = await client.post("/language", data={"csrf_token": token, "locale": "de"})
    assert unknown.status == 400


async def test_the_account_language_comes_first_and_the_switcher_changes_it(app_client, catalogue: Catalogue):
    from core.customers.models import Customer

    client = await app_client()
    customer = await make_customer(locale="ru")
    await sign_in_as(client, customer)
    page = await (await client.get("/search?q=filter", headers={"Accept-Language": "es", "Cookie": "locale=uk"})).text()
    assert '<html lang="ru">' in page and "Найти" in page
    token = await csrf_from(client, "/cart")
    await client.post("/language", data={"csrf_token": token, "locale": "uk", "next": "/"})
    assert (await Customer.get(id=customer.id)).locale == "uk"


@pytest.mark.parametrize("locale, grand_total_words", [("uk", {"Разом", "Всього", "Усього"}), ("ru", {"Итого", "Всего"})])
def test_the_subtotal_is_not_called_by_the_word_for_the_grand_total(locale, grand_total_words):
    """On the confirmation the goods' sum comes first and the grand total last: a reader who sees
    "Итого" (in total) above the delivery price takes the wrong figure for what is paid."""
    subtotal = translations(locale).gettext("Subtotal")
    assert subtotal not in grand_total_words
    assert subtotal != translations(locale).gettext("Total")
