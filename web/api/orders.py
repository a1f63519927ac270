"""Orders of the signed-in customer: place one from the cart, list them, read one."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from core.orders import checkout, queries
from core.errors import ValidationError
from core.orders.models import DeliveryMethod, Order, PaymentMethod, PaymentState
from core.payments import service as payments
from web import keys
from web.api.errors import ApiError
from web.api.spec import Call, Operations, header_param, path_param
from web.security import client_ip, no_store

operations = Operations(tag="orders")

IDEMPOTENCY_KEY = header_param(
    "Idempotency-Key",
    {"type": "string", "minLength": 8, "maxLength": 128, "pattern": "^[!-~]+$"},
    "A key unique to this purchase (a UUID): sending the same request again returns the same order.",
)
NUMBER = path_param("number", {"type": "string", "pattern": "^[A-Za-z0-9-]{1,24}$"}, "The order number.")
_KEY_FORMAT = re.compile(r"[!-~]{8,128}")  # printable ASCII without spaces, as core stores it
_NUMBER_FORMAT = re.compile(r"[A-Za-z0-9-]{1,24}")
# Core names the choices' fields flat; the API names them by their JSON path.
_FIELD_PATHS = {
    "delivery": "delivery.method",
    "address_id": "delivery.address_id",
    "carrier_city": "delivery.carrier_city",
    "carrier_branch": "delivery.carrier_branch",
}


def summary_json(order: Order) -> dict[str, Any]:
    return {
        "number": order.number,
        "status": order.status.value,
        "created_at": order.created_at.isoformat(),
        "total": order.total,
        "currency": order.currency,
        "payment_state": order.payment_state.value,
    }


async def order_json(order: Order) -> dict[str, Any]:
    lines = await order.lines.all()
    return {
        **summary_json(order),
        "subtotal": order.subtotal,
        "shipping_price": order.shipping_price,
        "delivery": {
            "method": order.delivery_method.value,
            "address": order.delivery_address,
            "carrier_city": order.carrier_city,
            "carrier_branch": order.carrier_branch,
            "tracking_number": order.tracking_number,
        },
        "payment": {
            "method": order.payment_method.value,
            "provider": order.payment_provider,
            "state": order.payment_state.value,
        },
        "lines": [
            {
                "part_id": line.part_id,
                "brand": line.brand,
                "article": line.article,
                "name": line.name,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "line_total": line.line_total,
            }
            for line in lines
        ],
    }


def _idempotency_key(request: web.Request) -> str:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        raise ApiError(400, "malformed", "The Idempotency-Key header is required.",
                       fields={"Idempotency-Key": ("This field is required.", {})})
    if not _KEY_FORMAT.fullmatch(key):
        raise ApiError(400, "malformed", "The request is malformed.", fields={
            "Idempotency-Key": ("Use 8 to 128 printable characters without spaces, such as a UUID.", {})
        })
    return key


@operations.post(
    "/orders",
    summary="Place an order from the cart.",
    parameters=(IDEMPOTENCY_KEY,),
    body="OrderInput",
    response="PlacedOrder",
    status=201,
    signed_in=True,
    errors=(409, 422),
    description=(
        "Delivery `courier` needs `address_id` (one of the customer's addresses), `carrier` needs "
        "`carrier_city` and `carrier_branch`, `pickup` needs neither. Sending the same "
        "Idempotency-Key again returns the order placed the first time; the same key with a "
        "different cart is a 409."
    ),
)
async def place_order(request: web.Request, call: Call) -> web.Response:
    key = _idempotency_key(request)
    try:
        order = await _place(request, call, key)
    except ValidationError as exc:
        fields = {_FIELD_PATHS.get(name, name): message for name, message in exc.fields.items()}
        raise ValidationError(exc.message, fields=fields, code=exc.code, **exc.params) from None
    body = {"order": await order_json(order), "payment_url": await _payment_url(request, order)}
    return no_store(web.json_response(body, status=201))


def _shop_url(request: web.Request, route: str, **parts: str) -> str:
    # Absolute, from shop.base_url: the provider calls and redirects from outside.
    base = request.app[keys.SETTINGS].shop.base_url.rstrip("/")
    return base + str(request.app.router[route].url_for(**parts))


async def _payment_url(request: web.Request, order: Order) -> str | None:
    """The provider page where the customer pays a card order (a new attempt each time asked)."""
    if order.payment_method != PaymentMethod.CARD or order.payment_state == PaymentState.PAID:
        return None
    provider = request.app[keys.PAYMENT_PROVIDERS].get(order.payment_provider)
    if provider is None:
        return None
    return await payments.start_payment(
        order,
        provider,
        return_url=_shop_url(request, "payment_return", number=order.number),
        notify_url=_shop_url(request, "payment_notify", provider=provider.name),
    )


async def _place(request: web.Request, call: Call, key: str) -> Order:
    delivery, payment = call.body["delivery"], call.body["payment"]
    return await checkout.place_order(
        call.customer,
        delivery=checkout.DeliveryChoice(
            method=DeliveryMethod(delivery["method"]),
            address_id=delivery.get("address_id"),
            carrier_city=delivery.get("carrier_city", ""),
            carrier_branch=delivery.get("carrier_branch", ""),
        ),
        payment=checkout.PaymentChoice(
            method=PaymentMethod(payment["method"]), provider=payment.get("provider", "")
        ),
        idempotency_key=key,
        channel="web",
        settings=request.app[keys.SETTINGS],
        locale=request.get(keys.LOCALE),
        ip=client_ip(request),
    )


@operations.get(
    "/orders", summary="The customer's orders, newest first.", response="OrderList", signed_in=True
)
async def list_orders(request: web.Request, call: Call) -> web.Response:
    orders = await queries.list_orders(call.customer)
    return no_store(web.json_response({"items": [summary_json(o) for o in orders]}))


@operations.get(
    "/orders/{number}",
    summary="One of the customer's orders (another customer's order is a 404).",
    parameters=(NUMBER,),
    response="Order",
    signed_in=True,
    errors=(404,),
)
async def get_order(request: web.Request, call: Call) -> web.Response:
    number = request.match_info["number"]
    if not _NUMBER_FORMAT.fullmatch(number):
        raise ApiError(404, "not_found", "Not found.")
    order = await queries.get_order_for(call.customer, number)
    return no_store(web.json_response(await order_json(order)))
