"""The API's operations, declared once: the router, the input checks and the OpenAPI document
are all built from these declarations, so the document cannot drift from what is served.

    @operations.get("/makes/{id}/models", summary="...", path=[ID], response="ModelList")
    async def list_models(request, call): ...

`call.query` and `call.body` hold the already validated input; `call.customer` is the signed-in
customer when `signed_in=True` (otherwise the handler gets a 401 first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from web import sessions
from web.api.errors import ApiError
from web.api.schemas import COMPONENTS
from web.api.validation import Schema, read_body, read_query
from web.keys import SETTINGS

ApiHandler = Callable[[web.Request, "Call"], Awaitable[web.StreamResponse]]


@dataclass
class Call:
    query: dict[str, Any]
    body: dict[str, Any]
    customer: Any = None


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    handler: ApiHandler
    summary: str
    tag: str
    parameters: tuple[Schema, ...] = ()
    body: str | None = None  # component name of the request body
    response: str | None = None  # component name of the success body
    status: int = 200
    signed_in: bool = False
    errors: tuple[int, ...] = ()
    description: str = ""
    # False: the API checks only the body's structure (types, unknown fields); the service checks
    # the values and reports every bad field at once (registration).
    value_checks: bool = True

    @property
    def name(self) -> str:
        return self.handler.__name__

    @property
    def unsafe(self) -> bool:
        return self.method not in ("GET", "HEAD", "OPTIONS")


@dataclass
class Operations:
    tag: str
    items: list[Operation] = field(default_factory=list)

    def _add(self, method: str, path: str, **spec: Any) -> Callable[[ApiHandler], ApiHandler]:
        def register(handler: ApiHandler) -> ApiHandler:
            self.items.append(Operation(method, path, handler, tag=self.tag, **spec))
            return handler

        return register

    def get(self, path: str, **spec: Any):
        return self._add("GET", path, **spec)

    def post(self, path: str, **spec: Any):
        return self._add("POST", path, **spec)

    def patch(self, path: str, **spec: Any):
        return self._add("PATCH", path, **spec)

    def delete(self, path: str, **spec: Any):
        return self._add("DELETE", path, **spec)


def query_param(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def path_param(name: str, schema: Schema, description: str) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


def header_param(name: str, schema: Schema, description: str, *, required: bool = True) -> Schema:
    return {"name": name, "in": "header", "required": required, "description": description, "schema": schema}


def endpoint(operation: Operation) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler: check sign-in, read query and body strictly, then call the operation."""
    body_schema = {"$ref": f"#/components/schemas/{operation.body}"} if operation.body else None

    async def handle(request: web.Request) -> web.StreamResponse:
        customer = await sessions.current_customer(request)
        if operation.signed_in and customer is None:
            raise ApiError(401, "not_signed_in", "Please sign in first.")
        query = read_query(request.query, list(operation.parameters))
        body: dict[str, Any] = {}
        if operation.unsafe:
            limit = request.config_dict[SETTINGS].web.max_body_kb * 1024
            body = await read_body(
                request, body_schema, COMPONENTS, limit=limit, values=operation.value_checks
            )
        return await operation.handler(request, Call(query=query, body=body, customer=customer))

    handle.__name__ = operation.name
    return handle
