"""LiqPay (and compatible) checkout: `data` = base64(JSON), `signature` = base64(sha1(key + data + key)).

`start` sends the customer to the provider's checkout page with the signed request; LiqPay then
posts `data` + `signature` to our `server_url`. `verify` checks the signature with a
constant-time comparison before decoding anything, and keeps only payment_id, order_id, status,
amount and currency: whatever else the provider sends (card masks, sender names) is dropped here.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from core.money import minor_units
from core.orders.models import Order
from core.payments.models import Payment
from core.payments.ports import (
    FAILED,
    PAID,
    PENDING,
    InvalidNotification,
    VerifiedNotification,
    check_currency,
)

DEFAULT_CHECKOUT_URL = "https://www.liqpay.ua/api/3/checkout"
STATUS_MAP = {"success": PAID, "failure": FAILED, "error": FAILED}
_LANGUAGES = {"uk": "uk", "en": "en"}


def encode(private_key: str, params: Mapping[str, Any]) -> tuple[str, str]:
    """(data, signature) for a request or a notification, as LiqPay computes them."""
    data = base64.b64encode(json.dumps(dict(params), ensure_ascii=False).encode()).decode()
    return data, sign(private_key, data)


def sign(private_key: str, data: str) -> str:
    return base64.b64encode(hashlib.sha1((private_key + data + private_key).encode()).digest()).decode()


class LiqPayProvider:
    name = "liqpay"

    def __init__(self, public_key: str, private_key: str, checkout_url: str = DEFAULT_CHECKOUT_URL):
        if not public_key or not private_key:
            raise ValueError("LiqPay needs payments.liqpay.public_key and private_key")
        self.public_key = public_key
        self._private_key = private_key
        self.checkout_url = checkout_url

    async def start(self, payment: Payment, order: Order, *, return_url: str, notify_url: str) -> str:
        exponent = minor_units(payment.currency)
        params = {
            "version": 3,
            "public_key": self.public_key,
            "action": "pay",
            "amount": str(Decimal(payment.amount).scaleb(-exponent)),
            "currency": payment.currency,
            "description": f"Order {order.number}",
            "order_id": payment.reference,
            "result_url": return_url,
            "server_url": notify_url,
            "language": _LANGUAGES.get(order.locale, "en"),
        }
        data, signature = encode(self._private_key, params)
        return f"{self.checkout_url}?{urlencode({'data': data, 'signature': signature})}"

    def verify(self, fields: Mapping[str, str]) -> VerifiedNotification:
        data, signature = fields.get("data"), fields.get("signature")
        if not isinstance(data, str) or not isinstance(signature, str) or not data:
            raise InvalidNotification()
        expected = sign(self._private_key, data)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise InvalidNotification()
        body = _decode(data)
        if body.get("public_key", self.public_key) != self.public_key:
            raise InvalidNotification()
        currency = check_currency(body.get("currency"))
        transaction_id, reference = body.get("payment_id"), body.get("order_id")
        if transaction_id in (None, "") or not isinstance(reference, str) or not reference:
            raise InvalidNotification()
        return VerifiedNotification(
            transaction_id=str(transaction_id)[:128],
            reference=reference[:64],
            status=self._status(body.get("status")),
            amount=_to_minor(body.get("amount"), currency),
            currency=currency,
        )

    def _status(self, status: object) -> str:
        # With sandbox keys LiqPay reports a test payment that went through as "sandbox" rather
        # than "success"; with real keys a "sandbox" status is no money paid, so it stays pending.
        if status == "sandbox" and self.public_key.startswith("sandbox_"):
            return PAID
        return STATUS_MAP.get(status, PENDING) if isinstance(status, str) else PENDING


def _decode(data: str) -> dict[str, Any]:
    try:
        body = json.loads(base64.b64decode(data, validate=True), parse_float=Decimal)
    except (binascii.Error, ValueError):
        raise InvalidNotification() from None
    if not isinstance(body, dict):
        raise InvalidNotification()
    return body


def _to_minor(amount: object, currency: str) -> int:
    # LiqPay sends amounts as decimal numbers (12.5) or strings ("12.50").
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal | str):
        raise InvalidNotification()
    try:
        minor = Decimal(str(amount)).scaleb(minor_units(currency))
    except InvalidOperation:
        raise InvalidNotification() from None
    if not minor.is_finite() or minor != minor.to_integral_value() or minor < 0:
        raise InvalidNotification()
    return int(minor)
