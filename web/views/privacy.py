"""The privacy policy page (P8, P19, P22), generated from the data inventory and configuration.

What the shop keeps, why and for how long (core.privacy.inventory), the controller and the
address for questions, the policy's version and date (config `shop`), and every processor that
receives data (core.privacy.processors): the page cannot drift from what the code does.
"""

from __future__ import annotations

from aiohttp import web

from core.privacy.policy import policy_context
from core.privacy.processors import published_processors
from web import keys
from web.render import render


async def privacy_page(request: web.Request) -> web.Response:
    settings = request.app[keys.SETTINGS]
    return render(request, "privacy.html", {"policy": policy_context(settings, published_processors(settings))})


def add_routes(router: web.UrlDispatcher) -> None:
    """Register this module's named routes."""
    router.add_get("/privacy", privacy_page, name="privacy")
