"""Adapters are chosen per channel in configuration; console by default, several real ones at once."""

from __future__ import annotations

from core.adapters.console import ConsoleAdapter
from core.adapters.email import EmailAdapter
from core.adapters.sms import TwilioSmsAdapter
from core.adapters.staff_email import StaffEmailAdapter
from core.notifications.messages import ALL_CHANNELS
from core.notifications.registry import build_adapters
from tests.conftest import replace_settings


def kinds(adapters):
    return {channel: type(adapter).__name__ for channel, adapter in adapters.items()}


def test_with_nothing_configured_every_channel_prints_on_the_console(settings):
    adapters = build_adapters(settings)
    assert set(adapters) == set(ALL_CHANNELS)
    assert all(isinstance(a, ConsoleAdapter) and not a.external for a in adapters.values())
    # Console adapters declare what the real adapter of their channel would get.
    assert adapters["sms"].fields == {"phone"} and adapters["email"].fields == {"email", "name"}


def test_several_real_adapters_can_be_on_at_once(settings):
    s = replace_settings(settings, notifications={
        "email": {"adapter": "smtp", "host": "smtp.example.com"},
        "sms": {"adapter": "twilio", "account_sid": "AC1", "auth_token": "t", "sender": "+15005550006"},
    })
    assert kinds(build_adapters(s)) == {
        "email": "EmailAdapter", "sms": "TwilioSmsAdapter", "telegram": "ConsoleAdapter",
        "staff_telegram": "ConsoleAdapter", "staff_email": "ConsoleAdapter", "delivery": "ConsoleAdapter",
    }
    with_staff = build_adapters(replace_settings(s, notifications={"staff": {"emails": ("desk@example.com",)}}))
    assert isinstance(with_staff["staff_email"], StaffEmailAdapter)
    assert isinstance(with_staff["email"], EmailAdapter) and isinstance(with_staff["sms"], TwilioSmsAdapter)
    assert with_staff["staff_email"].processor == with_staff["email"].processor == "SMTP server smtp.example.com"
