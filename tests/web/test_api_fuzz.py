"""A client that sends malformed requests to every /api/v1 route: never a 5xx, always the error shape.

The routes come from the app's router (so a new route is fuzzed without touching this file);
the bodies are built from each operation's published request schema: the valid example with
one field replaced by a value of every wrong kind, plus raw bytes that are not JSON at all.
"""

from __future__ import annotations

import json
import random
from collections import Counter
import uuid
from typing import Any

import pytest

from tests.web.test_api import Api, assert_error, registration
from web.api import OPERATIONS
from web.api.schemas import COMPONENTS

PREFIX = "/api/v1"

WRONG_VALUES: list[Any] = [
    None, True, False, 0, -1, 2**31, 2**63, -(2**63), 10**30, 1.5, 1e308, "", " ", "0", "x" * 3000,
    "\x00", "\ud800", "\u202e", "😀" * 50, "'; DROP TABLE part; --", [], [1], {}, {"a": 1},
]

RAW_BODIES: list[bytes] = [
    b"", b" ", b"null", b"true", b"1", b'"x"', b"[]", b"{", b"}", b'{"a":', b"{'a': 1}", b"NaN",
    b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 1, "a": 2}', b"[" * 5000 + b"]" * 5000,
    b'{"a": ' * 100 + b"1" + b"}" * 100, b"\xff\xfe\xfd", b'{"a": "\xc3\x28"}', b"\x00\x00\x00",
    b'{"part_id": 1e999, "quantity": 1}', b'{"part_id": ' + b"9" * 5000 + b', "quantity": 1}',
    b'{"quantity": "\\u0000"}', b'{"email": "\\ud800", "password": "\\udfff"}',
    b'{"a": "' + b"x" * 300_000 + b'"}',  # over web.max_body_kb
]
# Throttling answers 429 before the body is looked at: lift it so every body reaches the checks.
GENEROUS = {"registrations_per_hour_per_ip": 100_000, "login_attempts_per_hour_per_ip": 100_000}

CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1",
                 "multipart/form-data; boundary=x", "application/jsonx"]

BAD_PATH_VALUES = ["abc", "0", "-1", "1.5", "99999999999999999999", "%00", "%FF", "%E2%80%AE", "9" * 300,
                   "%2e%2e", "1%20", "GS-%00"]

BAD_QUERIES = ["page=%00", "q=%FF%FE", "vehicle=1e3", "vehicle=", "page=", "page=-5", "page=99999999999999",
               "unknown=1", "q=" + "a" * 3000, "category=%00", "q=%25%5F", "page=1&page=1",
               "per_page=0", "vehicle=%E2%80%AE"]


