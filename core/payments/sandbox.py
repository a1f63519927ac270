"""The sandbox provider: a built-in bank page for development that can pay or decline.

`start` returns `<base_url>/sandbox-bank/<reference>?...` with the amount, currency and
return/notify URLs signed with HMAC-SHA256, so the page (in the web area) can trust what it
shows (`read_page`). When the tester presses "pay" or "decline", the page builds a notification
with `bank_answer` (signed with the same secret) and posts it to the notify URL, exactly as a
real provider would; `verify` checks that signature with a constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from core.orders.models import Order
from core.payments.models import Payment
from core.payments.ports import FAILED, PAID, InvalidNotification, VerifiedNotification, check_currency

_PAGE_FIELDS = ("amount", "currency", "order", "return_url", "notify_url")
_ANSWER_FIELDS = ("reference", "transaction_id", "status", "amount", "currency")
_REFERENCE = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class SandboxPage:
    reference: str
    amount: int
    currency: str
    order: str  # the order number, shown on the page
    return_url: str
    notify_url: str


class SandboxProvider:
    name = "sandbox"

    def __init__(self, secret: str | bytes, base_url: str):
        if not secret:
            raise ValueError("the sandbox provider needs a secret to sign its pages and notifications")
        self._key = secret.encode() if isinstance(secret, str) else bytes(secret)
        self.base_url = base_url.rstrip("/")

    def _sign(self, purpose: str, values: Mapping[str, str]) -> str:
        text = json.dumps([purpose, sorted(values.items())], ensure_ascii=False)
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def _signed(self, purpose: str, fields: Mapping[str, str], names: tuple[str, ...]) -> bool:
        signature = fields.get("signature")
        if not isinstance(signature, str) or any(not isinstance(fields.get(n), str) for n in names):
            return False
        expected = self._sign(purpose, {n: fields[n] for n in names})
        return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))

    async def start(self, payment: Payment, order: Order, *, return_url: str, notify_url: str) -> str:
        page = {"amount": str(payment.amount), "currency": payment.currency, "order": order.number,
                "return_url": return_url, "notify_url": notify_url}
        signature = self._sign("page", {"reference": payment.reference, **page})
        query = urlencode({**page, "signature": signature})
        return f"{self.base_url}/sandbox-bank/{quote(payment.reference)}?{query}"

    def read_page(self, reference: str, query: Mapping[str, str]) -> SandboxPage:
        """The page's parameters, if the link is one `start` made; else InvalidNotification."""
        fields = {**{n: query.get(n) for n in (*_PAGE_FIELDS, "signature")}, "reference": reference}
        if not self._signed("page", fields, ("reference", *_PAGE_FIELDS)):
            raise InvalidNotification("This payment link is not valid.")
        return SandboxPage(
            reference=reference, amount=int(fields["amount"]), currency=fields["currency"],
            order=fields["order"], return_url=fields["return_url"], notify_url=fields["notify_url"],
        )

    def bank_answer(self, page: SandboxPage, *, approve: bool) -> dict[str, str]:
        """The signed notification the sandbox bank posts to `page.notify_url`."""
        fields = {
            "reference": page.reference,
            "transaction_id": "sbx-" + secrets.token_hex(10),
            "status": PAID if approve else FAILED,
            "amount": str(page.amount),
            "currency": page.currency,
        }
        return {**fields, "signature": self._sign("answer", fields)}

    def verify(self, fields: Mapping[str, str]) -> VerifiedNotification:
        if not self._signed("answer", fields, _ANSWER_FIELDS):
            raise InvalidNotification()
        amount, status = fields["amount"], fields["status"]
        if not (amount.isascii() and amount.isdigit()) or status not in (PAID, FAILED):
            raise InvalidNotification()
        if not _REFERENCE.fullmatch(fields["reference"]):
            raise InvalidNotification()
        return VerifiedNotification(
            transaction_id=fields["transaction_id"][:128],
            reference=fields["reference"],
            status=status,
            amount=int(amount),
            currency=check_currency(fields["currency"]),
        )
