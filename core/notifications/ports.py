"""The port every adapter plugs into: what an adapter receives, what it may answer, how it fails.

An adapter gets an `Outgoing` message: the rendered text, facts about the order that are not
personal, and `personal` — only the personal fields the adapter declared (P7), built by
`core.notifications.personal.personal_payload`. It answers with a `SendResult` or raises
`TransientError` (try again later) or `PermanentError` (never going to work: dead letter), or
`RecipientUnreachable` (this person cannot be reached on this channel: undeliverable, no alert).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from core.notifications.models import Purpose


@dataclass(frozen=True, slots=True)
class OrderFacts:
    # What an adapter may know about an order without learning anything about the person.
    id: int
    number: str
    total: int  # minor units
    currency: str
    delivery_method: str
    payment_method: str
    payment_state: str
    status: str = "new"
    tracking_number: str = ""


@dataclass(frozen=True, slots=True)
class Outgoing:
    message_id: int  # the outbox row
    kind: str  # order_placed, password_reset, ...
    purpose: Purpose
    channel: str
    locale: str
    personal: dict[str, Any]  # only the adapter's declared fields
    subject: str = ""
    text: str = ""
    html: str = ""
    order: OrderFacts | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    # The provider's id for what it accepted (message sid, waybill ref), for the log.
    provider_id: str = ""
    # A carrier's tracking number; the worker stores it on the order.
    tracking_number: str = ""


class DeliveryError(Exception):
    """A send that did not happen. `reached` is False when nothing left the server."""

    def __init__(self, message: str, *, reached: bool = True):
        super().__init__(redact(message)[:400])
        self.reached = reached


class TransientError(DeliveryError):
    """Worth another try later (timeouts, 4xx SMTP replies, HTTP 429/5xx)."""

    def __init__(self, message: str, *, retry_after: float | None = None, reached: bool = True):
        super().__init__(message, reached=reached)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    """Will never work as it is (invalid number, 5xx SMTP reply, refused by the provider)."""


class RecipientUnreachable(PermanentError):
    """The recipient cannot be reached on this channel at all (the customer blocked the bot or
    deleted the account). For a customer's own contact this is expected, not a fault: the worker
    records the message as undeliverable on that channel without alerting staff."""


@runtime_checkable
class Adapter(Protocol):
    channel: str
    # The processor's name as the privacy page shows it (P8); "console" for console adapters.
    processor: str
    # What this processor is used for (an English gettext msgid).
    purpose: str
    # The personal fields this adapter may receive (P7).
    fields: frozenset[str]
    # The field that addresses the recipient ("email", "phone", "telegram_user_id"), or None
    # when the recipient comes from configuration (staff) or the message (delivery).
    contact_field: str | None
    # True when data leaves the server (a real processor): every send is then recorded as a
    # Disclosure. Console adapters print on the server itself, so they are not processors.
    external: bool

    async def send(self, message: Outgoing) -> SendResult: ...

    async def close(self) -> None: ...


# Disclosure.processor holds this many characters; the privacy page shows the same names.
PROCESSOR_NAME_LENGTH = 48


def processor_name(name: str) -> str:
    """A processor's name as it is shown and recorded: at most PROCESSOR_NAME_LENGTH characters
    (a long SMTP host such as email-smtp.eu-central-1.amazonaws.com is shortened with "…")."""
    name = " ".join(name.split())
    if len(name) <= PROCESSOR_NAME_LENGTH:
        return name
    return name[: PROCESSOR_NAME_LENGTH - 1] + "…"


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()-]{7,}\d")


def redact(text: str) -> str:
    """Error texts end up in logs and staff alerts: keep addresses and numbers out of them."""
    return _PHONE.sub("<number>", _EMAIL.sub("<address>", text))
