"""The JSON API under /api/v1 on the real app (SQLite and PostgreSQL): each route's happy path and
its errors, the purchase flow with an Idempotency-Key, CSRF, and other customers' orders.

Every successful body is checked against the schema the OpenAPI document publishes for it.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from aiohttp.test_utils import TestClient

from web.api.schemas import COMPONENTS
from web.api.validation import validate

PASSWORD = "correct horse battery staple"
JSON = {"Content-Type": "application/json"}


class Api:
    """A JSON client of /api/v1 that carries the session's CSRF token like a browser script would."""

    def __init__(self, client: TestClient, *, language: str = "en"):
        self.client = client
        self.language = language
        self.token = ""

    async def session(self) -> dict[str, Any]:
        status, body = await self.call("GET", "/session")
        assert status == 200, body
        self.token = body["csrf_token"]
        return body

    async def call(self, method: str, path: str, json: Any = None, *, headers: dict[str, str] | None = None,
                   data: bytes | str | None = None, csrf: bool = True) -> tuple[int, Any]:
        sent = {"Accept-Language": self.language, **(headers or {})}
        if csrf and method not in ("GET", "HEAD") and "X-CSRF-Token" not in sent:
            if not self.token:
                await self.session()
            sent["X-CSRF-Token"] = self.token
        kwargs: dict[str, Any] = {"headers": sent}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        response = await self.client.request(method, "/api/v1" + path, **kwargs)
        self.last = response
        body = await response.json() if response.content_type == "application/json" else await response.text()
        if isinstance(body, dict) and "csrf_token" in body:
            self.token = body["csrf_token"]  # sign-in and sign-out start a new session
        return response.status, body


def matches(schema_name: str, body: Any) -> Any:
    """The body, after checking it against the published schema (raises on any difference)."""
    validate({"$ref": f"#/components/schemas/{schema_name}"}, body, COMPONENTS)
    return body


def assert_error(body: Any, code: str | None = None) -> dict[str, Any]:
    matches("Error", body)
    if code is not None:
        assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]


def fresh_key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def registration(**changes: Any) -> dict[str, Any]:
    unique = uuid.uuid4().hex[:8]
    data = {
        "last_name": "Koval",
        "first_name": "Olena",
        "phone": f"+38050{int(unique, 16) % 10_000_000:07d}",
        "email": f"olena.{unique}@example.com",
        "password": PASSWORD,
        "age_confirmed": True,
        "privacy_accepted": True,
    }
    data.update(changes)
    return data


async def registered(app_client, **changes: Any) -> tuple[Api, dict[str, Any]]:
    api = Api(await app_client())
    status, body = await api.call("POST", "/auth/register", registration(**changes))
    assert status == 201, body
    return api, matches("SignedIn", body)


# ---------------------------------------------------------------- session and catalogue


async def test_session_tells_who_is_signed_in_and_the_language(app_client):
    api = Api(await app_client(), language="uk-UA,uk;q=0.9")
    body = matches("Session", await api.session())
    assert body["customer"] is None
    assert body["locale"] == "uk"
    assert len(body["csrf_token"]) >= 32
    assert api.last.headers["Cache-Control"] == "no-store"


async def test_makes_models_and_vehicles(app_client, catalogue):
    api = Api(await app_client())
    status, makes = await api.call("GET", "/makes")
    assert status == 200
    assert [m["name"] for m in matches("MakeList", makes)["items"]] == ["Ford", "Volkswagen"]

    status, models = await api.call("GET", f"/makes/{catalogue.make_vw}/models")
    assert [m["name"] for m in matches("VehicleModelList", models)["items"]] == ["Golf", "Polo"]

    status, vehicles = await api.call("GET", f"/models/{catalogue.model_golf}/vehicles")
    [golf] = matches("VehicleList", vehicles)["items"]
    assert golf["id"] == catalogue.golf
    assert golf["label"].startswith("Volkswagen Golf VII (5G1)")

    for path in ("/makes/999999/models", "/models/999999/vehicles", "/makes/abc/models",
                 "/makes/0/models", "/models/99999999999999999999/vehicles"):
        status, body = await api.call("GET", path)
        assert status == 404, path
        assert_error(body, "not_found")


