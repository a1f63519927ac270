"""The customer's orders: the list in the account and one order's page.

Another customer's order number is simply "not found" (404), never "forbidden": the answer
must not tell that such an order exists.
"""

from __future__ import annotations

from aiohttp import web

from core.orders.models import OrderStatus, PaymentMethod, PaymentState
from core.orders.queries import get_order_for, list_orders
from web.views.auth import page, signed_in
from web.views.payments import pay_by_card


async def orders_page(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    context = {"orders": await list_orders(customer), "section": "account_orders"}
    return page(request, "orders/list.html", context)


def can_pay(order) -> bool:
    """A card order that still waits for its money can be paid (again) from its page."""
    return (order.payment_method == PaymentMethod.CARD and order.status != OrderStatus.CANCELLED
            and order.payment_state in (PaymentState.PENDING, PaymentState.FAILED))


async def order_page(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    order = await get_order_for(customer, request.match_info["number"])
    context = {"order": order, "can_pay": can_pay(order), "section": "account_orders"}
    return page(request, "orders/order.html", context)


async def order_pay(request: web.Request) -> web.StreamResponse:
    """POST: pay a card order (again) on the provider's page."""
    customer = await signed_in(request)
    order = await get_order_for(customer, request.match_info["number"])
    await pay_by_card(request, order)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/account/orders", orders_page, name="account_orders")
    resource = router.add_resource(r"/orders/{number:[A-Za-z0-9-]{1,24}}", name="order")
    resource.add_route("GET", order_page)
    resource.add_route("POST", order_pay)
