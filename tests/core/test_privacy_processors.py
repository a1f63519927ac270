"""P7, P8: data leaves the shop only through processors switched on in configuration, each
receiving only what it needs; the published list is generated from that configuration."""

from __future__ import annotations

import base64
import importlib
import inspect
import json
import pkgutil
from urllib.parse import parse_qs, urlsplit

import core.adapters
from core.notifications.registry import build_adapters, processors
from core.payments.liqpay import LiqPayProvider
from core.payments.service import start_payment
from core.privacy.processors import PAYMENT_PROCESSORS, published_processors
from tests.conftest import replace_settings
from tests.core.notifications_factories import make_customer, make_order

EVERYTHING_ON = {
    "bot": {"token": "1:t", "staff_chat_id": -100},
    "notifications": {"email": {"adapter": "smtp"},
                      "sms": {"adapter": "twilio", "account_sid": "AC1", "auth_token": "t", "sender": "+1"},
                      "delivery": {"adapter": "novaposhta", "api_key": "k"},
                      "staff": {"telegram": True, "emails": ("desk@example.com",)}},
}


def outside_adapter_classes() -> set[type]:
    """Every class in core.adapters that sends data out of the shop (`external = True`)."""
    found = set()
    for module in pkgutil.iter_modules(core.adapters.__path__):
        loaded = importlib.import_module(f"core.adapters.{module.name}")
        for _, cls in inspect.getmembers(loaded, inspect.isclass):
            if cls.__module__ == loaded.__name__ and getattr(cls, "external", False) is True:
                found.add(cls)
    return found


def test_no_outside_adapter_exists_that_configuration_cannot_name(settings):
    assert {type(a) for a in build_adapters(settings).values() if a.external} == set()
    everything = build_adapters(replace_settings(settings, **EVERYTHING_ON))
    assert {type(a) for a in everything.values() if a.external} == outside_adapter_classes()
    assert len(outside_adapter_classes()) >= 6


def test_published_processors_follow_the_payment_configuration(settings):
    assert published_processors(settings) == []  # console adapters and the built-in sandbox bank stay inside
    with_liqpay = replace_settings(settings, payments={"providers": ("sandbox", "liqpay")})
    assert [(p["name"], p["fields"]) for p in published_processors(with_liqpay)] == [("LiqPay", [])]
    both = replace_settings(settings, **EVERYTHING_ON, payments={"providers": ("liqpay",)})
    assert [p["name"] for p in published_processors(both)] == [p["name"] for p in processors(both)] + ["LiqPay"]
    assert "liqpay" in PAYMENT_PROCESSORS


async def test_the_card_payment_provider_receives_no_personal_data(db):
    customer = await make_customer(email="olena.private@example.com", phone="+380501234567")
    order = await make_order(customer, payment_method="card", payment_provider="liqpay",
                             payment_state="pending", delivery_address="Soborna 12, flat 3")
    url = await start_payment(order, LiqPayProvider("pub", "priv"), return_url="https://shop.example/r",
                              notify_url="https://shop.example/n")
    data = json.loads(base64.b64decode(parse_qs(urlsplit(url).query)["data"][0]))
    assert set(data) == {"version", "public_key", "action", "amount", "currency", "description", "order_id",
                         "result_url", "server_url", "language"}
    sent = json.dumps(data, ensure_ascii=False)
    for value in ("olena.private@example.com", "+380501234567", "380501234567", "Shevchenko", "Olena",
                  "Soborna", "Київ"):
        assert value not in sent, value
