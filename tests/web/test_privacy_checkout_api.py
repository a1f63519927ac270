"""P5 through the JSON API: a signed-in customer's order carries only the cart and choices. A
body that tries to send a name, phone, email or address is refused and places nothing; the
order's contact is taken from the account on the server."""

from __future__ import annotations

import uuid

from tests.web.conftest import Catalogue
from tests.web.test_api import matches, registered


async def test_an_order_carries_only_choices_and_contact_comes_from_the_account(app_client, catalogue: Catalogue):
    from core.orders.models import Order

    api, signed_in = await registered(app_client)
    await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 1})
    sneaky = [
        {"delivery": {"method": "pickup"}, "payment": {"method": "cash"}, "contact_name": "Someone Else"},
        {"delivery": {"method": "pickup", "phone": "+380671234567"}, "payment": {"method": "cash"}},
        {"delivery": {"method": "courier", "address": "Soborna 12"}, "payment": {"method": "cash"}},
        {"delivery": {"method": "pickup"}, "payment": {"method": "cash", "email": "x@example.com"}},
    ]
    for body in sneaky:
        status, answer = await api.call("POST", "/orders", body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert status == 400 and "Unknown field." in answer["error"]["fields"].values(), (body, answer)
    assert not await Order.exists()

    status, placed = await api.call("POST", "/orders", {"delivery": {"method": "pickup"},
                                                        "payment": {"method": "cash"}},
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, placed
    number = matches("PlacedOrder", placed)["order"]["number"]
    order = await Order.get(number=number)
    customer = signed_in["customer"]
    assert order.customer_id == customer["id"]
    assert (order.contact_email, order.contact_phone) == (customer["email"], customer["phone"])
