"""What the [notifications] keys of config.toml must hold, checked when the settings are loaded.

`core.config.validate` calls `validate_notifications` with its `fail(key, why)`, so every error
names the key and the file, and the shop refuses to start instead of dead-lettering every message
later (a sender that is no address, a staff address with a typo, a Nova Poshta account without
the sender references its waybills need).
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from core.config import Settings


def _is_address(text: str) -> bool:
    # One plain address: `desk@shop.example`.
    local, at, domain = text.rpartition("@")
    return bool(at and local and "." in domain) and not any(ch.isspace() or ch in "<>,;\"" for ch in text)


def _is_named_address(text: str) -> bool:
    # One address, with or without a display name: `Shop name <shop@shop.example>`.
    if any(ch in text for ch in "\r\n"):
        return False
    if text.endswith(">"):
        name, _, text = text[:-1].rpartition("<")
        if "," in name and not name.strip().startswith('"'):
            return False  # `a@x, b <c@y>` is two addresses
    return _is_address(text)


def validate_notifications(s: Settings, fail: Callable[[str, str], NoReturn]) -> None:
    """Call `fail(key, why)` for the first [notifications] key that cannot work."""
    n = s.notifications
    for key in ("notifications.poll_seconds", "notifications.backoff_base_seconds",
                "notifications.email.timeout_seconds"):
        if attrgetter(key)(s) <= 0:  # dotted keys: attrgetter follows them
            fail(key, "must be greater than zero")
    if n.backoff_cap_seconds < n.backoff_base_seconds:
        fail("notifications.backoff_cap_seconds", "must not be less than notifications.backoff_base_seconds")
    if n.email.adapter == "smtp":
        if not 1 <= n.email.port <= 65535:
            fail("notifications.email.port", "must be between 1 and 65535")
        if not _is_named_address(n.email.sender):
            fail("notifications.email.sender",
                 f"must be an email address such as shop@example.com, not {n.email.sender!r}")
        if n.email.reply_to and not _is_named_address(n.email.reply_to):
            fail("notifications.email.reply_to", f"must be one email address, not {n.email.reply_to!r}")
        if n.email.username and not n.email.password:
            fail("notifications.email.password",
                 "is a required secret with a username: set GEARSHOP_NOTIFICATIONS__EMAIL__PASSWORD")
    for address in n.staff.emails:
        if not _is_address(address):
            fail("notifications.staff.emails", f"has {address!r}, which is not one email address")
    if n.sms.adapter == "twilio":
        for key in ("account_sid", "auth_token", "sender"):
            if not getattr(n.sms, key):
                fail(f"notifications.sms.{key}", "is required for the twilio SMS adapter")
        if not n.sms.api_base.startswith(("https://", "http://")):
            fail("notifications.sms.api_base", "must start with https://")
    if n.delivery.adapter == "novaposhta":
        if not n.delivery.api_key:
            fail("notifications.delivery.api_key",
                 "is a required secret: set GEARSHOP_NOTIFICATIONS__DELIVERY__API_KEY")
        for key in ("sender_ref", "sender_city_ref", "sender_address_ref", "sender_contact_ref",
                    "sender_phone"):
            if not getattr(n.delivery, key):
                fail(f"notifications.delivery.{key}",
                     "is required for Nova Poshta waybills (from the carrier's cabinet)")
        if s.shop.currency != "UAH":
            fail("notifications.delivery.adapter",
                 f"novaposhta needs shop.currency = \"UAH\", not {s.shop.currency!r}")
    if n.staff.telegram and not (s.bot.token and s.bot.staff_chat_id):
        fail("notifications.staff.telegram", "needs bot.token and bot.staff_chat_id")
