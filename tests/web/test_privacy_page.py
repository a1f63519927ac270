"""P8, P16, P19, P22 on the web: the privacy page is generated from configuration and the data
inventory (controller, contact, version and date, retention periods, exactly the configured
processors), is linked from every page and the registration form, speaks the visitor's
language, and the consents a web registration records keep the policy version shown."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.i18n import LOCALES_DIR
from core.privacy.inventory import COOKIES, INVENTORY
from core.privacy.processors import PAYMENT_PROCESSORS, published_processors
from tests.conftest import replace_settings
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN
from tests.web.conftest import sqlite_only
from tests.web.test_auth_pages import register

ROOT = Path(__file__).resolve().parents[2]
MSGID = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')
CONTROLLER = {"controller_name": "Recambios Pastor SL", "controller_address": "Calle Mayor 5, 46001 Valencia",
              "controller_contact": "dpo@recambios-pastor.es", "policy_version": "7", "policy_date": "2026-10-01"}
PROCESSORS_ON = {
    "notifications": {"sms": {"adapter": "twilio", "account_sid": ACCOUNT_SID, "auth_token": AUTH_TOKEN,
                              "sender": "+15005550006"},
                      "delivery": {"adapter": "novaposhta", "api_key": "k"}},
    "payments": {"providers": ("sandbox", "liqpay"), "liqpay": {"public_key": "pub", "private_key": "priv"}},
}


def processor_names(html: str) -> list[str]:
    return [unescape(name) for name in re.findall(r'class="processor-name">([^<]*)<', html)]


def row(html: str, key: str) -> str:
    found = re.search(rf'<tr id="data-{key}">(.*?)</tr>', html, re.DOTALL)
    assert found, f"no inventory row {key}"
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))))


@sqlite_only
async def test_the_page_names_the_controller_version_and_date_from_configuration(app_client):
    client = await app_client(shop=CONTROLLER, privacy={"access_log_days": 90, "anonymous_cart_days": 12})
    response = await client.get("/privacy")
    html = unescape(await response.text())
    assert response.status == 200
    assert "Recambios Pastor SL, Calle Mayor 5, 46001 Valencia" in html
    assert "Questions about your data or this policy: dpo@recambios-pastor.es" in re.sub(r"<[^>]+>", "", html)
    assert "Version 7 of 2026-10-01" in html
    # Every kind of data the code keeps is on the page, with its configured retention.
    assert "90 days" in row(html, "access_log") and "IP address" in row(html, "access_log")
    assert "12 days" in row(html, "carts")
    assert "While you have an account" in row(html, "account")
    assert "display name" in row(html, "reviews")
    for kind in INVENTORY:
        assert f'id="data-{kind.key}"' in html
    for name, purpose in COOKIES:
        assert f"<code>{name}</code>: {purpose}" in html
    # P16: the minimum age is stated.
    assert "children under 14" in html


@sqlite_only
async def test_every_page_and_the_registration_form_link_to_the_policy(app_client):
    client = await app_client()
    for path in ("/", "/register", "/cart"):
        assert 'href="/privacy"' in await (await client.get(path)).text(), path


@sqlite_only
async def test_the_processors_listed_are_exactly_the_configured_ones(app_client, settings):
    plain = await app_client()
    html = await (await plain.get("/privacy")).text()
    assert processor_names(html) == []
    assert "No outside service receives your data" in html

    configured = replace_settings(settings, **PROCESSORS_ON)
    client = await app_client(**PROCESSORS_ON)
    html = unescape(await (await client.get("/privacy")).text())
    expected = [p["name"] for p in published_processors(configured)]
    assert processor_names(html) == expected
    assert set(expected) == {"SMS gateway api.twilio.com", "Nova Poshta", "LiqPay"}
    # Each with what it receives: the SMS gateway only the phone number.
    sms = re.search(r"SMS gateway api\.twilio\.com</strong>(.*?)</li>", html, re.DOTALL).group(1)
    assert "phone number" in sms and "email address" not in sms and "full name" not in sms
    assert PAYMENT_PROCESSORS["liqpay"][1] in html
    assert "No outside service receives your data" not in html


@sqlite_only
async def test_the_page_speaks_the_visitors_language(app_client):
    client = await app_client(shop=CONTROLLER)
    expected = {"uk": ("Політика конфіденційності", "Журнал доступу", "Версія 7 від 2026-10-01"),
                "ru": ("Политика конфиденциальности", "Журнал доступа", "Версия 7 от 2026-10-01"),
                "es": ("Política de privacidad", "Registro de accesos", "Versión 7 del 2026-10-01")}
    for locale, words in expected.items():
        html = await (await client.get("/privacy", headers={"Accept-Language": locale})).text()
        for word in words:
            assert word in html, (locale, word)
        assert "dpo@recambios-pastor.es" in html


async def test_a_web_registration_keeps_the_version_of_the_policy_it_was_shown(app_client):
    from core.customers.models import Consent, Customer

    client = await app_client(shop=CONTROLLER)
    assert "Version 7 of 2026-10-01" in await (await client.get("/privacy")).text()
    assert (await register(client)).status == 303
    customer = await Customer.get(email="olena@example.com")
    consents = await Consent.filter(customer_id=customer.id).order_by("id")
    assert [(c.kind, c.granted, c.policy_version) for c in consents] == [
        ("age_14", True, "7"), ("privacy_policy", True, "7")]


# ---------------------------------------------------------------- translations


def privacy_msgids() -> set[str]:
    """Every sentence of the privacy page, the inventory, the processors and the reviews."""
    from core.reviews import service
    from web.views import reviews as review_views

    found: set[str] = set()
    for template in ("privacy.html", "reviews/_part.html", "reviews/_mine.html"):
        for match in MSGID.finditer((ROOT / "web" / "templates" / template).read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    for kind in INVENTORY:
        found |= {kind.title, kind.purpose, *kind.fields}
    found |= {purpose for _, purpose in COOKIES} | {purpose for _, purpose in PAYMENT_PROCESSORS.values()}
    found |= {value for name, value in vars(service).items() if name.isupper() and isinstance(value, str)}
    source = (ROOT / "web" / "views" / "reviews.py").read_text(encoding="utf-8")
    found |= set(re.findall(r'sessions\.flash\(request, "([^"]+)"', source))
    assert review_views.add_routes and len(found) > 100
    return found


def catalogs(locale: str) -> dict[str, dict[str, str]]:
    found = {}
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            found[path.name] = {m.id: m.string for m in read_po(fh, locale=locale) if m.id and m.string}
    return found


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
def test_every_privacy_text_is_translated_without_changing_other_areas(locale):
    every = catalogs(locale)
    mine = every.pop("privacy.po")
    merged = {msgid: text for catalog in every.values() for msgid, text in catalog.items()} | mine
    assert sorted(m for m in privacy_msgids() if m not in merged) == []
    for msgid, text in mine.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
    clashes = [(name, msgid) for name, catalog in every.items() for msgid in catalog
               if msgid in mine and catalog[msgid] != mine[msgid]]
    assert clashes == []
    if locale != "en":
        same = [m for m, t in mine.items() if m == t]
        assert len(same) <= 3, same
