"""The request pipeline, outermost first: errors → https → body size → request state
(session, language, cookies) → CSRF → visit statistics → the view."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from aiohttp import web

from core.errors import ShopError
from web import keys
from web.errors import error_middleware, http_error_response, shop_error_response
from web.i18n import resolve_locale, use_locale
from web.render import CURRENT_REQUEST
from web.security import apply_cookies, check_csrf, client_ip, request_is_https
from web.sessions import current_customer, load_session, store_flashes

log = logging.getLogger("gearshop.web")


@web.middleware
async def https_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Behind a proxy in production, plain http is sent to https (health checks excepted)."""
    settings = request.app[keys.SETTINGS]
    if (settings.web.https and settings.web.behind_proxy and not request_is_https(request)
            and request.path != "/healthz"):
        raise web.HTTPPermanentRedirect(request.url.with_scheme("https").with_port(None))
    return await handler(request)


@web.middleware
async def body_limit_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Refuse an announced oversized body at once; aiohttp's client_max_size catches the rest."""
    limit = request.app[keys.SETTINGS].web.max_body_kb * 1024
    if request.content_length is not None and request.content_length > limit:
        raise web.HTTPRequestEntityTooLarge(max_size=limit, actual_size=request.content_length)
    return await handler(request)


async def _finish(request: web.Request, response: web.StreamResponse) -> None:
    await store_flashes(request)
    apply_cookies(request, response)
    if request.get(keys.CUSTOMER) is not None and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"  # a signed-in page is personal
    if response.content_type == "text/html":
        response.headers.setdefault("Vary", "Cookie, Accept-Language")  # pages differ by language


# Files and probes need no session, customer or language: no database work for them.
STATELESS_PREFIXES = ("/static/", "/healthz")


@web.middleware
async def state_middleware(request: web.Request, handler) -> web.StreamResponse:
    """Per-request state: cookie queue, session, customer, language; cookies go on any response."""
    request[keys.COOKIE_QUEUE] = []
    request[keys.FLASHES] = []
    request[keys.REMEMBERED] = {}
    request[keys.STARTED_AT] = dt.datetime.now(dt.UTC)
    CURRENT_REQUEST.set(request)
    if request.path.startswith(STATELESS_PREFIXES):
        use_locale(request, request.app[keys.SETTINGS].shop.default_locale)
        return await handler(request)
    await load_session(request)
    await current_customer(request)
    use_locale(request, await resolve_locale(request))
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:  # a redirect: its cookies and flashes go with it
            await _finish(request, exc)
            raise
        response = http_error_response(request, exc)
    except ShopError as exc:
        response = shop_error_response(request, exc)
    # An error page is finished like any page: the flashes it showed are gone from the session,
    # its cookies are set, and a signed-in customer's page is not cached.
    await _finish(request, response)
    return response


@web.middleware
async def csrf_middleware(request: web.Request, handler) -> web.StreamResponse:
    await check_csrf(request)
    return await handler(request)


def _counts_as_visit(request: web.Request, response: web.StreamResponse) -> bool:
    return (request.method == "GET" and response.status == 200
            and response.content_type == "text/html"
            and not request.path.startswith(("/static/", "/api/")))


async def record_visit(request: web.Request) -> None:
    """P11: aggregate statistics only (truncated IP, browser, OS, referrer host, day)."""
    from core.privacy.visits import record_visit as record

    visit = (client_ip(request), request.headers.get("User-Agent", ""),
             request.headers.get("Referer", ""), dt.datetime.now(dt.UTC).date())
    queue = request.app.get(keys.VISIT_QUEUE)
    if queue is None:
        await record(*visit)
        return
    try:
        queue.put_nowait(visit)
    except asyncio.QueueFull:
        pass  # statistics are best effort; never slow a page down for them


@web.middleware
async def visits_middleware(request: web.Request, handler) -> web.StreamResponse:
    response = await handler(request)
    if _counts_as_visit(request, response):
        try:
            await record_visit(request)
        except Exception:  # noqa: BLE001 - a statistics failure must not break the page
            log.exception("visit statistics failed")
    return response


# body_limit after state: the 413 page is a page like any other (the visitor's language, the cookies
# it hands out); the body is still refused before anything reads it.
MIDDLEWARES = [error_middleware, https_middleware, state_middleware, body_limit_middleware,
               csrf_middleware, visits_middleware]
