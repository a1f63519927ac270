"""The messages the shop sends: their purpose, the personal fields their templates may use,
and which template and parts each channel gets.

Templates live in core/notifications/templates/<locale>/<kind>.j2 (customer messages) and
<locale>/staff_<kind>.j2 (staff messages), one file per message and locale, with blocks:
`subject`, `text` and `html` for email, `sms` for SMS, `chat` for Telegram.

Payload keys the templates read (written by `notify()`, never contact data):
- every order message: the order itself is read from the database at send time (number,
  lines, totals, delivery method, payment, tracking number); `order_number` is a fallback.
- order_shipped: `tracking_number` (when the order row does not have one yet).
- order_cancelled: `reason` (optional).
- payment_received / payment_failed: `amount` (minor units) and `currency` (optional;
  default: the order total).
- password_reset: `reset_url`, `valid_minutes` (optional).
- dead_letter: `message_id`, `kind`, `channel`, `attempts`, `error`, `order_number`.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.notifications.models import Purpose

CUSTOMER_CHANNELS = ("email", "sms", "telegram")
STAFF_CHANNELS = ("staff_telegram", "staff_email")
DELIVERY_CHANNEL = "delivery"
ALL_CHANNELS = (*CUSTOMER_CHANNELS, *STAFF_CHANNELS, DELIVERY_CHANNEL)

# Template blocks a channel is rendered from.
BLOCKS = {
    "email": ("subject", "text", "html"),
    "staff_email": ("subject", "text", "html"),
    "sms": ("sms",),
    "telegram": ("chat",),
    "staff_telegram": ("chat",),
    DELIVERY_CHANNEL: (),
}

_ORDER_CONTACT = frozenset({"name"})
_DELIVERY = frozenset({"name", "phone", "city", "branch"})


@dataclass(frozen=True, slots=True)
class MessageSpec:
    kind: str
    purpose: Purpose
    # Personal fields the templates (or the carrier) may use besides the recipient's contact;
    # an adapter gets the intersection with its own declaration.
    uses: frozenset[str] = _ORDER_CONTACT
    # Staff receive it (template staff_<kind>.j2).
    for_staff: bool = False
    # Customers receive it (template <kind>.j2).
    for_customer: bool = True


MESSAGES: dict[str, MessageSpec] = {spec.kind: spec for spec in (
    MessageSpec("order_placed", Purpose.ORDER, _DELIVERY, for_staff=True),
    MessageSpec("order_confirmed", Purpose.ORDER, _DELIVERY),
    MessageSpec("order_shipped", Purpose.ORDER),
    MessageSpec("order_delivered", Purpose.ORDER),
    MessageSpec("order_cancelled", Purpose.ORDER),
    MessageSpec("payment_received", Purpose.ORDER),
    MessageSpec("payment_failed", Purpose.ORDER),
    MessageSpec("password_reset", Purpose.ACCOUNT),
    MessageSpec("email_changed", Purpose.ACCOUNT),
    MessageSpec("phone_changed", Purpose.ACCOUNT),
    MessageSpec("account_deleted", Purpose.ACCOUNT),
    MessageSpec("dead_letter", Purpose.SERVICE, frozenset(), for_staff=True, for_customer=False),
)}


class UnknownMessage(LookupError):
    pass


def spec_for(kind: str) -> MessageSpec:
    try:
        return MESSAGES[kind]
    except KeyError:
        raise UnknownMessage(f"no message called {kind!r}") from None


def template_name(kind: str, channel: str) -> str | None:
    """The template file (without locale) for a message on a channel; None: nothing to render."""
    spec = spec_for(kind)
    if channel == DELIVERY_CHANNEL:
        return None
    if channel in STAFF_CHANNELS:
        if not spec.for_staff:
            raise UnknownMessage(f"{kind!r} is not a staff message")
        return f"staff_{kind}.j2"
    if channel not in CUSTOMER_CHANNELS:
        raise UnknownMessage(f"no channel called {channel!r}")
    if not spec.for_customer:
        raise UnknownMessage(f"{kind!r} is not a customer message")
    return f"{kind}.j2"
