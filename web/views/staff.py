"""Staff pages: the order desk (confirm, ship with tracking number, deliver, cancel) and the
customer data export for a legal request (P18). Only staff (Customer.is_staff, granted with
`python -m core staff grant EMAIL`) get past `staff_member`; everyone else gets 403, and a
visitor who is not signed in is sent to sign in first. Every page is private (no-store).
"""

from __future__ import annotations

import json

from aiohttp import web

from core.customers.models import Customer
from core.errors import ValidationError
from core.orders import desk
from core.privacy.staff import view_customer_data
from web.forms import Form
from web import sessions
from web.render import url_for
from web.security import client_ip
from web.views.auth import gettext_of, page, signed_in
from web.views.catalogue import page_number


async def staff_member(request: web.Request) -> Customer:
    return desk.require_staff(await signed_in(request))


async def orders_page(request: web.Request) -> web.StreamResponse:
    staff = await staff_member(request)
    status = desk.parse_status(request.query.get("status"))
    listing = await desk.orders_for_staff(staff, status=status, page=page_number(request.query.get("page")))
    return page(request, "staff/orders.html", {"listing": listing, "statuses": list(desk.OrderStatus)})


async def order_page(request: web.Request, form: Form | None = None, *,
                     status: int = 200) -> web.StreamResponse:
    staff = await staff_member(request)
    order = await desk.order_for_staff(staff, request.match_info["number"], ip=client_ip(request))
    await order.fetch_related("lines", "events")
    return page(request, "staff/order.html", {"order": order, "form": form or Form()}, status=status)


async def order_action(request: web.Request) -> web.StreamResponse:
    staff = await staff_member(request)
    form = await Form.read(request)
    number = request.match_info["number"]
    try:
        order = await desk.act_on_order(staff, number, form.get("action"),
                                        tracking_number=form.get("tracking_number"), note=form.get("note"))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return await order_page(request, form, status=422)
    sessions.flash(request, "Order {number} updated.", number=order.number)
    raise web.HTTPSeeOther(url_for(request, "staff_order", number=order.number))


async def customer_data_page(request: web.Request) -> web.StreamResponse:
    await staff_member(request)
    return page(request, "staff/customer_data.html", {"form": Form(), "customer_id": _customer_id(request)})


async def customer_data_export(request: web.Request) -> web.StreamResponse:
    """POST with a reason: the customer's full export as a JSON file; the view is audited."""
    staff = await staff_member(request)
    form = await Form.read(request)
    customer_id = _customer_id(request)
    try:
        data = await view_customer_data(staff, customer_id, form.get("reason"), ip=client_ip(request))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        context = {"form": form, "customer_id": customer_id}
        return page(request, "staff/customer_data.html", context, status=422)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = web.Response(text=body, content_type="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="customer-{customer_id}-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _customer_id(request: web.Request) -> int:
    return int(request.match_info["customer_id"])


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/staff/orders", orders_page, name="staff_orders")
    order = router.add_resource(r"/staff/orders/{number:[A-Za-z0-9-]{1,24}}", name="staff_order")
    order.add_route("GET", order_page)
    order.add_route("POST", order_action)
    data = router.add_resource(r"/staff/customers/{customer_id:\d{1,9}}/data", name="staff_customer_data")
    data.add_route("GET", customer_data_page)
    data.add_route("POST", customer_data_export)
