"""Cookies with safe flags, CSRF tokens and the Origin check, security headers, safe redirects.

CSRF tokens are HMACs of what the request is bound to: the server session of a signed-in
customer, or an opaque random `csrf` cookie of an anonymous visitor (a signed double submit:
a cookie planted by someone else is useless without the server's key). Unsafe methods also
need an Origin (or Referer) of this shop when the browser sends one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from core.config import Settings
from core.errors import PermissionDenied
from web import keys

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

CSRF_FAILED = "This form has expired or did not come from this shop. Please reload the page and try again."
COOKIES_NEEDED = "Cookies are needed for this. Please enable cookies in your browser and try again."
ORIGIN_FAILED = "This request did not come from this shop."


def random_token() -> str:
    """An opaque 256-bit token, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def looks_like_token(value: str | None) -> bool:
    return bool(value) and len(value) == 43 and set(value) <= _TOKEN_CHARS


# ---------------------------------------------------------------- where the request came from


def request_is_https(request: web.Request) -> bool:
    settings = request.app[keys.SETTINGS]
    if settings.web.behind_proxy:
        proto = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if proto:
            return proto == "https"
    return request.secure


def client_ip(request: web.Request) -> str:
    """The client's IP; X-Forwarded-For is believed only behind our own proxy (its last hop)."""
    settings = request.app[keys.SETTINGS]
    if settings.web.behind_proxy:
        forwarded = [p.strip() for p in request.headers.get("X-Forwarded-For", "").split(",") if p.strip()]
        if forwarded and _is_ip(forwarded[-1]):
            return forwarded[-1]
    return (request.remote or "")[:45]


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def shop_origins(request: web.Request) -> set[str]:
    settings = request.app[keys.SETTINGS]
    base = urlsplit(settings.shop.base_url)
    scheme = "https" if request_is_https(request) else "http"
    return {f"{base.scheme}://{base.netloc}".lower(), f"{scheme}://{request.host}".lower()}


# ---------------------------------------------------------------- cookies


def cookie_name(app: web.Application, base: str) -> str:
    """`session` -> `__Host-session` when the shop is served over https."""
    return f"__Host-{base}" if app[keys.SETTINGS].web.https else base


def read_cookie(request: web.Request, base: str) -> str | None:
    return request.cookies.get(cookie_name(request.app, base))


def set_cookie(request: web.Request, base: str, value: str, *, max_age: int | None = None) -> None:
    """Queue a cookie for the response that goes out (HttpOnly, SameSite=Lax, Secure on https)."""
    request[keys.COOKIE_QUEUE].append((base, value, max_age))


def delete_cookie(request: web.Request, base: str) -> None:
    request[keys.COOKIE_QUEUE].append((base, None, None))


def apply_cookies(request: web.Request, response: web.StreamResponse) -> None:
    https = request.app[keys.SETTINGS].web.https
    for base, value, max_age in request.get(keys.COOKIE_QUEUE, ()):
        name = cookie_name(request.app, base)
        if value is None:
            response.del_cookie(name, path="/", secure=https or None, httponly=True, samesite="Lax")
        else:
            response.set_cookie(name, value, max_age=max_age, path="/", secure=https or None,
                                httponly=True, samesite="Lax")


# ---------------------------------------------------------------- CSRF


def _sign(request: web.Request, binding: str) -> str:
    digest = hmac.new(request.app[keys.SECRET], b"csrf:" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _binding(request: web.Request, *, create: bool) -> str | None:
    session = request.get(keys.SESSION)
    if session is not None:
        return "s:" + session.token
    anon = request.get(keys.CSRF_ANON) or read_cookie(request, "csrf")
    if not looks_like_token(anon):
        if not create:
            return None
        anon = random_token()
        # A browser-session cookie: it only binds forms to this browser.
        set_cookie(request, "csrf", anon)
    request[keys.CSRF_ANON] = anon
    return "a:" + anon


async def read_post(request: web.Request):
    """The posted form; a body that is not a well-formed form is a 400, not a server error."""
    try:
        return await request.post()
    except web.HTTPException:
        raise  # 413 from client_max_size
    except (ValueError, AssertionError, LookupError, HttpProcessingError) as exc:  # bad encoding, broken multipart
        raise web.HTTPBadRequest(text="malformed form") from exc


def csrf_token(request: web.Request) -> str:
    """The token for forms (`{{ csrf_token() }}`) and for the X-CSRF-Token header."""
    return _sign(request, _binding(request, create=True))


def csrf_exempt(handler: Callable[..., Awaitable[web.StreamResponse]]):
    """Mark a server-to-server endpoint (payment notification) that carries its own proof."""
    handler.csrf_exempt = True  # type: ignore[attr-defined]
    return handler


def _is_exempt(request: web.Request) -> bool:
    if request.path in request.app.get(keys.CSRF_EXEMPT_PATHS, ()):
        return True
    handler = request.match_info.route.handler
    return bool(getattr(handler, "csrf_exempt", False))


def check_origin(request: web.Request) -> None:
    origin = request.headers.get("Origin")
    if origin is None:
        referer = request.headers.get("Referer")
        if not referer:
            return  # not a browser, or one that sends neither: the token still has to match
        parts = urlsplit(referer)
        origin = f"{parts.scheme}://{parts.netloc}"
    if origin.lower() not in shop_origins(request):
        raise PermissionDenied(ORIGIN_FAILED, code="origin")


async def check_csrf(request: web.Request) -> None:
    """Raise PermissionDenied unless an unsafe request carries this browser's token and origin."""
    if request.method not in UNSAFE_METHODS or _is_exempt(request):
        return
    check_origin(request)
    given = request.headers.get(CSRF_HEADER, "")
    if not given and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await read_post(request)
        value = form.get(CSRF_FIELD, "")
        given = value if isinstance(value, str) else ""
    binding = _binding(request, create=False)
    if binding is None:
        raise PermissionDenied(COOKIES_NEEDED if not request.cookies else CSRF_FAILED, code="csrf")
    if not given or not hmac.compare_digest(given.encode(), _sign(request, binding).encode()):
        raise PermissionDenied(CSRF_FAILED, code="csrf")


# ---------------------------------------------------------------- headers, caching, redirects


def content_security_policy(settings: Settings) -> str:
    form_targets = ["'self'"]
    if "liqpay" in settings.payments.providers:
        parts = urlsplit(settings.payments.liqpay.checkout_url)
        form_targets.append(f"{parts.scheme}://{parts.netloc}")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action " + " ".join(form_targets),
        "frame-ancestors 'none'",
    ])


def security_headers(settings: Settings) -> dict[str, str]:
    headers = {
        "Content-Security-Policy": content_security_policy(settings),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "geolocation=(), camera=(), microphone=(), payment=()",
    }
    if settings.web.https:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, error pages and static files included."""
    for name, value in request.app[keys.SECURITY_HEADERS].items():
        response.headers.setdefault(name, value)


def no_store(response: web.StreamResponse) -> web.StreamResponse:
    """Private pages (cart, account, checkout, order): no cache may keep them."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def safe_next(request: web.Request, value: str | None, default: str | None = None) -> str:
    """A local path to go back to, or `default` (the home page): never another site."""
    fallback = default or str(request.app.router["index"].url_for())
    if not value or not isinstance(value, str) or len(value) > 2000:
        return fallback
    if not value.startswith("/") or value.startswith(("//", "/\\")):
        return fallback
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return fallback
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return fallback
    return value
