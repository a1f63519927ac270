"""The OpenAPI 3.1 document, built from the same operation declarations that build the routes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from web.api.schemas import COMPONENTS, STRING, integer
from web.api.spec import Operation

PREFIX = "/api/v1"

ERRORS: dict[int, str] = {
    400: "Malformed: unreadable JSON, a value of the wrong type, an unknown field or parameter.",
    401: "Not signed in.",
    403: "Refused: missing or wrong X-CSRF-Token, or a request from another site (Origin check).",
    404: "Not found (another customer's order is not found either).",
    405: "This method is not allowed on this path.",
    409: "Conflicts with the current state (e.g. the same Idempotency-Key with another cart).",
    413: "The request body is too large.",
    415: "The body is not application/json (UTF-8).",
    422: "A value is not acceptable; `fields` says which and why.",
    429: "Too many attempts; try again after Retry-After seconds.",
    500: "Something went wrong on the shop's side.",
}

SECURITY_SCHEMES = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "session",
        "description": (
            "The server-side session of a signed-in customer, set by auth/login and auth/register "
            "(named `__Host-session` when the shop runs on https). The same session as the web shop."
        ),
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": (
            "Every POST, PATCH and DELETE needs the `csrf_token` from GET /session (anonymous visitors "
            "must also send back the `csrf` cookie that call sets), and, from a browser, an Origin of "
            "this shop. The token changes when the customer signs in or out."
        ),
    },
}


def _json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _error_statuses(operation: Operation) -> list[int]:
    statuses = set(operation.errors)
    if operation.parameters or operation.body or operation.unsafe:
        statuses |= {400, 422}
    if operation.unsafe:
        statuses |= {403, 413, 415} if operation.body else {403, 413}
    if operation.signed_in:
        statuses.add(401)
    statuses |= {405, 500}
    return sorted(statuses)


def _security(operation: Operation) -> list[dict[str, list]]:
    if operation.unsafe:
        signed_in = {"session": [], "csrf": []}
        return [signed_in] if operation.signed_in else [{"csrf": []}, signed_in]
    return [{"session": []}] if operation.signed_in else [{}, {"session": []}]


def _operation_object(operation: Operation) -> dict[str, Any]:
    success: dict[str, Any] = {"description": operation.summary}
    if operation.response:
        success["content"] = _json_content({"$ref": f"#/components/schemas/{operation.response}"})
    responses: dict[str, Any] = {str(operation.status): success}
    for status in _error_statuses(operation):
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    result: dict[str, Any] = {
        "operationId": operation.name,
        "summary": operation.summary,
        "tags": [operation.tag],
        "parameters": [dict(p) for p in operation.parameters],
        "responses": responses,
        "security": _security(operation),
    }
    if operation.description:
        result["description"] = operation.description
    if operation.body:
        result["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{operation.body}"}}},
        }
    return result


def _error_responses() -> dict[str, Any]:
    responses = {}
    for status, text in ERRORS.items():
        response: dict[str, Any] = {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {"description": "Seconds to wait.", "schema": integer(1)},
            }
        if status == 405:
            response["headers"] = {"Allow": {"description": "The allowed methods.", "schema": STRING}}
        responses[f"Error{status}"] = response
    return responses


def build_document(operations: Iterable[Operation], *, title: str, version: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for operation in operations:
        paths.setdefault(operation.path, {})[operation.method.lower()] = _operation_object(operation)
    paths["/openapi.json"] = {
        "get": {
            "operationId": "openapi_document",
            "summary": "This document.",
            "tags": ["meta"],
            "security": [{}],
            "responses": {
                "200": {"description": "The OpenAPI document.", "content": _json_content({"type": "object"})},
                "405": {"$ref": "#/components/responses/Error405"},
            },
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{title} API",
            "version": version,
            "description": (
                "The shop's JSON API: the same sessions, cart and orders as the web shop. Money is an "
                "integer in minor units with an ISO 4217 currency. Errors are always "
                '`{"error": {"code", "message", "fields"}}`; messages follow the request\'s language '
                "(the account's, then the `locale` cookie, then Accept-Language). Unknown query "
                "parameters and unknown body fields are refused."
            ),
        },
        "servers": [{"url": PREFIX}],
        "tags": [{"name": n} for n in ("session", "catalogue", "cart", "orders", "meta")],
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "responses": _error_responses(),
            "securitySchemes": SECURITY_SCHEMES,
        },
    }
