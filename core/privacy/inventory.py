"""The data inventory: what the shop stores about people, why, and for how long.

The privacy page and the bot's /privacy are generated from this list plus configuration
(P19), so the published policy cannot drift from what the code keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings


@dataclass(frozen=True, slots=True)
class DataKind:
    key: str
    title: str  # gettext msgid
    fields: tuple[str, ...]
    purpose: str  # gettext msgid
    # A privacy.<name> retention setting, or None when kept for the life of the account.
    retention_setting: str | None


INVENTORY: tuple[DataKind, ...] = (
    DataKind("account", "Account", ("last name", "first name", "patronymic", "phone", "email",
             "password hash", "language", "car make and model", "display name", "Telegram user id",
             "whether Telegram can reach you"),
             "To process your orders, support you and tell you about the service.", None),
    DataKind("legal_entity", "Organisation", ("organisation name", "tax id", "KPP"),
             "To issue documents for orders of an organisation.", None),
    DataKind("addresses", "Delivery addresses", ("city", "region", "street", "postcode"),
             "To deliver your orders.", None),
    DataKind("garage", "Garage", ("saved vehicles",), "To show parts that fit your car.", None),
    DataKind("consents", "Consents", ("kind", "policy version", "time", "channel"),
             "To prove what you agreed to and when.", None),
    DataKind("reviews", "Reviews", ("display name", "rating", "text", "time"),
             "Public on the part page, under the name you chose for them.", None),
    DataKind("orders", "Orders", ("order lines", "delivery", "payment state", "contact snapshot"),
             "To fulfil orders and keep the records accounting law requires.", None),
    DataKind("audit", "Account history", ("sign-ins", "sign-outs", "changes", "IP address", "time"),
             "To protect your account.", None),
    DataKind("access_log", "Access log", ("customer id", "IP address", "time", "event"),
             "To prevent fraud and check payments.", "access_log_days"),
    DataKind("sessions", "Sessions", ("session token hash", "times"), "To keep you signed in.", "session_days"),
    DataKind("carts", "Anonymous carts", ("random token hash", "parts"),
             "To remember a cart before you sign in.", "anonymous_cart_days"),
    DataKind("visits", "Visit statistics", ("truncated IP", "browser", "operating system", "referring site", "day"),
             "Aggregate statistics, not tied to a person.", "visit_stats_days"),
    DataKind("disclosures", "Disclosures to processors", ("processor", "fields", "order", "time"),
             "To show you who received your data.", "disclosure_log_days"),
)

COOKIES = (
    ("session", "Keeps you signed in; a random token, no personal data."),
    ("cart", "Remembers your cart; a random token, no personal data."),
    ("locale", "Remembers your language."),
    ("vehicle", "Remembers the vehicle you chose."),
)


def retention_days(settings: Settings, kind: DataKind) -> int | None:
    return getattr(settings.privacy, kind.retention_setting) if kind.retention_setting else None
