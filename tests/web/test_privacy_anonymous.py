"""P1: a visitor without an account chooses a vehicle, searches, reads part pages and fills a
cart, and the shop stores nothing personal about them: no customer, no session, no audit or
access-log row, no full IP address anywhere, the cart only under the hash of its random token.
Ordering, order history and writing a review need an account."""

from __future__ import annotations

import hashlib

from tests.web.conftest import Catalogue
from tests.web.test_auth_pages import post_form
from tests.web.test_privacy_card_data import every_table_as_text

IP = "203.0.113.77"
BROWSER = {"X-Forwarded-For": IP, "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}


async def test_an_anonymous_visitor_leaves_no_personal_data(app_client, catalogue: Catalogue, db_url):
    from core.carts.models import Cart, CartLine
    from core.customers.models import AuditEvent, Customer, Session
    from core.privacy.models import AccessLog, VisitStat

    client = await app_client(web={"behind_proxy": True})
    for path in ("/", f"/vehicle?vehicle={catalogue.golf}", "/search?q=0986452041", "/search?q=brake pads",
                 "/category/oil-filters", f"/part/{catalogue.filter_bosch}", f"/part/{catalogue.pads}", "/privacy"):
        response = await client.get(path, headers=BROWSER)
        assert response.status == 200, path
    token = (await client.get(f"/part/{catalogue.pads}", headers=BROWSER)).cookies  # csrf cookie only
    assert "session" not in token
    added = await post_form(client, "/cart/add", {"part_id": str(catalogue.pads), "quantity": "2"},
                            token_from=f"/part/{catalogue.pads}")
    assert added.status == 303
    cart_page = await client.get("/cart", headers=BROWSER)
    assert "GDB1550" in await cart_page.text()

    assert await Customer.all().count() == 0
    assert await Session.all().count() == 0
    assert await AuditEvent.all().count() == 0 and await AccessLog.all().count() == 0
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cart"].value
    cart = await Cart.get()
    assert cart.customer_id is None and cart.token_hash != cookie
    assert cart.token_hash == hashlib.sha256(cookie.encode()).hexdigest()
    assert [(line.part_id, line.quantity) for line in await CartLine.all()] == [(catalogue.pads, 2)]
    prefixes = {row.ip_prefix for row in await VisitStat.all()}  # aggregate, truncated to the network
    assert "203.0.113.0" in prefixes and all(prefix.endswith(".0") for prefix in prefixes)

    stored, _ = await every_table_as_text(db_url.kind)
    assert IP not in stored and cookie not in stored


async def test_orders_history_and_reviews_need_an_account(app_client, catalogue: Catalogue):
    from core.catalogue.models import Review
    from core.orders.models import Order

    client = await app_client()
    for path in ("/account", "/account/orders", "/account/data"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"].startswith("/sign-in?next="), path
    await post_form(client, "/cart/add", {"part_id": str(catalogue.pads), "quantity": "1"},
                    token_from=f"/part/{catalogue.pads}")
    to_checkout = await post_form(client, "/checkout", {"delivery": "pickup", "payment": "cash"})
    assert to_checkout.status == 303 and to_checkout.headers["Location"].startswith("/sign-in?next=/checkout")
    review = await post_form(client, f"/part/{catalogue.pads}/reviews",
                             {"display_name": "Anon", "rating": "5", "text": "Good."},
                             token_from=f"/part/{catalogue.pads}")
    assert review.status == 303 and review.headers["Location"].startswith("/sign-in?next=")
    assert not await Order.exists() and not await Review.exists()