async def test_search_by_article_finds_analogues_and_marks_what_fits(app_client, catalogue):
    api = Api(await app_client())
    status, page = await api.call("GET", "/parts?q=0986452041")
    assert status == 200
    cards = {c["id"]: c for c in matches("PartPage", page)["items"]}
    assert set(cards) == {catalogue.filter_bosch, catalogue.filter_mann}
    assert cards[catalogue.filter_mann]["is_analogue"] is True
    assert cards[catalogue.filter_bosch]["fits"] is None

    status, page = await api.call("GET", f"/parts?vehicle={catalogue.focus}")
    assert [c["id"] for c in matches("PartPage", page)["items"]] == [catalogue.pads]
    assert page["items"][0]["fits"] is True

    status, page = await api.call("GET", "/parts?category=brake-pads&page=1&per_page=5")
    assert status == 200 and page["total"] == 1 and page["per_page"] == 5

    status, page = await api.call("GET", "/parts?page=2&per_page=1")
    assert status == 200 and page["page"] == 2 and len(page["items"]) == 1


BAD_SEARCHES = [
        ("page=0", 422, "page"),
        ("page=abc", 400, "page"),
        ("page=1.5", 400, "page"),
        ("page=1&page=2", 400, "page"),
        ("vehicle=999999", 422, "vehicle"),
        ("vehicle=-3", 422, "vehicle"),
        ("category=no-such-thing", 422, "category"),
        ("colour=red", 400, "colour"),
        ("q=" + "x" * 201, 422, "q"),
        ("q=%00", 422, "q"),
        ("per_page=1000", 422, "per_page"),
]


async def test_search_refuses_bad_parameters(app_client, catalogue):
    api = Api(await app_client())
    for query, status, field in BAD_SEARCHES:
        got, body = await api.call("GET", f"/parts?{query}")
        assert got == status, (query, body)
        assert field in assert_error(body)["fields"], (query, body)


async def test_part_details_with_fit_and_analogues(app_client, catalogue):
    api = Api(await app_client())
    status, body = await api.call("GET", f"/parts/{catalogue.filter_bosch}?vehicle={catalogue.golf}")
    assert status == 200
    details = matches("PartDetails", body)
    assert details["part"]["brand"] == "BOSCH" and details["part"]["price"] == 1250
    assert details["fits"] is True
    assert {v["id"] for v in details["vehicles"]} == {catalogue.golf, catalogue.polo}
    assert [a["id"] for a in details["analogues"]] == [catalogue.filter_mann]
    assert "VAG 03C115561H" in details["oe_numbers"]

    status, body = await api.call("GET", f"/parts/{catalogue.pads}?vehicle={catalogue.golf}")
    assert body["fits"] is False
    status, body = await api.call("GET", f"/parts/{catalogue.pads}")
    assert body["fits"] is None

    status, body = await api.call("GET", "/parts/999999")
    assert status == 404
    assert_error(body, "not_found")


# ---------------------------------------------------------------- cart


