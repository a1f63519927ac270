"""Adapters are chosen per channel in configuration; console by default, several real ones at once."""

from __future__ import annotations

import pytest

from core.adapters.console import ConsoleAdapter
from core.adapters.email import EmailAdapter
from core.adapters.sms import TwilioSmsAdapter
from core.adapters.staff_email import StaffEmailAdapter
from core.config import ConfigError, load_settings
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


NOVA_POSHTA = ('[shop]\ncurrency = "UAH"\n[notifications.delivery]\nadapter = "novaposhta"\napi_key = "k"\n'
               'sender_ref = "s"\nsender_city_ref = "c"\nsender_address_ref = "a"\nsender_contact_ref = "p"\n'
               'sender_phone = "380441234567"\n')


@pytest.mark.parametrize(("toml", "key", "why"), [
    ("[notifications]\npoll_seconds = 0\n", "notifications.poll_seconds", "greater than zero"),
    ("[notifications]\nbackoff_base_seconds = -5.0\n", "notifications.backoff_base_seconds", "greater than zero"),
    ("[notifications]\nbackoff_cap_seconds = 1.0\n", "notifications.backoff_cap_seconds", "backoff_base_seconds"),
    ('[notifications.email]\nadapter = "smtp"\nport = 0\n', "notifications.email.port", "between 1 and 65535"),
    ('[notifications.email]\nadapter = "smtp"\nsender = "gearshop"\n', "notifications.email.sender", "'gearshop'"),
    ('[notifications.email]\nadapter = "smtp"\nreply_to = "a@example.com, b@example.com"\n',
     "notifications.email.reply_to", "one email address"),
    ('[notifications.email]\nadapter = "smtp"\nusername = "shop"\n', "notifications.email.password",
     "GEARSHOP_NOTIFICATIONS__EMAIL__PASSWORD"),
    ('[notifications.staff]\nemails = ["desk@gearshop.example", "boss at gearshop"]\n', "notifications.staff.emails",
     "'boss at gearshop'"),
    (('[notifications.sms]\nadapter = "twilio"\naccount_sid = "AC1"\nauth_token = "t"\nsender = "+1"\n'
      'api_base = "api.twilio.com"\n'), "notifications.sms.api_base", "https://"),
    (NOVA_POSHTA.replace('sender_ref = "s"\n', ""), "notifications.delivery.sender_ref", "carrier's cabinet"),
    (NOVA_POSHTA.replace('currency = "UAH"', 'currency = "EUR"'), "notifications.delivery.adapter", "UAH"),
])
def test_a_notifications_setting_that_cannot_work_stops_start_up_naming_key_and_file(tmp_path, toml, key, why):
    path = tmp_path / "shop.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        load_settings(path, environ={})
    message = str(error.value)
    assert message.startswith(f"{path}: key '{key}'") and why in message, message


def test_working_notifications_settings_load(tmp_path):
    path = tmp_path / "shop.toml"
    path.write_text(NOVA_POSHTA + '[notifications.email]\nadapter = "smtp"\n'
                    'sender = "Gear Shop <shop@gearshop.example>"\nreply_to = "Підтримка <help@gearshop.example>"\n'
                    'username = "shop"\n'
                    '[notifications.staff]\nemails = ["desk@gearshop.example"]\n', encoding="utf-8")
    settings = load_settings(path, environ={"GEARSHOP_NOTIFICATIONS__EMAIL__PASSWORD": "s3cret"})
    assert settings.notifications.delivery.adapter == "novaposhta"
    assert settings.notifications.email.password == "s3cret"
    assert load_settings(environ={}).notifications.email.adapter == "console"  # the shipped config.toml
