"""A local LiqPay for tests: its checkout page checks our signed request, and it posts callbacks.

It implements the protocol on its own (no gearshop code), so a test that passes through it
shows that our side speaks LiqPay:

    async with FakeLiqPay(public_key, private_key) as liqpay:
        provider = LiqPayProvider(public_key, private_key, checkout_url=liqpay.checkout_url)
        url = await start_payment(order, provider, return_url=..., notify_url=...)
        async with aiohttp.ClientSession() as s:
            await s.get(url)                        # 200 when data + signature verify, else 400
        await liqpay.pay(order_id, status="success", extra={"sender_card_mask2": "411111*11"})
        # → POSTs data + signature (form-encoded) to the request's server_url, like LiqPay does

Callbacks carry the fields the real one does, including the sender's card mask and bank, which
the shop must drop (P14).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer

_payment_ids = itertools.count(1_000_000_001)


def liqpay_signature(private_key: str, data: str) -> str:
    return base64.b64encode(hashlib.sha1((private_key + data + private_key).encode()).digest()).decode()


def liqpay_fields(private_key: str, body: dict[str, Any]) -> dict[str, str]:
    data = base64.b64encode(json.dumps(body).encode()).decode()
    return {"data": data, "signature": liqpay_signature(private_key, data)}


@dataclass
class FakeLiqPay:
    public_key: str
    private_key: str
    # order_id -> the decoded checkout request
    checkouts: dict[str, dict[str, Any]] = field(default_factory=dict)
    refused: int = 0
    _server: TestServer | None = None

    async def __aenter__(self) -> FakeLiqPay:
        app = web.Application()
        app.router.add_route("*", "/api/3/checkout", self._checkout)
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()
        return self

    async def __aexit__(self, *exc) -> None:
        await self._server.close()

    @property
    def checkout_url(self) -> str:
        return str(self._server.make_url("/api/3/checkout"))

    async def _checkout(self, request: web.Request) -> web.Response:
        params = request.query if request.method == "GET" else await request.post()
        data, signature = params.get("data", ""), params.get("signature", "")
        if not data or signature != liqpay_signature(self.private_key, data):
            self.refused += 1
            return web.Response(status=400, text="invalid signature")
        body = json.loads(base64.b64decode(data))
        if body.get("public_key") != self.public_key or body.get("version") != 3:
            self.refused += 1
            return web.Response(status=400, text="invalid public_key or version")
        self.checkouts[body["order_id"]] = body
        return web.Response(
            text=f"<h1>Pay {body['amount']} {body['currency']}</h1>", content_type="text/html"
        )

    def callback(
        self,
        order_id: str,
        *,
        status: str = "success",
        payment_id: int | None = None,
        amount: Any = None,
        currency: str | None = None,
        extra: dict | None = None,
    ) -> dict[str, str]:
        """The form fields LiqPay would post to server_url for this checkout."""
        request = self.checkouts[order_id]
        payment_id = payment_id or next(_payment_ids)
        body = {
            "action": "pay",
            "payment_id": payment_id,
            "status": status,
            "version": 3,
            "type": "buy",
            "paytype": "card",
            "public_key": self.public_key,
            "acq_id": 414963,
            "order_id": order_id,
            "liqpay_order_id": f"LP{next(_payment_ids)}",
            "description": request["description"],
            "sender_card_mask2": "424242*42",
            "sender_card_bank": "pb",
            "sender_card_type": "visa",
            "sender_card_country": 804,
            "ip": "198.51.100.20",
            "amount": float(request["amount"]) if amount is None else amount,
            "currency": currency or request["currency"],
            "sender_commission": 0.0,
            "receiver_commission": 0.35,
            "agent_commission": 0.0,
            "amount_debit": float(request["amount"]),
            "amount_credit": float(request["amount"]),
            "is_3ds": False,
            "create_date": 1700000000000,
            "end_date": 1700000001000,
            "transaction_id": payment_id,
        }
        body.update(extra or {})
        return liqpay_fields(self.private_key, body)

    async def pay(self, order_id: str, **kw) -> int:
        """POST the callback to the checkout's server_url; returns the HTTP status it got."""
        fields = self.callback(order_id, **kw)
        async with aiohttp.ClientSession() as session:
            async with session.post(self.checkouts[order_id]["server_url"], data=fields) as response:
                await response.read()
                return response.status
