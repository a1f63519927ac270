"""P9 in the personal cabinet, end to end: the export file holds everything stored (reviews and
disclosures to processors included); deleting the account from one device signs out every
device, takes the customer's reviews off the shop, keeps the order only with accounting data,
and sends a last message to the old address; a phone change needs the password and is told to
the old number."""

from __future__ import annotations

import json

from tests.web.conftest import Catalogue, sign_in_as, whoami
from tests.web.test_account_pages import profile, signed_in_client
from tests.web.test_auth_pages import PASSWORD, field_error, post_form


async def delivered_order(customer, part_id: int):
    from core.orders.models import Channel, DeliveryMethod, Order, OrderLine, PaymentMethod, PaymentState
    from core.privacy.models import Disclosure

    order = await Order.create(
        number="GS-2611-P9P9", customer=customer, channel=Channel.WEB, currency="EUR", subtotal=3450,
        shipping_price=500, total=3950, contact_name="Koval Olena", contact_phone="+380501234567",
        contact_email="olena@example.com", delivery_method=DeliveryMethod.COURIER,
        delivery_address="UA, Kyiv, Khreshchatyk 1", payment_method=PaymentMethod.CASH,
        payment_state=PaymentState.NOT_REQUIRED, status="delivered")
    await OrderLine.create(order=order, part_id=part_id, brand="TRW", article="GDB1550", name="Brake pad set",
                           unit_price=3450, quantity=1, line_total=3450)
    await Disclosure.create(processor="Nova Poshta", fields_sent=["name", "phone"], customer=customer, order=order)
    return order


async def test_export_then_delete_from_one_device_ends_everything(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review
    from core.customers.models import Customer, Session
    from core.notifications.models import OutboxMessage
    from core.orders.models import Order

    laptop, customer = await signed_in_client(app_client)
    phone = await app_client()
    await sign_in_as(phone, customer)
    order = await delivered_order(customer, catalogue.pads)
    review = await post_form(phone, f"/part/{catalogue.pads}/reviews",
                             {"display_name": "Wheels", "rating": "5", "text": "Great pads."},
                             token_from=f"/part/{catalogue.pads}")
    assert review.status == 303

    exported = await post_form(laptop, "/account/data", {})
    data = json.loads(await exported.read())
    assert (data["profile"]["email"], data["profile"]["phone"]) == ("olena@example.com", "+380501234567")
    assert [o["number"] for o in data["orders"]] == ["GS-2611-P9P9"]
    assert [(r["display_name"], r["text"]) for r in data["reviews"]] == [("Wheels", "Great pads.")]
    assert [(d["processor"], d["fields_sent"]) for d in data["disclosures"]] == [("Nova Poshta", ["name", "phone"])]
    assert data["sessions"] == {"active": 2}

    deleted = await post_form(laptop, "/account/delete", {"password": PASSWORD, "confirm": "1"})
    assert deleted.status == 303
    assert await whoami(laptop) == "anonymous" and await whoami(phone) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0
    assert "Wheels" not in await (await phone.get(f"/part/{catalogue.pads}")).text()
    assert not await Review.exists()
    kept = await Order.get(id=order.id)
    assert (kept.number, kept.total, kept.contact_name, kept.contact_phone, kept.delivery_address) == (
        "GS-2611-P9P9", 3950, "", "", "")
    stored = await Customer.get(id=customer.id)
    assert (stored.status, stored.email, stored.phone, stored.first_name) == ("deleted", None, None, "")
    farewell = await OutboxMessage.get(kind="account_deleted")
    assert farewell.recipient == "olena@example.com"


async def test_a_phone_change_needs_the_password_and_is_told_to_the_old_number(app_client):
    from core.customers.models import Customer
    from core.notifications.models import OutboxMessage

    client, customer = await signed_in_client(app_client)
    refused = await post_form(client, "/account/profile", profile(phone="+380671112233"))
    assert refused.status == 422 and field_error(await refused.text(), "password")
    assert (await Customer.get(id=customer.id)).phone == "+380501234567"
    assert not await OutboxMessage.filter(kind="phone_changed").exists()

    done = await post_form(client, "/account/profile", profile(phone="+380671112233", password=PASSWORD))
    assert done.status == 303
    assert (await Customer.get(id=customer.id)).phone == "+380671112233"
    told = await OutboxMessage.get(kind="phone_changed", channel="sms")  # the old number; the email goes too
    assert (told.channel, told.recipient) == ("sms", "+380501234567")
