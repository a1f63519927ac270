"""Card payments on the web with the built-in sandbox bank (SQLite and PostgreSQL), P14.

The customer places a card order, is sent to the sandbox bank page, pays or declines there; the
bank's answer goes through the same signature check as a provider's notification; the return
page shows the order's payment state. A forged notification is a 400 and changes nothing.
"""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from tests.web.conftest import Catalogue, sign_in_as
from tests.web.test_auth_pages import customer_with_password, post_form
from tests.web.test_checkout_pages import add_to_cart, buy

BANK_PATH = re.compile(r"^/sandbox-bank/(pay-[0-9a-f]+)\?")


async def card_order(app_client, catalogue: Catalogue, **settings):
    """A signed-in customer who just placed a card order: (client, customer, bank page path)."""
    client = await app_client(**settings)
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)
    placed = await buy(client, delivery="pickup", payment="card:sandbox")
    assert placed.status == 303, await placed.text()
    assert BANK_PATH.match(placed.headers["Location"]), placed.headers["Location"]
    return client, customer, placed.headers["Location"]


async def the_order(customer):
    from core.orders.models import Order

    return await Order.get(customer_id=customer.id)


async def answer_the_bank(client, bank_path: str, answer: str):
    page = await client.get(bank_path)
    html = await page.text()
    assert page.status == 200
    action = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return await client.post(action, data={"csrf_token": token, "answer": answer}, allow_redirects=False)


def signed_answer(app, bank_path: str, *, approve: bool) -> dict[str, str]:
    """What the sandbox bank would post to the notify URL (signed with the app's key)."""
    from web import keys

    provider = app[keys.PAYMENT_PROVIDERS]["sandbox"]
    parts = urlsplit(bank_path)
    page = provider.read_page(parts.path.rsplit("/", 1)[1], dict(parse_qsl(parts.query)))
    return provider.bank_answer(page, approve=approve)


async def test_paying_on_the_sandbox_bank_marks_the_order_paid(app_client, catalogue: Catalogue):
    client, customer, bank_path = await card_order(app_client, catalogue)
    page = await client.get(bank_path)
    html = await page.text()
    assert "€37.50" not in html and "€34.50" in html  # pickup: the part only
    assert (await the_order(customer)).payment_state == "pending"

    back = await answer_the_bank(client, bank_path, "pay")
    assert back.status == 303
    order = await the_order(customer)
    assert back.headers["Location"] == f"/payments/return/{order.number}"
    assert order.payment_state == "paid"
    result = await client.get(back.headers["Location"])
    assert result.status == 200 and result.headers["Cache-Control"] == "no-store"
    assert "Thank you! Your payment was received." in await result.text()
    order_page = await (await client.get(f"/orders/{order.number}")).text()
    assert "Paid" in order_page and "Pay now by card" not in order_page


async def test_declining_leaves_the_order_unpaid_and_it_can_be_paid_again(app_client, catalogue: Catalogue):
    client, customer, bank_path = await card_order(app_client, catalogue)
    back = await answer_the_bank(client, bank_path, "decline")
    assert (await the_order(customer)).payment_state == "failed"
    result = await (await client.get(back.headers["Location"])).text()
    assert "The payment did not go through." in result and "Try to pay again" in result

    order = await the_order(customer)
    again = await post_form(client, f"/orders/{order.number}", {})
    assert again.status == 303 and BANK_PATH.match(again.headers["Location"])
    assert again.headers["Location"] != bank_path  # a new payment attempt, a new reference
    await answer_the_bank(client, again.headers["Location"], "pay")
    assert (await the_order(customer)).payment_state == "paid"


async def test_a_forged_notification_is_refused_and_changes_nothing(app_client, catalogue: Catalogue):
    from core.payments.models import PaymentNotification

    client, customer, bank_path = await card_order(app_client, catalogue)
    fields = signed_answer(client.app, bank_path, approve=True)
    forged = dict(fields, signature="0" * 64)
    response = await client.post("/payments/notify/sandbox", data=forged)
    assert response.status == 400
    tampered = dict(fields, amount="1")  # signed for 34.50, claims 0.01
    assert (await client.post("/payments/notify/sandbox", data=tampered)).status == 400
    assert (await the_order(customer)).payment_state == "pending"
    assert await PaymentNotification.all().count() == 0


async def test_a_genuine_notification_is_accepted_once_without_a_csrf_token(app_client, catalogue: Catalogue):
    client, customer, bank_path = await card_order(app_client, catalogue)
    fields = signed_answer(client.app, bank_path, approve=True)
    other_origin = {"Origin": "https://bank.example"}
    first = await client.post("/payments/notify/sandbox", data=fields, headers=other_origin)
    assert first.status == 200 and (await first.json())["result"] == "applied"
    replay = await client.post("/payments/notify/sandbox", data=fields, headers=other_origin)
    assert replay.status == 200 and (await replay.json())["result"] == "duplicate"
    assert (await the_order(customer)).payment_state == "paid"


async def test_notifications_for_an_unknown_provider_are_not_found(app_client):
    client = await app_client()
    assert (await client.post("/payments/notify/nowhere", data={"a": "b"})).status == 404
    assert (await client.get("/payments/notify/sandbox")).status == 405


async def test_a_changed_bank_link_is_refused(app_client, catalogue: Catalogue):
    client, customer, bank_path = await card_order(app_client, catalogue)
    cheaper = re.sub(r"amount=\d+", "amount=1", bank_path)
    assert (await client.get(cheaper)).status == 400
    refused = await post_form(client, cheaper, {"answer": "pay"}, token_from=bank_path)
    assert refused.status == 400
    assert (await the_order(customer)).payment_state == "pending"


async def test_the_bank_wants_pay_or_decline(app_client, catalogue: Catalogue):
    client, customer, bank_path = await card_order(app_client, catalogue)
    response = await answer_the_bank(client, bank_path, "maybe")
    assert response.status == 422
    assert (await the_order(customer)).payment_state == "pending"


async def test_the_sandbox_bank_is_absent_when_not_configured(app_client, catalogue: Catalogue):
    client = await app_client(payments={"providers": ()})
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    await add_to_cart(client, catalogue.pads)
    html = await (await client.get("/checkout")).text()
    assert "card:sandbox" not in html and 'value="cash"' in html
    assert (await client.get("/sandbox-bank/pay-00?amount=1")).status == 404


async def test_the_bank_page_never_sends_the_customer_to_another_site(app_client, catalogue: Catalogue):
    """A link signed for a return address outside the shop is not followed."""
    from web import keys

    client, customer, bank_path = await card_order(app_client, catalogue)
    provider = client.app[keys.PAYMENT_PROVIDERS]["sandbox"]
    order = await the_order(customer)
    from core.payments.models import Payment

    payment = await Payment.filter(order_id=order.id).first()
    evil = await provider.start(payment, order, return_url="https://evil.example/",
                                notify_url="http://127.0.0.1:8080/payments/notify/sandbox")
    path = evil.removeprefix("http://127.0.0.1:8080")
    response = await answer_the_bank(client, path, "decline")
    assert response.status == 422
    assert "evil.example" not in response.headers.get("Location", "")
    assert (await the_order(customer)).payment_state == "pending"
