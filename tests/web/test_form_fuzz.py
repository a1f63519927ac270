"""A client that sends malformed forms to every page route: never a 5xx, always an answer a
person can read, and nothing saved.

The routes come from the app's router and the field names from the templates, so a new form
or a new field is fuzzed without touching this file. Requests carry a valid CSRF token and come
from a signed-in customer. First every known field gets the same bad value at once; then each
field alone gets a value that breaks parsers and databases while the others are empty, so an
error in one field cannot hide what another does (a service checks its text fields first).
"""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp.test_utils import TestClient

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, sqlite_only, whoami
from web.security import UNSAFE_METHODS

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# name="x" in the HTML, m.field(form, "x", ...) in the macros, prefix ~ "x" for address fields.
FIELD_PATTERNS = (r'name="([a-z_]+)"', r'\(form, "([a-z_]+)"', r'prefix ~ "([a-z_]+)"')

BAD_VALUES = ["", " ", "-1", "0", "1e3", "9" * 400, "x" * 3000, "\x00", "a\x00b\x1b[31m", "😀" * 300,
              "<script>alert(1)</script>", "new", "card:nope", "' OR 1=1 --", "１２"]
PATH_VALUES = {"number": "GS-AAAA-BBBB", "reference": "abc", "provider": "sandbox", "review_id": "1"}
# Routes that end the session when they succeed: the client signs in again after them.
SIGNING_OUT = {"sign_out", "account_sessions"}
# One field at a time: a number no database column holds, a NUL byte (PostgreSQL refuses it), length.
ONE_FIELD_VALUES = ["9" * 40, "a\x00", "x" * 3000]
READABLE = re.compile(r'class="(field-error|form-error|error-page|flash)"')


def form_fields() -> set[str]:
    names: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in FIELD_PATTERNS:
            names.update(re.findall(pattern, text))
    names.update("address_" + name for name in ("country", "region", "city", "street", "postcode"))
    names.discard("csrf_token")
    names.discard("viewport")
    return names


def form_routes(client: TestClient, part_id: int) -> list[tuple[str, str, str]]:
    """(method, path, route name) of every unsafe page route (the JSON API is fuzzed elsewhere)."""
    values = PATH_VALUES | {"part_id": str(part_id)}
    found = []
    for route in client.app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if route.method not in UNSAFE_METHODS or canonical.startswith(("/api/", "/_test/")):
            continue
        path = canonical
        path = re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "1"), canonical)  # other ids: 1
        found.append((route.method, path, route.name or canonical))
    # The routes that sign out go last, so most requests run signed in.
    return sorted(found, key=lambda item: item[2] in SIGNING_OUT)


def test_the_fuzzer_knows_the_forms():
    fields = form_fields()
    assert {"email", "password", "quantity", "part_id", "vehicle_id", "address_id", "address_city",
            "delivery", "payment", "idempotency_key", "token", "new_password"} <= fields


@sqlite_only
async def test_malformed_forms_never_cause_a_server_error_and_change_nothing(app_client, catalogue: Catalogue):
    from core.carts.models import CartLine
    from core.customers.models import Address, Customer, GarageVehicle, LegalEntity
    from core.orders.models import Order

    client = await app_client()
    customer = await make_customer()
    await sign_in_as(client, customer)
    token = await csrf_from(client)
    fields = sorted(form_fields())
    routes = form_routes(client, catalogue.filter_bosch)
    assert len(routes) >= 15, routes
    before = await Customer.filter(id=customer.id).values()
    problems: list[tuple] = []
    attempts = [{field: value for field in fields} for value in BAD_VALUES]
    attempts += [{other: "" for other in fields} | {field: value} for field in fields for value in ONE_FIELD_VALUES]
    for method, path, name in routes:
        for data in attempts:
            response = await client.request(method, path, data=data | {"csrf_token": token}, allow_redirects=False)
            text = await response.text()
            shown = {k: v[:12] for k, v in data.items() if v}
            if response.status >= 500:
                problems.append((path, shown if len(shown) < 3 else "every field", response.status))
            elif response.status >= 400 and "html" in response.content_type and not READABLE.search(text):
                problems.append((path, response.status, "no message on the page"))
            if name in SIGNING_OUT and await whoami(client) == "anonymous":
                await sign_in_as(client, customer)
                token = await csrf_from(client)
    assert problems == []
    # Nothing was saved: not one bad value was good enough for any form.
    assert await Customer.filter(id=customer.id).values() == before
    assert await Address.filter(customer_id=customer.id).count() == 0
    assert await LegalEntity.all().count() == 0
    assert await GarageVehicle.filter(customer_id=customer.id).count() == 0
    assert await Order.all().count() == 0
    assert await CartLine.all().count() == 0