async def test_anonymous_cart_add_change_remove(app_client, catalogue):
    client = await app_client()
    api = Api(client)
    status, cart = await api.call("GET", "/cart")
    assert status == 200 and matches("Cart", cart)["count"] == 0
    assert cart["currency"] == "EUR"  # an empty cart's total is still in the shop's currency
    assert "cart" not in {c.key for c in client.session.cookie_jar}  # nothing created by looking

    status, cart = await api.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch, "quantity": 2})
    assert status == 200, cart
    assert matches("Cart", cart)["count"] == 2 and cart["subtotal"] == 2500
    assert "cart" in {c.key for c in client.session.cookie_jar}

    status, cart = await api.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch, "quantity": 1})
    assert cart["lines"][0]["quantity"] == 3

    status, cart = await api.call("PATCH", f"/cart/lines/{catalogue.filter_bosch}", {"quantity": 5})
    assert status == 200 and cart["lines"][0]["line_total"] == 6250

    status, cart = await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 1})
    status, cart = await api.call("DELETE", f"/cart/lines/{catalogue.pads}")
    assert status == 200
    assert [line["part_id"] for line in matches("Cart", cart)["lines"]] == [catalogue.filter_bosch]

    status, cart = await api.call("PATCH", f"/cart/lines/{catalogue.filter_bosch}", {"quantity": 0})
    assert status == 200 and cart["lines"] == []


BAD_LINES = [
        ({"part_id": "1", "quantity": 1}, 400, "part_id"),
        ({"part_id": 1, "quantity": 1.0}, 400, "quantity"),
        ({"part_id": 1, "quantity": True}, 400, "quantity"),
        ({"part_id": 1, "quantity": 1, "price": 1}, 400, "price"),
        ({"part_id": 1}, 422, "quantity"),
        ({"part_id": 1, "quantity": 0}, 422, "quantity"),
        ({"part_id": 1, "quantity": 100}, 422, "quantity"),
        ({"part_id": 0, "quantity": 1}, 422, "part_id"),
        ({"part_id": 2**40, "quantity": 1}, 422, "part_id"),
]


async def test_cart_line_input_is_checked_strictly(app_client, catalogue):
    api = Api(await app_client())
    for body, status, field in BAD_LINES:
        got, answer = await api.call("POST", "/cart/lines", body)
        assert got == status, (body, answer)
        assert field in assert_error(answer)["fields"], (body, answer)
    got, cart = await api.call("GET", "/cart")
    assert cart["count"] == 0


async def test_cart_refuses_what_cannot_be_bought(app_client, catalogue):
    api = Api(await app_client())
    status, body = await api.call("POST", "/cart/lines", {"part_id": catalogue.out_of_stock, "quantity": 1})
    assert status == 422 and "quantity" in assert_error(body)["fields"]
    status, body = await api.call("POST", "/cart/lines", {"part_id": 999999, "quantity": 1})
    assert status == 404
    assert_error(body, "not_found")
    status, body = await api.call("PATCH", f"/cart/lines/{catalogue.pads}", {"quantity": 1})
    assert status == 404  # no cart at all yet
    assert_error(body, "not_found")
    status, body = await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 4})
    assert status == 422  # only 3 in stock


# ---------------------------------------------------------------- register, sign in, sign out


async def test_register_signs_in_and_moves_the_anonymous_cart(app_client, catalogue):
    client = await app_client()
    api = Api(client)
    await api.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch, "quantity": 1})
    status, body = await api.call("POST", "/auth/register", registration(email="new.buyer@example.com"))
    assert status == 201, body
    assert matches("SignedIn", body)["customer"]["email"] == "new.buyer@example.com"
    assert body["cart"]["added"] and "Oil filter" in body["cart"]["added"][0]
    session = matches("Session", await api.session())
    assert session["customer"]["id"] == body["customer"]["id"]
    status, cart = await api.call("GET", "/cart")
    assert cart["count"] == 1

    status, body = await api.call("POST", "/auth/logout")
    assert status == 200 and matches("SignedOut", body)
    assert (await api.session())["customer"] is None


