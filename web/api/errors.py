"""Every failure of the API becomes `{"error": {"code", "message", "fields"}}` with its status.

Handlers raise core `ShopError`s (from services) or `ApiError` (from the API's own checks of
the request); aiohttp's own HTTP errors (404/405/413 from the router and body reader) are
turned into the same shape by the middleware below. Messages are English gettext msgids,
translated with the request's locale at the last moment.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from core.errors import ShopError, Throttled
from core.i18n import gettext as translate
from web import keys

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """A request the API refuses; `fields` maps a field path to (msgid, params)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, tuple[str, dict[str, Any]]] | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.params = params
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})


# aiohttp HTTP errors that reach the API without passing a handler (router, body reader).
_HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("malformed", "The request is malformed."),
    401: ("not_signed_in", "Please sign in first."),
    403: ("forbidden", "This request was refused. Reload the page and try again."),
    404: ("not_found", "Not found."),
    405: ("method_not_allowed", "This method is not allowed here."),
    409: ("conflict", "This request conflicts with the current state."),
    413: ("request_entity_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the request body as application/json."),
    422: ("invalid", "Please correct the marked fields."),
    429: ("throttled", "Too many attempts. Please try again later."),
}


def locale_of(request: web.Request) -> str:
    return request.get(keys.LOCALE) or "en"


def _say(locale: str, message: str, params: dict[str, Any]) -> str:
    text = translate(locale, message)
    return text.format(**params) if params else text


def error_response(
    request: web.Request,
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    response = web.json_response(body, status=status, headers=headers, dumps=_dumps)
    response.headers["Cache-Control"] = "no-store"
    return response


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def api_error_response(request: web.Request, exc: ApiError) -> web.Response:
    locale = locale_of(request)
    fields = {name: _say(locale, msg, params) for name, (msg, params) in exc.fields.items()}
    message = _say(locale, exc.message, exc.params)
    return error_response(request, exc.status, exc.code, message, fields=fields, headers=exc.headers)


def shop_error_response(request: web.Request, exc: ShopError) -> web.Response:
    locale = locale_of(request)
    gettext = lambda text: translate(locale, text)  # noqa: E731 - ShopError wants a callable
    headers = {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(max(1, int(exc.retry_after)))
    return error_response(
        request,
        exc.status,
        exc.code,
        exc.localized(gettext),
        fields=exc.localized_fields(gettext),
        headers=headers,
    )


def http_error_response(request: web.Request, exc: web.HTTPException) -> web.Response:
    code, message = _HTTP_ERRORS.get(exc.status, ("error", "The request could not be handled."))
    headers = {}
    if exc.status == 405 and "Allow" in exc.headers:
        headers["Allow"] = exc.headers["Allow"]
    if "Retry-After" in exc.headers:
        headers["Retry-After"] = exc.headers["Retry-After"]
    return error_response(request, exc.status, code, translate(locale_of(request), message), headers=headers)


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The API's own error boundary: everything under /api/v1 answers in the error shape."""
    if request.path != API_PREFIX and not request.path.startswith(API_PREFIX + "/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as exc:
        return api_error_response(request, exc)
    except ShopError as exc:
        return shop_error_response(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return http_error_response(request, exc)
    except Exception:
        log.exception("API request failed: %s %s", request.method, request.path)
        message = translate(locale_of(request), "Something went wrong on our side. Please try again.")
        return error_response(request, 500, "server_error", message)
