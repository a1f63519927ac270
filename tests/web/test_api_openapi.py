"""The OpenAPI document at /api/v1/openapi.json describes exactly the routes the app serves."""

from __future__ import annotations

import re
from typing import Any

from tests.web.test_api import Api

PREFIX = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}


def served_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for route in app.router.routes():
        path = route.resource.canonical if route.resource is not None else ""
        if path.startswith(PREFIX + "/"):
            routes.add((route.method.upper(), path.removeprefix(PREFIX)))
    return routes


def documented_routes(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }


def all_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in all_refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in all_refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part]
    return node


async def get_document(app_client) -> tuple[Any, dict[str, Any]]:
    client = await app_client()
    response = await client.get(PREFIX + "/openapi.json")
    assert response.status == 200
    assert response.content_type == "application/json"
    return client, await response.json()


async def test_every_served_route_is_documented_and_every_documented_route_is_served(app_client):
    client, document = await get_document(app_client)
    served = served_routes(client.app)
    documented = documented_routes(document)
    assert served, "no /api/v1 routes registered"
    assert served - documented == set(), "served but not documented"
    assert documented - served == set(), "documented but not served"
    # The issue's list of routes is all there.
    for route in [
        ("GET", "/makes"), ("GET", "/makes/{id}/models"), ("GET", "/models/{id}/vehicles"), ("GET", "/parts"),
        ("GET", "/parts/{id}"), ("GET", "/cart"), ("POST", "/cart/lines"), ("PATCH", "/cart/lines/{part_id}"),
        ("DELETE", "/cart/lines/{part_id}"), ("POST", "/auth/register"), ("POST", "/auth/login"),
        ("POST", "/auth/logout"), ("POST", "/orders"), ("GET", "/orders"), ("GET", "/orders/{number}"),
        ("GET", "/session"), ("GET", "/openapi.json"),
    ]:
        assert route in served, route


async def test_document_is_openapi_3_1_and_self_consistent(app_client):
    _client, document = await get_document(app_client)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": PREFIX}]
    for ref in all_refs(document):
        assert resolve(document, ref) is not None, ref
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"]["in"] == "cookie"
    assert schemes["csrf"] == {**schemes["csrf"], "type": "apiKey", "in": "header", "name": "X-CSRF-Token"}

    operation_ids = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            operation_ids.append(operation["operationId"])
            assert operation["summary"] and operation["responses"], (method, path)
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (method, path)
            for requirement in operation["security"]:
                assert set(requirement) <= set(schemes)
            if method in ("post", "patch", "delete"):
                assert "403" in operation["responses"], (method, path)  # CSRF
                assert all("csrf" in r for r in operation["security"]), (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    body = resolve(document, response["$ref"]) if "$ref" in response else response
                    schema = body["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert len(operation_ids) == len(set(operation_ids))


async def test_signed_in_operations_say_so(app_client):
    _client, document = await get_document(app_client)
    orders = document["paths"]["/orders"]
    assert orders["get"]["security"] == [{"session": []}]
    assert "401" in orders["get"]["responses"]
    header = next(p for p in orders["post"]["parameters"] if p["in"] == "header")
    assert header["name"] == "Idempotency-Key" and header["required"] is True
    assert "429" in document["paths"]["/auth/login"]["post"]["responses"]
    headers = document["components"]["responses"]["Error429"]["headers"]
    assert "Retry-After" in headers


async def test_request_schemas_refuse_unknown_fields(app_client):
    _client, document = await get_document(app_client)
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if "requestBody" not in operation:
                continue
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            schema = resolve(document, body["$ref"])
            assert schema["additionalProperties"] is False, (method, path)


async def test_the_document_needs_no_session_and_answers_json_errors_for_other_methods(app_client):
    client = await app_client()
    api = Api(client)
    status, body = await api.call("POST", "/openapi.json", {})
    assert status == 405
    assert body["error"]["code"] == "method_not_allowed"
