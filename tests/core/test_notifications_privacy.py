"""P6, P7, P8 for messages: purposes and marketing consent, each adapter receives only the
personal fields it declared (checked on the wire at each local provider), and the processors
list is exactly the configured external adapters."""

from __future__ import annotations

import io
import json

import pytest

from core.customers.consents import set_marketing
from core.notifications.models import OutboxStatus, Purpose
from core.notifications.personal import PERSONAL_FIELDS, personal_payload, without_personal
from core.notifications.registry import build_adapters, close_adapters, processors
from core.notifications.worker import OutboxWorker
from core.privacy.models import Disclosure
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue
from tests.fakes.bot_api import FakeBotAPI
from tests.fakes.novaposhta import API_KEY, FakeNovaPoshta
from tests.fakes.smtp import SmtpServer
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

STAFF_CHAT = -1001234567890
# Every personal value the test customer and order hold, by field.
VALUES = {
    "name": "Shevchenko Olena",
    "email": "olena.private@example.com",
    "phone": "+380501234567",
    "telegram_user_id": "555000111",
    "city": "Вінниця",
    "branch": "Відділення 47",
    "address": "Soborna 12, flat 3",
}
RAW = {"phone": "380501234567"}  # Nova Poshta wants the number without "+"


async def test_personal_payload_holds_exactly_the_declared_fields(db):
    customer = await make_customer(email=VALUES["email"], phone=VALUES["phone"], telegram_user_id=555000111)
    order = await make_order(customer, carrier_city=VALUES["city"], carrier_branch=VALUES["branch"],
                             delivery_address=VALUES["address"])
    assert personal_payload(customer, {"phone"}) == {"phone": VALUES["phone"]}
    assert personal_payload(customer, {"email", "name"}) == {"email": VALUES["email"], "name": VALUES["name"]}
    assert personal_payload(order, {"name", "phone", "city", "branch"}) == {
        "name": VALUES["name"], "phone": VALUES["phone"], "city": VALUES["city"], "branch": VALUES["branch"]}
    assert personal_payload(order, set()) == {}
    assert set(personal_payload(customer, PERSONAL_FIELDS)) == {"name", "email", "phone", "telegram_user_id"}
    with pytest.raises(ValueError, match="passport"):
        personal_payload(customer, {"phone", "passport"})


def test_contact_data_slipped_into_a_payload_never_reaches_a_template():
    payload = {"number": "GS-1", "email": "x@example.com", "contact_phone": "+380501234567",
               "delivery": {"city": "Kyiv", "method": "carrier"}, "lines": [{"name": "Oil filter"}]}
    assert without_personal(payload) == {"number": "GS-1", "delivery": {"method": "carrier"},
                                         "lines": [{"name": "Oil filter"}]}


@pytest.fixture
async def providers(tmp_path):
    """Every real adapter switched on, each talking to its own local provider."""
    async with FakeTwilio() as twilio, FakeNovaPoshta() as novaposhta, FakeBotAPI() as bot_api:
        with SmtpServer() as smtp:
            yield {"smtp": smtp, "twilio": twilio, "novaposhta": novaposhta, "bot_api": bot_api}


def configured(settings, p):
    return replace_settings(
        settings,
        bot={"token": p["bot_api"].token, "api_server": p["bot_api"].url, "staff_chat_id": STAFF_CHAT},
        notifications={
            "email": {"adapter": "smtp", "host": "127.0.0.1", "port": p["smtp"].port, "sender": "shop@gearshop.example"},
            "sms": {"adapter": "twilio", "api_base": p["twilio"].url, "account_sid": ACCOUNT_SID,
                    "auth_token": AUTH_TOKEN, "sender": "+15005550006"},
            "delivery": {"adapter": "novaposhta", "api_url": p["novaposhta"].url, "api_key": API_KEY},
            "staff": {"telegram": True, "emails": ("desk@gearshop.example",)},
        },
    )


def on_the_wire(channel: str, p) -> str:
    """Everything the provider of `channel` received, as text."""
    if channel in ("email", "staff_email"):
        # Decoded headers and parts (raw bytes hold random ids that could match by chance).
        texts = []
        for received in p["smtp"].messages:
            texts.append(str(received.rcpt_tos))
            texts += [f"{k}: {v}" for k, v in received.message.items() if k not in ("Message-ID", "Date", "Content-Type")]
            texts += [part.get_content() for part in received.message.walk() if not part.is_multipart()]
        return "\n".join(texts)
    if channel == "sms":
        return json.dumps(p["twilio"].requests, ensure_ascii=False)
    if channel == "delivery":
        return json.dumps(p["novaposhta"].requests, ensure_ascii=False)
    return json.dumps([c.params for c in p["bot_api"].calls], ensure_ascii=False)


