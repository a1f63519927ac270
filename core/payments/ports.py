"""The payment provider port: start a payment on the provider's page, verify its notifications.

Card data never reaches the shop (P14): the customer types it on the provider's page, and a
verified notification is reduced to transaction id, reference, status, amount and currency
before anything else looks at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.errors import ShopError
from core.orders.models import Order
from core.payments.models import Payment

PAID = "paid"
FAILED = "failed"
PENDING = "pending"
STATUSES = (PAID, FAILED, PENDING)


class InvalidNotification(ShopError):
    # A notification whose signature or content does not verify: nothing is stored.
    code = "invalid_notification"
    status = 400

    def __init__(self, message: str = "The payment notification could not be verified.", **kw):
        super().__init__(message, **kw)


@dataclass(frozen=True, slots=True)
class VerifiedNotification:
    transaction_id: str
    reference: str
    status: str  # PAID, FAILED or PENDING
    amount: int  # minor units
    currency: str


class PaymentProvider(Protocol):
    name: str

    async def start(self, payment: Payment, order: Order, *, return_url: str, notify_url: str) -> str:
        """The URL of the provider's page where the customer pays."""
        ...

    def verify(self, fields: Mapping[str, str]) -> VerifiedNotification:
        """Check the signature and extract the facts, or raise InvalidNotification."""
        ...


def check_currency(value: object) -> str:
    if not isinstance(value, str) or len(value) != 3 or not value.isascii() or not value.isalpha():
        raise InvalidNotification()
    return value.upper()
