"""Dates and times on the web pages are on the shop's clock (`[shop] timezone`), stored times stay UTC
(SQLite and PostgreSQL): the customer's order page and order list, the staff desk, the data export's
file name; the JSON API keeps ISO 8601 with its offset. The default clock is UTC.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.web.conftest import Catalogue, make_customer, sign_in_as
from tests.web.test_auth_pages import post_form
from tests.web.test_checkout_pages import ORDER_PATH, add_to_cart, buy
from tests.web.test_staff_pages import STAFF_EMAIL

# A winter evening order that is already the next day in Kyiv (UTC+2), confirmed on a summer
# afternoon (Kyiv is UTC+3 then).
PLACED = dt.datetime(2026, 1, 15, 22, 30, tzinfo=dt.UTC)
CONFIRMED = dt.datetime(2026, 7, 15, 17, 0, tzinfo=dt.UTC)
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM

CLOCKS = {
    "Europe/Kyiv": {"placed": f"Jan 16, 2026, 12:30:00{NNBSP}AM", "day": "Jan 16, 2026",
                    "confirmed": f"Jul 15, 2026, 8:00:00{NNBSP}PM"},
    "UTC": {"placed": f"Jan 15, 2026, 10:30:00{NNBSP}PM", "day": "Jan 15, 2026",
            "confirmed": f"Jul 15, 2026, 5:00:00{NNBSP}PM"},
}


async def placed_and_confirmed(app_client, catalogue: Catalogue, **sections):
    """A customer's order placed at PLACED and confirmed by staff at CONFIRMED: (customer, desk, number)."""
    from core.orders.models import Order, OrderEvent

    customer = await app_client(**sections)
    await sign_in_as(customer, await make_customer())
    await add_to_cart(customer, catalogue.filter_bosch, 1)
    placed = await buy(customer, delivery="pickup", payment="cash")
    assert placed.status == 303, await placed.text()
    number = ORDER_PATH.match(placed.headers["Location"]).group(1)
    desk = await app_client(**sections)
    await sign_in_as(desk, await make_customer(email=STAFF_EMAIL, phone="+380671112233", is_staff=True))
    assert (await post_form(desk, f"/staff/orders/{number}", {"action": "confirm"})).status == 303
    order = await Order.get(number=number)
    await Order.filter(id=order.id).update(created_at=PLACED)
    await OrderEvent.filter(order_id=order.id, to_status="new").update(created_at=PLACED)
    await OrderEvent.filter(order_id=order.id, to_status="confirmed").update(created_at=CONFIRMED)
    return customer, desk, number


@pytest.mark.parametrize("zone", list(CLOCKS))
async def test_the_customer_and_the_desk_see_order_times_on_the_shops_clock(app_client, catalogue, zone):
    sections = {} if zone == "UTC" else {"shop": {"timezone": zone}}  # UTC: the shipped default
    customer, desk, number = await placed_and_confirmed(app_client, catalogue, **sections)
    expected = CLOCKS[zone]
    other = next(clock for name, clock in CLOCKS.items() if name != zone)

    page = await (await customer.get(f"/orders/{number}")).text()
    listing = await (await customer.get("/account/orders")).text()
    desk_list = await (await desk.get("/staff/orders")).text()
    desk_page = await (await desk.get(f"/staff/orders/{number}")).text()
    for html in (page, desk_page):  # the order's date and its history
        assert expected["placed"] in html and expected["confirmed"] in html
        assert other["placed"] not in html and other["confirmed"] not in html
    assert expected["day"] in listing and other["day"] not in listing
    assert expected["placed"] in desk_list and other["placed"] not in desk_list

    # The API keeps the stored moment with its offset, whatever the shop's clock.
    orders = await (await customer.get("/api/v1/orders")).json()
    [stamp] = [item["created_at"] for item in orders["items"] if item["number"] == number]
    assert dt.datetime.fromisoformat(stamp) == PLACED and dt.datetime.fromisoformat(stamp).utcoffset() is not None


async def test_the_data_export_is_named_after_the_shops_day(app_client):
    # Whatever the hour, one of these two zones is on another day than UTC.
    now = dt.datetime.now(dt.UTC)
    zone = "Pacific/Kiritimati" if now.hour >= 10 else "Etc/GMT+12"  # UTC+14, UTC-12
    client = await app_client(shop={"timezone": zone})
    await sign_in_as(client, await make_customer())
    response = await post_form(client, "/account/data", {})
    assert response.status == 200
    days = {moment.astimezone(ZoneInfo(zone)).date().isoformat() for moment in (now, dt.datetime.now(dt.UTC))}
    assert any(response.headers["Content-Disposition"] == f'attachment; filename="my-data-{day}.json"'
               for day in days), response.headers["Content-Disposition"]
    assert now.date().isoformat() not in days