@pytest.mark.parametrize(("channel", "kind"), [
    ("email", "order_placed"), ("sms", "order_placed"), ("telegram", "order_placed"),
    ("staff_telegram", "order_placed"), ("staff_email", "order_placed"), ("delivery", "order_confirmed"),
])
async def test_each_adapter_receives_only_its_declared_fields(db, settings, providers, channel, kind):
    customer = await make_customer(email=VALUES["email"], phone=VALUES["phone"], telegram_user_id=555000111)
    order = await make_order(customer, carrier_city=VALUES["city"], carrier_branch=VALUES["branch"],
                             delivery_address=VALUES["address"])
    await queue(kind, channel, customer=customer, order=order)
    s = configured(settings, providers)
    adapters = build_adapters(s)
    try:
        assert await OutboxWorker(s, adapters, "p7").run_once() == 1
    finally:
        await close_adapters(adapters)

    adapter = adapters[channel]
    assert adapter.external
    wire = on_the_wire(channel, providers)
    for field, value in VALUES.items():
        present = value in wire or (field in RAW and RAW[field] in wire)
        if field not in adapter.fields:
            assert not present, f"{channel} received undeclared {field}"
    # What was declared and used did arrive, and the disclosure says exactly that.
    disclosure = await Disclosure.get(order_id=order.id)
    assert disclosure.processor == adapter.processor and set(disclosure.fields_sent) <= adapter.fields
    for field in disclosure.fields_sent:
        assert VALUES[field] in wire or RAW.get(field, "\0") in wire


async def test_marketing_is_sent_only_with_a_current_consent(db, settings):
    customer = await make_customer()
    stream = io.StringIO()
    worker = OutboxWorker(settings, console_adapters(stream), "p6")
    order = await make_order(customer)

    without = await queue("order_delivered", "email", customer=customer, order=order, purpose=Purpose.MARKETING)
    await worker.run_once()
    await without.refresh_from_db()
    assert (without.status, without.last_error) == (OutboxStatus.REFUSED, "no current marketing consent")
    assert stream.getvalue() == ""

    await set_marketing(customer, True, "web")
    granted = await queue("order_delivered", "email", customer=customer, order=order, purpose=Purpose.MARKETING)
    await set_marketing(customer, False, "web")  # withdrawn after the message was queued
    await set_marketing(customer, True, "web")
    again = await queue("order_delivered", "email", customer=customer, order=order, purpose=Purpose.MARKETING)
    await set_marketing(customer, False, "web")
    await worker.run_once()
    for row in (granted, again):
        await row.refresh_from_db()
        assert row.status == OutboxStatus.REFUSED  # checked again when sending: consent is gone

    await set_marketing(customer, True, "web")
    consented = await queue("order_delivered", "email", customer=customer, order=order, purpose=Purpose.MARKETING)
    await worker.run_once()
    await consented.refresh_from_db()
    assert consented.status == OutboxStatus.SENT
    assert stream.getvalue().count(f"Order {order.number} delivered") == 1


async def test_order_and_account_messages_need_no_consent(db, settings):
    customer = await make_customer()
    order = await make_order(customer)
    rows = [await queue("order_delivered", "email", customer=customer, order=order, purpose=Purpose.ORDER),
            await queue("email_changed", "email", customer=customer, purpose=Purpose.ACCOUNT,
                        recipient="old.address@example.com")]
    stream = io.StringIO()
    await OutboxWorker(settings, console_adapters(stream), "p6").run_once()
    for row in rows:
        await row.refresh_from_db()
        assert row.status == OutboxStatus.SENT
    assert "email=old.address@example.com" in stream.getvalue()  # the change is told to the old address


def test_processors_are_exactly_the_configured_external_adapters(settings):
    assert processors(settings) == []  # console adapters print on the server: no processor

    s = replace_settings(
        settings,
        bot={"token": "1:t", "staff_chat_id": STAFF_CHAT},
        notifications={"sms": {"adapter": "twilio", "account_sid": "AC1", "auth_token": "t", "sender": "+1"},
                       "delivery": {"adapter": "novaposhta", "api_key": "k"}, "staff": {"telegram": True}},
    )
    listed = {(p["channel"], p["name"]): p["fields"] for p in processors(s)}
    assert listed == {
        ("sms", "SMS gateway api.twilio.com"): ["phone"],
        ("delivery", "Nova Poshta"): ["branch", "city", "name", "phone"],
        ("telegram", "Telegram"): ["telegram_user_id"],
        ("staff_telegram", "Telegram"): ["branch", "city", "name", "phone"],
    }
    assert all(p["purpose"] and len(p["field_labels"]) == len(p["fields"]) for p in processors(s))


async def test_a_deleted_customers_last_message_goes_only_to_the_given_address(db, settings):
    customer = await make_customer(email=None, phone=None, first_name="", last_name="", status="deleted")
    row = await queue("account_deleted", "email", customer=customer, purpose=Purpose.ACCOUNT,
                      recipient="gone@example.com")
    stream = io.StringIO()
    await OutboxWorker(settings, console_adapters(stream), "p9").run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert "to [email=gone@example.com]" in stream.getvalue()


async def test_processor_names_fit_the_disclosure_log(db, settings):
    # Amazon SES: "SMTP server email-smtp.eu-central-1.amazonaws.com" is 49 characters.
    s = replace_settings(settings, notifications={
        "email": {"adapter": "smtp", "host": "email-smtp.eu-central-1.amazonaws.com"},
        "sms": {"adapter": "twilio", "api_base": "https://sms-gateway.a-rather-long-provider-name.example.com",
                "account_sid": "AC1", "auth_token": "t", "sender": "+1"}})
    limit = Disclosure._meta.fields_map["processor"].max_length
    names = {p["channel"]: p["name"] for p in processors(s)}
    assert names["email"].startswith("SMTP server email-smtp.eu-central-1.amazonaws")
    assert names["sms"].startswith("SMS gateway sms-gateway.")
    for name in names.values():
        assert len(name) <= limit
        # PostgreSQL refuses a longer value; the privacy page and the log show the same name.
        stored = await Disclosure.create(processor=name, fields_sent=["email"], purpose="order")
        assert (await Disclosure.get(id=stored.id)).processor == name
