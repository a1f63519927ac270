"""Errors become pages (or JSON under /api/): a ShopError keeps its status and message, an
HTTP error gets a friendly page, anything unexpected is logged and shown as a plain 500."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from core.errors import ShopError, Throttled
from web import keys
from web.i18n import request_gettext
from web.security import apply_cookies

log = logging.getLogger("gearshop.web")

STATUS_MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do this.",
    404: "We could not find this page.",
    405: "This page does not accept this kind of request.",
    413: "What you sent is too large.",
    422: "Please correct the marked fields.",
    429: "Too many attempts. Please try again later.",
    500: "Something went wrong on our side. Please try again in a moment.",
}
STATUS_TITLES = {
    400: "Bad request", 403: "Forbidden", 404: "Page not found", 405: "Not allowed",
    413: "Too large", 422: "Check your input", 429: "Slow down", 500: "Server error",
}


def wants_json(request: web.Request) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_json(status: int, code: str, message: str, fields: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return web.json_response(body, status=status)


def error_page(request: web.Request, status: int, message: str, *, code: str = "error",
               fields: dict[str, str] | None = None) -> web.Response:
    """The error as JSON for API clients, else as a page in the visitor's language."""
    if wants_json(request):
        return error_json(status, code, message, fields)
    from web.render import render  # render imports the i18n helpers; keep this module light

    gettext = request_gettext(request)
    template = "errors/404.html" if status == 404 else "errors/500.html" if status >= 500 else "errors/error.html"
    title = gettext(STATUS_TITLES.get(status, "Error"))
    try:
        response = render(request, template, {"status": status, "title": title, "message": message,
                                              "code": code}, status=status)
    except Exception:  # the error page itself failed: plain text, still no details
        log.exception("error page failed")
        return web.Response(status=status, text=f"{status} {title}\n{message}\n")
    if keys.COOKIE_QUEUE in request:  # e.g. the CSRF cookie of the page's language form
        apply_cookies(request, response)
    if request.get(keys.CUSTOMER) is not None:  # the page shows whose account this is
        response.headers["Cache-Control"] = "no-store"
    return response


def shop_error_response(request: web.Request, exc: ShopError) -> web.Response:
    gettext = request_gettext(request)
    response = error_page(request, exc.status, exc.localized(gettext), code=exc.code,
                          fields=exc.localized_fields(gettext))
    if isinstance(exc, Throttled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def http_error_response(request: web.Request, exc: web.HTTPException) -> web.Response:
    """A 4xx/5xx raised as an aiohttp HTTP error (a router 404 or 405, a 413) as a page or JSON."""
    gettext = request_gettext(request)
    message = gettext(STATUS_MESSAGES.get(exc.status, STATUS_MESSAGES[400]))
    response = error_page(request, exc.status, message, code=exc.reason.lower().replace(" ", "_"))
    for name in ("Allow", "Retry-After", "WWW-Authenticate"):
        if name in exc.headers:
            response.headers[name] = exc.headers[name]
    return response


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ShopError as exc:
        return shop_error_response(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return http_error_response(request, exc)
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_page(request, 500, request_gettext(request)(STATUS_MESSAGES[500]), code="server_error")
