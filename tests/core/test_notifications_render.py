"""Every message renders on every channel it goes to, in every language, from its own template."""

from __future__ import annotations

import re

import pytest

from core.config import load_settings
from core.i18n import gettext
from core.notifications import context as labels
from core.notifications.messages import BLOCKS, CUSTOMER_CHANNELS, MESSAGES, STAFF_CHANNELS
from core.notifications.personal import FIELD_LABELS
from core.notifications.registry import build_adapters
from core.notifications.render import TEMPLATES, TemplateProblem, render
from tests.conftest import replace_settings

LOCALES = ("en", "uk", "ru", "es")


def context(**overrides):
    order = {
        "number": "GS-000042", "status": "shipped", "status_label": "Shipped",
        "lines": [{"brand": "BOSCH", "article": "0986452041", "name": "Oil filter <b>OEM</b>", "quantity": 2,
                   "unit_price": "€45.00", "line_total": "€90.00"}],
        "subtotal": "€90.00", "shipping": "€5.00", "total": "€95.00", "delivery_method": "carrier",
        "delivery_label": "Carrier branch", "payment_method": "card", "payment_label": "Card payment",
        "payment_state_label": "Paid", "payment_summary": "Card payment (Paid)", "tracking_number": "20450000000001",
        "created": None, "date": "Nov 24, 2026",
    }
    values = {
        "shop": {"name": "gearshop", "url": "https://shop.example"},
        "personal": {"name": "Olena", "phone": "+380501234567", "city": "Київ", "branch": "12"},
        "payload": {"reset_url": "https://shop.example/reset/abc", "valid_minutes": 30, "reason": "out of stock",
                    "message_id": 17, "kind": "order_placed", "channel": "sms", "attempts": 8,
                    "error": "SMS gateway 400 (code 21211)", "order_number": "GS-000042"},
        "order": order,
        "amount": "€95.00",
    }
    values.update(overrides)
    return values


def channels_of(kind):
    spec = MESSAGES[kind]
    return (CUSTOMER_CHANNELS if spec.for_customer else ()) + (STAFF_CHANNELS if spec.for_staff else ())


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_every_message_renders_on_its_channels(kind, locale):
    for channel in channels_of(kind):
        rendered = render(kind, channel, locale, context())
        assert rendered.text.strip(), (kind, channel)
        if "subject" in BLOCKS[channel]:
            assert rendered.subject and "\n" not in rendered.subject
            assert rendered.html.startswith("<!DOCTYPE html>") and f'lang="{locale}"' in rendered.html
        if kind.startswith(("order_", "payment_")):
            assert "GS-000042" in rendered.text


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_each_language_has_its_own_wording(kind):
    for channel in channels_of(kind):
        english = render(kind, channel, "en", context())
        for locale in LOCALES[1:]:
            other = render(kind, channel, locale, context())
            assert other.text != english.text, (kind, channel, locale)
            assert other.subject != english.subject or not english.subject, (kind, channel, locale)


def test_html_is_escaped_and_text_is_not():
    rendered = render("order_placed", "email", "en", context())
    assert "Oil filter &lt;b&gt;OEM&lt;/b&gt;" in rendered.html and "<b>OEM</b>" not in rendered.html
    assert "Oil filter <b>OEM</b>" in rendered.text


def test_the_shipped_message_carries_the_tracking_number_everywhere():
    for channel in CUSTOMER_CHANNELS:
        assert "20450000000001" in render("order_shipped", channel, "uk", context()).text


def test_sms_stays_short():
    for kind in MESSAGES:
        if MESSAGES[kind].for_customer:
            assert len(render(kind, "sms", "uk", context()).text) <= 160 * 2, kind


def test_a_message_without_what_it_needs_is_a_template_problem():
    with pytest.raises(TemplateProblem, match="reset_url"):
        render("password_reset", "email", "en", context(payload={}))
    with pytest.raises(LookupError):
        render("order_placed", "delivery_pigeon", "en", context())


def test_an_unknown_locale_falls_back_to_english():
    assert render("order_delivered", "sms", "de", context()).text.startswith("gearshop: order GS-000042 delivered")


def test_every_shared_word_is_translated():
    msgids = set()
    for path in TEMPLATES.rglob("*.j2"):
        msgids |= set(re.findall(r'_\("([^"]+)"\)', path.read_text(encoding="utf-8")))
    for table in (labels.STATUS_LABELS, labels.DELIVERY_LABELS, labels.PAYMENT_LABELS, labels.PAYMENT_STATE_LABELS,
                  FIELD_LABELS):
        msgids |= set(table.values())
    everything = replace_settings(load_settings(environ={}), bot={"token": "1:t", "staff_chat_id": -1},
                                  notifications={"email": {"adapter": "smtp"},
                                                 "sms": {"adapter": "twilio", "account_sid": "a", "auth_token": "t", "sender": "s"},
                                                 "delivery": {"adapter": "novaposhta", "api_key": "k"},
                                                 "staff": {"telegram": True, "emails": ("a@example.com",)}})
    msgids |= {adapter.purpose for adapter in build_adapters(everything).values()}
    assert len(msgids) > 30
    for locale in LOCALES[1:]:
        missing = sorted(m for m in msgids if gettext(locale, m) == m)
        assert not missing, (locale, missing)
