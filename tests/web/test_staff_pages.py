"""The staff order desk on the web (SQLite and PostgreSQL): only staff get in; a staff member
confirms, ships with a tracking number and cancels orders, and the customer sees each step; the
customer data export for a legal request needs a reason and is audited (P18, P20).
"""

from __future__ import annotations

import json
import re

from tests.web.conftest import Catalogue, make_customer, sign_in_as
from tests.web.test_auth_pages import post_form
from tests.web.test_checkout_pages import ORDER_PATH, add_to_cart, buy

STAFF_EMAIL = "desk@gearshop.example"


async def customer_order(app_client, catalogue: Catalogue, quantity: int = 2) -> tuple[object, str]:
    """A customer (signed in on their own client) who has just placed a cash order to a branch."""
    client = await app_client()
    customer = await make_customer()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.filter_bosch, quantity)
    placed = await buy(client, delivery="carrier", carrier_city="Lviv", carrier_branch="12", payment="cash")
    assert placed.status == 303, await placed.text()
    return client, ORDER_PATH.match(placed.headers["Location"]).group(1)


async def staff_client(app_client):
    client = await app_client()
    staff = await make_customer(email=STAFF_EMAIL, phone="+380671112233", first_name="Desk", is_staff=True)
    await sign_in_as(client, staff)
    return client, staff


async def act(client, number: str, action: str, **fields: str):
    path = f"/staff/orders/{number}"
    return await post_form(client, path, {"action": action, **fields})


async def stock_of(part_id: int) -> int:
    from core.catalogue.models import Part

    return (await Part.get(id=part_id)).stock


async def test_staff_confirm_and_ship_and_the_customer_sees_each_step(app_client, catalogue: Catalogue):
    from core.notifications.models import OutboxMessage

    customer, number = await customer_order(app_client, catalogue)
    desk, staff = await staff_client(app_client)

    listing = await desk.get("/staff/orders")
    html = await listing.text()
    assert listing.status == 200 and listing.headers["Cache-Control"] == "no-store"
    assert number in html and "New" in html
    assert number in await (await desk.get("/staff/orders?status=new")).text()
    assert number not in await (await desk.get("/staff/orders?status=shipped")).text()

    confirmed = await act(desk, number, "confirm")
    assert confirmed.status == 303
    assert "Confirmed" in await (await customer.get(f"/orders/{number}")).text()

    shipped = await act(desk, number, "ship", tracking_number="20450000123456")
    assert shipped.status == 303
    page = await (await customer.get(f"/orders/{number}")).text()
    assert "Shipped" in page and "20450000123456" in page

    kinds = await OutboxMessage.filter(order__number=number).values_list("kind", flat=True)
    assert {"order_confirmed", "order_shipped"} <= set(kinds)
    history = await (await desk.get(f"/staff/orders/{number}")).text()
    assert f"staff:web:{staff.id}" in history  # who changed it


async def test_shipping_without_a_tracking_number_is_refused_and_changes_nothing(app_client, catalogue):
    from core.orders.models import Order

    _, number = await customer_order(app_client, catalogue)
    desk, _ = await staff_client(app_client)
    assert (await act(desk, number, "confirm")).status == 303

    refused = await act(desk, number, "ship", tracking_number="")
    assert refused.status == 422
    assert 'class="form-error"' in await refused.text()
    order = await Order.get(number=number)
    assert order.status == "confirmed" and order.tracking_number == ""

    wrong = await act(desk, number, "confirm")  # already confirmed: the status machine refuses
    assert wrong.status == 422 and "Only a new order can be confirmed." in await wrong.text()
    assert (await act(desk, number, "explode")).status == 422


async def test_cancelling_returns_the_stock(app_client, catalogue: Catalogue):
    desk, _ = await staff_client(app_client)  # the app opens the database
    before = await stock_of(catalogue.filter_bosch)
    _, number = await customer_order(app_client, catalogue, quantity=3)
    assert await stock_of(catalogue.filter_bosch) == before - 3

    cancelled = await act(desk, number, "cancel", note="Customer asked by phone")
    assert cancelled.status == 303
    assert await stock_of(catalogue.filter_bosch) == before
    assert "Cancelled" in await (await desk.get(f"/staff/orders/{number}")).text()


async def test_customers_and_visitors_cannot_use_the_desk(app_client, catalogue: Catalogue):
    from core.orders.models import Order

    customer, number = await customer_order(app_client, catalogue)
    for path in ("/staff/orders", f"/staff/orders/{number}", "/staff/customers/1/data"):
        assert (await customer.get(path, allow_redirects=False)).status == 403, path
    token = re.search(r'name="csrf_token" value="([^"]+)"', await (await customer.get("/cart")).text()).group(1)
    forged = await customer.post(f"/staff/orders/{number}", data={"csrf_token": token, "action": "cancel"},
                                 allow_redirects=False)
    assert forged.status == 403
    assert (await Order.get(number=number)).status == "new"

    visitor = await app_client()
    answer = await visitor.get("/staff/orders", allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"].startswith("/sign-in?next=")


async def test_a_staff_action_needs_the_csrf_token(app_client, catalogue: Catalogue):
    from core.orders.models import Order

    _, number = await customer_order(app_client, catalogue)
    desk, _ = await staff_client(app_client)
    refused = await desk.post(f"/staff/orders/{number}", data={"action": "confirm"}, allow_redirects=False)
    assert refused.status == 403
    assert (await Order.get(number=number)).status == "new"


async def test_a_customer_data_export_needs_a_reason_and_is_audited(app_client, catalogue: Catalogue):
    from core.customers.models import AuditEvent, Customer

    await customer_order(app_client, catalogue)
    desk, staff = await staff_client(app_client)
    customer = await Customer.get(email="olena@example.com")
    path = f"/staff/customers/{customer.id}/data"

    refused = await post_form(desk, path, {"reason": ""})
    assert refused.status == 422
    assert await AuditEvent.filter(event="staff_data_view").count() == 0

    export = await post_form(desk, path, {"reason": "Police request 2026/117"})
    assert export.status == 200 and export.headers["Cache-Control"] == "no-store"
    assert "attachment" in export.headers["Content-Disposition"]
    data = json.loads(await export.text())
    assert "olena@example.com" in json.dumps(data)
    audit = await AuditEvent.get(event="staff_data_view")
    assert audit.customer_id == customer.id and audit.actor == f"staff:{staff.id}"
    assert audit.detail["reason"] == "Police request 2026/117"


async def test_each_look_at_an_order_with_the_customers_contact_is_audited(app_client, catalogue: Catalogue):
    from core.customers.models import AuditEvent

    customer, number = await customer_order(app_client, catalogue)
    desk, staff = await staff_client(app_client)
    assert (await desk.get(f"/staff/orders/{number}")).status == 200
    looks = await AuditEvent.filter(event="staff_order_view")
    assert [(e.actor, e.detail["order"], e.detail["reason"]) for e in looks] == [
        (f"staff:{staff.id}", number, "order fulfilment")]
    assert looks[0].customer_id != staff.id  # in the customer's own trail, which their export shows
    assert (await desk.get("/staff/orders")).status == 200  # the list shows no contact: no entry
    assert await AuditEvent.filter(event="staff_order_view").count() == 1