async def test_register_reports_every_bad_field(app_client):
    api = Api(await app_client())
    status, body = await api.call("POST", "/auth/register", registration(
        email="not-an-email", password="short", age_confirmed=False,
        address={"city": "Kyiv", "street": "x" * 300}))
    assert status == 422
    fields = assert_error(body)["fields"]
    assert {"email", "password", "age_confirmed", "address.street"} <= set(fields)

    status, body = await api.call("POST", "/auth/register", {"email": 5, "nickname": "x"})
    assert status == 400
    assert {"email", "nickname"} <= set(assert_error(body, "malformed")["fields"])

    status, _body = await api.call("POST", "/auth/register", registration(email="taken@example.com"))
    assert status == 201
    other = Api(await app_client())
    status, body = await other.call("POST", "/auth/register", registration(email="taken@example.com"))
    assert status in (409, 422)
    assert "email" in assert_error(body)["fields"]


async def test_login_same_answer_for_unknown_email_and_wrong_password(app_client):
    api, signed = await registered(app_client)
    email = signed["customer"]["email"]
    await api.call("POST", "/auth/logout")

    attempt = {"email": email, "password": "wrong password!!"}
    status_wrong, wrong = await api.call("POST", "/auth/login", attempt)
    unknown_email = {**attempt, "email": "nobody@example.com"}
    status_unknown, unknown = await api.call("POST", "/auth/login", unknown_email)
    assert status_wrong == status_unknown == 422
    assert wrong == unknown
    assert (await api.session())["customer"] is None

    status, body = await api.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    assert status == 200
    assert matches("SignedIn", body)["customer"]["email"] == email


async def test_login_is_throttled_with_retry_after(app_client):
    api = Api(await app_client(web={"login_attempts_per_hour_per_ip": 2}))
    for _ in range(2):
        status, _body = await api.call("POST", "/auth/login", {"email": "a@example.com", "password": "x"})
        assert status == 422
    status, body = await api.call("POST", "/auth/login", {"email": "a@example.com", "password": "x"})
    assert status == 429
    assert_error(body, "throttled")
    assert int(api.last.headers["Retry-After"]) > 0


async def test_registration_is_throttled_per_address(app_client):
    api = Api(await app_client(web={"registrations_per_hour_per_ip": 1}))
    status, _body = await api.call("POST", "/auth/register", registration())
    assert status == 201
    status, body = await api.call("POST", "/auth/register", registration())
    assert status == 429
    assert_error(body, "throttled")
    assert int(api.last.headers["Retry-After"]) > 0


async def test_session_cookie_changes_at_sign_in(app_client):
    api, _ = await registered(app_client)
    before = {c.key: c.value for c in api.client.session.cookie_jar}["session"]
    email = (await api.session())["customer"]["email"]
    status, _body = await api.call("POST", "/auth/login", {"email": email, "password": PASSWORD})
    after = {c.key: c.value for c in api.client.session.cookie_jar}["session"]
    assert status == 200 and before != after


# ---------------------------------------------------------------- orders


async def _buy(api: Api, part_id: int, key: str, **delivery: Any) -> tuple[int, Any]:
    await api.call("POST", "/cart/lines", {"part_id": part_id, "quantity": 1})
    body = {"delivery": {"method": "pickup", **delivery}, "payment": {"method": "cash"}}
    return await api.call("POST", "/orders", body, headers={"Idempotency-Key": key})


async def test_order_flow_with_idempotency_key_places_one_order(app_client, catalogue):
    api, _ = await registered(app_client)
    key = str(uuid.uuid4())
    status, first = await _buy(api, catalogue.filter_bosch, key)
    assert status == 201, first
    order = matches("PlacedOrder", first)["order"]
    assert order["status"] == "new" and order["total"] == 1250
    assert [line["part_id"] for line in order["lines"]] == [catalogue.filter_bosch]

    body = {"delivery": {"method": "pickup"}, "payment": {"method": "cash"}}
    status, again = await api.call("POST", "/orders", body, headers={"Idempotency-Key": key})
    assert status == 201 and again["order"]["number"] == order["number"]

    status, orders = await api.call("GET", "/orders")
    assert [o["number"] for o in matches("OrderList", orders)["items"]] == [order["number"]]
    status, one = await api.call("GET", f"/orders/{order['number']}")
    assert status == 200 and matches("Order", one)["lines"][0]["brand"] == "BOSCH"
    status, cart = await api.call("GET", "/cart")
    assert cart["count"] == 0 and matches("Cart", cart)["currency"] == "EUR"


