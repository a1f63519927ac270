"""Every route of the web shop, by name (redirects use router[name].url_for, never strings)."""

from __future__ import annotations

from aiohttp import web
from tortoise import Tortoise

from web.api import setup_api
from web.i18n import change_language
from web.views import account, auth, cart, catalogue, checkout, orders, payments, privacy, reviews, staff


async def healthz(request: web.Request) -> web.Response:
    """Liveness for load balancers: the process answers and the database does too."""
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception:  # noqa: BLE001 - any failure means "not healthy"; no details leak out
        return web.json_response({"status": "error", "database": "unavailable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


def setup_routes(app: web.Application) -> None:
    router = app.router
    catalogue.add_routes(router)
    cart.add_routes(router)
    router.add_post("/language", change_language, name="language")
    router.add_get("/healthz", healthz, name="healthz")
    for module in (auth, account, checkout, orders, payments, privacy, reviews, staff):
        module.add_routes(router)
    setup_api(app)
