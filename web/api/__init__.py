"""The JSON API under /api/v1: the same sessions, cart and orders as the web shop.

Operations are declared in auth, catalogue, cart and orders; `setup_api(app)` registers each
as a named route (`api_<operation>`), serves the OpenAPI document built from the same
declarations, and adds the API's error boundary, which answers everything under /api/v1 (router
404s and 405s included) in the one error shape.
"""

from __future__ import annotations

from importlib import metadata

from aiohttp import web

from web import keys
from web.api import auth, cart, catalogue, orders
from web.api.errors import api_errors
from web.api.openapi import PREFIX, build_document
from web.api.spec import Operation, endpoint

OPERATIONS: tuple[Operation, ...] = (
    *auth.operations.items,
    *catalogue.operations.items,
    *cart.operations.items,
    *orders.operations.items,
)


def _version() -> str:
    try:
        return metadata.version("gearshop")
    except metadata.PackageNotFoundError:  # running from a plain checkout
        return "0"


async def openapi_document(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    document = build_document(OPERATIONS, title=settings.shop.name, version=_version())
    return web.json_response(document)


def setup_api(app: web.Application) -> None:
    """Mount the API routes and its error boundary on the app."""
    for operation in OPERATIONS:
        handler = endpoint(operation)
        app.router.add_route(operation.method, PREFIX + operation.path, handler, name=f"api_{operation.name}")
    app.router.add_get(PREFIX + "/openapi.json", openapi_document, name="api_openapi", allow_head=False)
    app.middlewares.append(api_errors)