async def test_card_order_answers_where_to_pay(app_client, catalogue):
    api, _ = await registered(app_client)
    await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 1})
    body = {"delivery": {"method": "carrier", "carrier_city": "Kyiv", "carrier_branch": "12"},
            "payment": {"method": "card", "provider": "sandbox"}}
    status, placed = await api.call("POST", "/orders", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 201, placed
    order = matches("PlacedOrder", placed)["order"]
    assert order["payment"] == {"method": "card", "provider": "sandbox", "state": "pending"}
    assert order["delivery"]["carrier_branch"] == "12"
    assert order["total"] == 3450 + 300  # carrier price from the default settings
    url = urlsplit(placed["payment_url"])
    page = await api.client.get(f"{url.path}?{url.query}")
    assert page.status == 200  # the sandbox bank's page for this payment
    assert "sandbox" in url.path or "bank" in url.path


async def test_order_needs_a_key_a_cart_and_good_choices(app_client, catalogue):
    api, _ = await registered(app_client)
    body = {"delivery": {"method": "pickup"}, "payment": {"method": "cash"}}
    status, answer = await api.call("POST", "/orders", body)
    assert status == 400 and "Idempotency-Key" in assert_error(answer)["fields"]
    status, answer = await api.call("POST", "/orders", body, headers={"Idempotency-Key": "short"})
    assert status == 400
    status, answer = await api.call("POST", "/orders", body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert status == 422  # empty cart
    assert_error(answer)

    await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 1})
    cases = [
        ({"delivery": {"method": "teleport"}, "payment": {"method": "cash"}}, 422, "delivery.method"),
        ({"delivery": {"method": "courier"}, "payment": {"method": "cash"}}, 422, "delivery.address_id"),
        ({"delivery": {"method": "courier", "address_id": 999999}, "payment": {"method": "cash"}}, 422,
         "delivery.address_id"),
        ({"delivery": {"method": "carrier", "carrier_city": "Kyiv"}, "payment": {"method": "cash"}}, 422,
         "delivery.carrier_branch"),
        ({"delivery": {"method": "pickup"}, "payment": {"method": "card", "provider": "nope"}}, 422,
         "payment"),
        ({"delivery": {"method": "pickup"}}, 422, "payment"),
        ({"delivery": {"method": "pickup", "address_id": "1"}, "payment": {"method": "cash"}}, 400,
         "delivery.address_id"),
        ({"delivery": "pickup", "payment": {"method": "cash"}}, 400, "delivery"),
    ]
    for payload, status, field in cases:
        got, answer = await api.call("POST", "/orders", payload, headers=fresh_key())
        assert got == status, (payload, answer)
        assert field in assert_error(answer)["fields"], (payload, answer)
    status, orders = await api.call("GET", "/orders")
    assert orders["items"] == []


async def test_orders_need_sign_in(app_client):
    api = Api(await app_client())
    for method, path in (("GET", "/orders"), ("GET", "/orders/GS-2345-6789"), ("POST", "/orders")):
        status, body = await api.call(method, path, {} if method == "POST" else None,
                                      headers={"Idempotency-Key": str(uuid.uuid4())})
        assert status == 401, (method, path)
        assert_error(body, "not_signed_in")


async def test_another_customers_order_is_not_found(app_client, catalogue):
    owner, _ = await registered(app_client)
    status, placed = await _buy(owner, catalogue.filter_bosch, str(uuid.uuid4()))
    number = placed["order"]["number"]
    other, _ = await registered(app_client)
    status, body = await other.call("GET", f"/orders/{number}")
    assert status == 404
    assert_error(body, "not_found")
    status, body = await other.call("GET", "/orders")
    assert body["items"] == []
    for weird in ("%00", "x" * 30, "GS-0000-0000"):
        status, body = await other.call("GET", f"/orders/{weird}")
        assert status == 404, weird


