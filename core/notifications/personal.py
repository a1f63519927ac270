"""Minimal data (P7): an adapter receives only the personal fields it declared.

`personal_payload(source, declared)` is the only way personal data reaches an adapter: it reads
the declared fields, and nothing else, from a customer (current contact data) or an order (the
contact and delivery snapshot taken at checkout). Outbox payloads are written without contact
data; `without_personal` drops any such key that slipped in, so a template can only show what
the adapter declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from core.customers.models import Customer, CustomerStatus
from core.orders.models import Order

# Every personal field an adapter may declare.
PERSONAL_FIELDS = frozenset({"name", "email", "phone", "telegram_user_id", "city", "branch", "address"})

# How the privacy page names each field (English gettext msgids, translated in notifications.po).
FIELD_LABELS = {
    "name": "full name",
    "email": "email address",
    "phone": "phone number",
    "telegram_user_id": "Telegram user id",
    "city": "city",
    "branch": "carrier branch",
    "address": "delivery address",
}

_FROM_CUSTOMER: dict[str, Callable[[Customer], Any]] = {
    "name": lambda c: c.full_name,
    "email": lambda c: c.email,
    "phone": lambda c: c.phone,
    "telegram_user_id": lambda c: c.telegram_user_id,
}
_FROM_ORDER: dict[str, Callable[[Order], Any]] = {
    "name": lambda o: o.contact_name,
    "email": lambda o: o.contact_email,
    "phone": lambda o: o.contact_phone,
    "city": lambda o: o.carrier_city,
    "branch": lambda o: o.carrier_branch,
    "address": lambda o: o.delivery_address,
}

# Keys that must never travel in an outbox payload (contact data is resolved at send time).
_PAYLOAD_PERSONAL_KEYS = PERSONAL_FIELDS | {
    "first_name", "last_name", "patronymic", "full_name", "customer_name", "customer_phone",
    "customer_email", "contact_name", "contact_phone", "contact_email", "delivery_address",
    "carrier_city", "carrier_branch", "recipient", "password", "new_email", "old_email",
    "new_phone", "old_phone", "tax_id", "buyer_tax_id", "ip",
}


def check_declaration(declared: Iterable[str]) -> frozenset[str]:
    fields = frozenset(declared)
    unknown = fields - PERSONAL_FIELDS
    if unknown:
        raise ValueError(f"unknown personal fields declared: {', '.join(sorted(unknown))}")
    return fields


def personal_payload(source: Customer | Order | None, declared: Iterable[str]) -> dict[str, Any]:
    """The declared fields that `source` has a value for; nothing undeclared, ever."""
    fields = check_declaration(declared)
    if source is None:
        return {}
    if isinstance(source, Customer):
        if source.status == CustomerStatus.DELETED:
            return {}
        readers: Mapping[str, Callable[[Any], Any]] = _FROM_CUSTOMER
    elif isinstance(source, Order):
        readers = _FROM_ORDER
    else:
        raise TypeError(f"personal data comes from a Customer or an Order, not {type(source).__name__}")
    payload = {}
    for name in sorted(fields & readers.keys()):
        value = readers[name](source)
        if value not in (None, ""):
            payload[name] = value
    return payload


def without_personal(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload minus contact data (top level and nested tables; order lines are kept)."""
    clean: dict[str, Any] = {}
    for key, value in payload.items():
        if key in _PAYLOAD_PERSONAL_KEYS:
            continue
        clean[key] = without_personal(value) if isinstance(value, Mapping) else value
    return clean