def example_bodies(ids: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A valid body of each operation that takes one."""
    return {
        "CartLineInput": {"part_id": ids["part"], "quantity": 1},
        "CartQuantityInput": {"quantity": 1},
        "LoginInput": {"email": ids["email"], "password": "correct horse battery staple"},
        "RegisterInput": registration(
            address={"city": "Kyiv", "street": "Khreshchatyk 1"},
            legal_entity={"name": "TOV Test", "country": "UA", "tax_id": "12345678"},
        ),
        "OrderInput": {"delivery": {"method": "pickup"}, "payment": {"method": "cash"}},
    }


def mutations(schema_name: str, example: dict[str, Any], rng: random.Random) -> list[Any]:
    """The example with one field (at any depth) replaced by a wrong value, plus extra/missing keys."""
    out: list[Any] = [{**example, "unexpected": 1}, {}]
    for path in field_paths(example):
        for value in rng.sample(WRONG_VALUES, 5):
            out.append(replaced(example, path, value))
        out.append(removed(example, path))
    return out


def field_paths(value: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for key, item in value.items():
        paths.append((*prefix, key))
        if isinstance(item, dict):
            paths.extend(field_paths(item, (*prefix, key)))
    return paths


def replaced(value: dict[str, Any], path: tuple[str, ...], new: Any) -> dict[str, Any]:
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return copy


def removed(value: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    copy = json.loads(json.dumps(value))
    target = copy
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return copy


def concrete_path(path: str, ids: dict[str, Any]) -> str:
    return (path.replace("{id}", str(ids["part"])).replace("{part_id}", str(ids["part"]))
            .replace("{number}", ids["order"]))


async def expect_handled(api: Api, method: str, path: str, **kwargs: Any) -> int:
    """Send one request; anything but a 5xx is fine, and every refusal has the error shape."""
    response = await api.client.request(method, PREFIX + path, **kwargs)
    api.statuses[response.status] += 1
    text = await response.text()
    assert response.status < 500, (method, path, kwargs, response.status, text[:300])
    if response.status >= 400:
        assert response.content_type == "application/json", (method, path, response.status, text[:200])
        assert_error(json.loads(text))
    return response.status


async def signed_in_buyer(app_client, catalogue) -> tuple[Api, dict[str, Any]]:
    api = Api(await app_client(web=GENEROUS))
    details = registration()
    status, body = await api.call("POST", "/auth/register", details)
    assert status == 201, body
    await api.call("POST", "/cart/lines", {"part_id": catalogue.filter_bosch, "quantity": 1})
    choices = {"delivery": {"method": "pickup"}, "payment": {"method": "cash"}}
    key = {"Idempotency-Key": str(uuid.uuid4())}
    status, placed = await api.call("POST", "/orders", choices, headers=key)
    assert status == 201, placed
    await api.call("POST", "/cart/lines", {"part_id": catalogue.pads, "quantity": 1})
    ids = {"part": catalogue.filter_bosch, "order": placed["order"]["number"], "email": details["email"]}
    return api, ids


def ordered_operations():
    # Signing in/out changes the session the other calls need: those go last.
    return sorted(OPERATIONS, key=lambda op: op.path.startswith("/auth/"))


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_malformed_bodies_never_cause_a_server_error(app_client, catalogue, signed_in):
    if signed_in:
        api, ids = await signed_in_buyer(app_client, catalogue)
    else:
        api = Api(await app_client(web=GENEROUS))
        ids = {"part": catalogue.filter_bosch, "order": "GS-2345-6789", "email": "nobody@example.com"}
        await api.session()
    api.statuses = Counter()
    rng = random.Random(20261101)
    examples = example_bodies(ids)
    for operation in ordered_operations():
        if not operation.unsafe:
            continue
        path = concrete_path(operation.path, ids)
        attempts = [{"data": raw, "headers": {"Content-Type": "application/json"}} for raw in RAW_BODIES]
        attempts += [{"data": b'{"quantity": 1}', "headers": {"Content-Type": t}} for t in CONTENT_TYPES]
        if operation.body:
            attempts += [{"json": body} for body in mutations(operation.body, examples[operation.body], rng)]
        for attempt in attempts:
            headers = {"X-CSRF-Token": api.token, "Idempotency-Key": str(uuid.uuid4())}
            headers.update(attempt.pop("headers", {}))
            status = await expect_handled(api, operation.method, path, headers=headers, **attempt)
            if status in (200, 201) and operation.path.startswith("/auth/"):
                await api.session()  # signing in or out started another session: take its token
    # The requests got past the CSRF check to the input checks (and some were fine).
    assert {400, 413, 415, 422} <= set(api.statuses), api.statuses
    assert api.statuses[403] == 0, api.statuses
    assert api.statuses[200] + api.statuses[201] > 0, api.statuses

@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
async def test_malformed_paths_queries_and_headers_never_cause_a_server_error(
    app_client, catalogue, signed_in
):
    if signed_in:
        api, ids = await signed_in_buyer(app_client, catalogue)
    else:
        api = Api(await app_client())
        ids = {"part": catalogue.filter_bosch, "order": "GS-2345-6789", "email": ""}
        await api.session()
    api.statuses = Counter()
    for operation in ordered_operations():
        if operation.path.startswith("/auth/"):
            continue  # bodies are fuzzed above; here: paths, queries and headers
        headers = {"X-CSRF-Token": api.token}
        body = {"json": {}} if operation.unsafe else {}
        for bad in BAD_PATH_VALUES:
            if "{" in operation.path:
                path = operation.path.split("{")[0] + bad + operation.path.split("}")[1]
                await expect_handled(api, operation.method, path, headers=headers, **body)
        path = concrete_path(operation.path, ids)
        for query in BAD_QUERIES:
            await expect_handled(api, operation.method, f"{path}?{query}", headers=headers, **body)
        for weird in ({"Idempotency-Key": ""}, {"Idempotency-Key": "ä" * 10}, {"Idempotency-Key": "k" * 500},
                      {"Accept-Language": "xx-YY;q=abc,,;"}, {"X-CSRF-Token": "not a token"},
                      {"Origin": "null"}):
            await expect_handled(api, operation.method, path, headers={**headers, **weird}, **body)
    for method in ("PUT", "OPTIONS", "TRACE", "PROPFIND"):
        await expect_handled(api, method, "/cart", headers={"X-CSRF-Token": api.token})
    assert {400, 404, 405, 422} <= set(api.statuses), api.statuses
    assert api.statuses[200] > 0, api.statuses


def test_every_request_schema_is_fuzzed():
    # A new request body schema needs an example above, or it would escape the fuzzing.
    used = {op.body for op in OPERATIONS if op.body}
    assert used <= set(example_bodies({"part": 1, "order": "x", "email": "x"}))
    assert used <= set(COMPONENTS)