async def test_reusing_another_customers_key_is_a_conflict(app_client, catalogue):
    key = str(uuid.uuid4())
    owner, _ = await registered(app_client)
    assert (await _buy(owner, catalogue.filter_bosch, key))[0] == 201
    other, _ = await registered(app_client)
    status, body = await _buy(other, catalogue.filter_mann, key)
    assert status == 409
    assert_error(body, "conflict")


# ---------------------------------------------------------------- CSRF, origin and errors


async def test_unsafe_requests_need_the_csrf_token_and_our_origin(app_client, catalogue):
    api = Api(await app_client())
    await api.session()
    line = {"part_id": catalogue.filter_bosch, "quantity": 1}
    status, body = await api.call("POST", "/cart/lines", line, csrf=False)
    assert status == 403
    assert_error(body, "csrf")
    status, body = await api.call("POST", "/cart/lines", line, headers={"X-CSRF-Token": "forged" * 7})
    assert status == 403
    status, body = await api.call("POST", "/cart/lines", line, headers={"Origin": "https://evil.example"})
    assert status == 403
    assert_error(body, "origin")
    status, cart = await api.call("GET", "/cart")
    assert cart["count"] == 0 and matches("Cart", cart)["currency"] == "EUR"
    ours = str(api.client.make_url("/")).rstrip("/")
    status, body = await api.call("POST", "/cart/lines", line, headers={"Origin": ours})
    assert status == 200, body


async def test_protocol_errors_have_the_error_shape(app_client, catalogue):
    api = Api(await app_client(web={"max_body_kb": 1}))
    status, body = await api.call("GET", "/nowhere")
    assert status == 404
    assert_error(body, "not_found")
    status, body = await api.call("PUT", "/cart", {})
    assert status == 405
    assert_error(body)
    status, body = await api.call("DELETE", "/makes")
    assert status == 405 and "GET" in api.last.headers["Allow"]
    status, body = await api.call("POST", "/cart/lines", data=b'{"part_id": 1', headers=JSON)
    assert status == 400
    assert_error(body, "malformed")
    status, body = await api.call("POST", "/cart/lines", data=b"part_id=1&quantity=1",
                                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415
    assert_error(body, "unsupported_media_type")
    status, body = await api.call("POST", "/cart/lines", data=b'{"a": "' + b"x" * 4000 + b'"}', headers=JSON)
    assert status == 413
    assert_error(body)
    status, body = await api.call("POST", "/cart/lines", data=b"[1, 2]", headers=JSON)
    assert status == 400
    status, body = await api.call("POST", "/auth/logout", {"unexpected": True})
    assert status == 400


async def test_an_unexpected_failure_is_a_500_in_the_error_shape_without_details(app_client):
    async def broken(request):
        raise RuntimeError("secret detail: db password is hunter2")

    client = await app_client(lambda app: app.router.add_get("/api/v1/_broken", broken))
    status, body = await Api(client, language="es").call("GET", "/_broken")
    assert status == 500
    error = assert_error(body, "server_error")
    assert "hunter2" not in str(body)
    assert error["message"] != "Something went wrong on our side. Please try again."  # in Spanish


async def test_error_messages_follow_the_language(app_client, catalogue):
    english = Api(await app_client())
    ukrainian = Api(await app_client(), language="uk")
    _, en = await english.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch})
    _, uk = await ukrainian.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch})
    assert en["error"]["code"] == uk["error"]["code"] == "invalid"
    assert en["error"]["message"] != uk["error"]["message"]
    assert en["error"]["fields"]["quantity"] == "This field is required."
    assert uk["error"]["fields"]["quantity"] != "This field is required."
    _, uk_missing = await ukrainian.call("GET", "/nowhere")
    assert uk_missing["error"]["message"] != "Not found."
