"""Server-side sessions, the cart cookie, remembered preferences and flash messages.

A session exists only for a signed-in customer. The cookie holds an opaque 256-bit token;
the store (database table `session`, or Redis) keeps only its sha256, the customer id and
small data. Idle and absolute timeouts are checked on the server at every load. Signing in
always starts a new session, so a session id planted before sign-in is worthless.
Anonymous visitors get no session: their cart is an opaque `cart` cookie token (P1, P2).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from core.customers.models import Customer, CustomerStatus
from web import keys
from web.security import client_ip, delete_cookie, looks_like_token, read_cookie, set_cookie, shop_origins
from web.session_stores import SessionInfo, WebSession, build_store  # noqa: F401 - re-exported

__all__ = [
    "SessionInfo", "WebSession", "build_store", "load_session", "current_customer", "sign_in",
    "sign_out", "sign_out_everywhere", "list_sessions", "cart_owner", "cookies_enabled",
    "remember", "recall", "flash", "pop_flashes", "set_session_value", "get_session_value",
]

PREFERENCE_DAYS = 180
REMEMBERED = ("vehicle", "locale")  # non-personal preferences only


async def load_session(request: web.Request) -> WebSession | None:
    """The request's live session (None when absent, unknown or expired); cached on the request."""
    if keys.SESSION in request:
        return request[keys.SESSION]
    token = read_cookie(request, "session")
    session = None
    if looks_like_token(token):
        session = await request.app[keys.SESSION_STORE].load(token)
    if token and session is None:
        delete_cookie(request, "session")
    request[keys.SESSION] = session
    return session


async def current_customer(request: web.Request) -> Customer | None:
    if keys.CUSTOMER in request:
        return request[keys.CUSTOMER]
    session = await load_session(request)
    customer = None
    if session is not None and session.customer_id is not None:
        customer = await Customer.get_or_none(id=session.customer_id, status=CustomerStatus.ACTIVE)
        if customer is None:  # deleted or anonymised account: its session ends here
            await request.app[keys.SESSION_STORE].delete(session.token)
            delete_cookie(request, "session")
            request[keys.SESSION] = None
    request[keys.CUSTOMER] = customer
    return customer


def _session_max_age(request: web.Request) -> int:
    return request.app[keys.SETTINGS].web.session_absolute_hours * 3600


async def sign_in(request: web.Request, customer: Customer):
    """Start a brand-new session for the customer, merge the anonymous cart, log the access."""
    from core.carts.service import MergeResult, merge_carts

    store = request.app[keys.SESSION_STORE]
    old = await load_session(request)
    if old is not None:
        await store.delete(old.token)
    session = await store.create(customer.id, {})
    request[keys.SESSION] = session
    request[keys.CUSTOMER] = customer
    set_cookie(request, "session", session.token, max_age=_session_max_age(request))
    cart_token = read_cookie(request, "cart")
    if looks_like_token(cart_token):
        result = await merge_carts(cart_token, customer.id)
        delete_cookie(request, "cart")
    else:
        result = MergeResult(added=[], increased=[], capped=[])
    await _log_sign_in_once(request, customer)
    return result


async def _log_sign_in_once(request: web.Request, customer: Customer) -> None:
    """P12 access log: one row per sign-in; core's authenticate() already writes it for a
    password sign-in in this same request, other sign-ins (after registration) are written here."""
    from core.privacy.access_log import record_access
    from core.privacy.models import AccessLog

    started = request.get(keys.STARTED_AT)
    if started is not None and await AccessLog.filter(
            customer_id=customer.id, event="sign_in", created_at__gte=started).exists():
        return
    await record_access(customer.id, "sign_in", client_ip(request))


async def sign_out(request: web.Request) -> None:
    """End this session on the server, forget the cookie, write the audit (auth.record_sign_out).

    Views call only this: it records the sign-out itself, so they must not record it again.
    """
    from core.customers.auth import record_sign_out

    customer = await current_customer(request)
    session = request.get(keys.SESSION)
    if session is not None:
        await request.app[keys.SESSION_STORE].delete(session.token)
    delete_cookie(request, "session")
    request[keys.SESSION] = None
    request[keys.CUSTOMER] = None
    if customer is not None:
        await record_sign_out(customer, client_ip(request))


async def sign_out_everywhere(request: web.Request) -> int:
    """End every session of the signed-in customer, this one included; returns how many."""
    customer = await current_customer(request)
    if customer is None:
        return 0
    ended = await request.app[keys.SESSION_STORE].delete_for_customer(customer.id)
    await sign_out(request)
    return ended


async def list_sessions(request: web.Request) -> list[SessionInfo]:
    """The signed-in customer's live sessions, the current one marked."""
    customer = await current_customer(request)
    if customer is None:
        return []
    session = request.get(keys.SESSION)
    return await request.app[keys.SESSION_STORE].list_for_customer(
        customer.id, current_token=session.token if session else None)


async def set_session_value(request: web.Request, key: str, value: Any) -> None:
    """Keep a small JSON value in the signed-in customer's session (no-op when anonymous)."""
    session = await load_session(request)
    if session is None:
        return
    session.data[key] = value
    await request.app[keys.SESSION_STORE].save(session)


async def get_session_value(request: web.Request, key: str, default: Any = None) -> Any:
    session = await load_session(request)
    return default if session is None else session.data.get(key, default)


# ---------------------------------------------------------------- cart cookie


async def cart_owner(request: web.Request, *, create: bool = False):
    """The signed-in customer's cart, else the anonymous cart of the `cart` cookie.

    With create=True an anonymous visitor gets a new opaque token in the `cart` cookie.
    """
    from core.carts.service import CartOwner, new_cart_token

    customer = await current_customer(request)
    if customer is not None:
        return CartOwner(customer_id=customer.id)
    token = read_cookie(request, "cart")
    if looks_like_token(token):
        return CartOwner(token=token)
    if not create:
        return None
    token = new_cart_token()
    days = request.app[keys.SETTINGS].privacy.anonymous_cart_days
    set_cookie(request, "cart", token, max_age=days * 86400)
    return CartOwner(token=token)


def cookies_enabled(request: web.Request) -> bool:
    """False only when it is known that cookies are off: the visitor comes from one of the shop's
    own pages (each sets a cookie) and sent none back. A first visit (from a link in an email,
    a bookmark, another site) cannot tell yet, so it is not warned for nothing."""
    if request.cookies:
        return True
    referer = urlsplit(request.headers.get("Referer", ""))
    return f"{referer.scheme}://{referer.netloc}".lower() not in shop_origins(request)


# ---------------------------------------------------------------- preferences


async def remember(request: web.Request, key: str, value: str | int | None) -> None:
    """Remember a non-personal preference (chosen vehicle id, locale) in a cookie; None forgets."""
    if key not in REMEMBERED:
        raise ValueError(f"not a preference: {key}")
    if value is None or value == "":
        delete_cookie(request, key)
        request[keys.REMEMBERED][key] = None
    else:
        set_cookie(request, key, str(value), max_age=PREFERENCE_DAYS * 86400)
        request[keys.REMEMBERED][key] = str(value)


async def recall(request: web.Request, key: str) -> str | None:
    if key in request[keys.REMEMBERED]:
        return request[keys.REMEMBERED][key]
    value = read_cookie(request, key)
    if value is None or len(value) > 32:
        return None
    return value


# ---------------------------------------------------------------- flash messages
# A signed-in customer's flashes wait in the server session (an order number never rides in a
# cookie, P2); an anonymous visitor's in a short-lived signed cookie.


def flash(request: web.Request, message: str, **params: Any) -> None:
    """A one-time message (an English msgid + params) shown on the next page."""
    request[keys.FLASHES].append([message, params])


def _sign_flashes(request: web.Request, payload: bytes) -> str:
    mac = hmac.new(request.app[keys.SECRET], b"flash:" + payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(mac + payload).decode().rstrip("=")


async def store_flashes(request: web.Request) -> None:
    """Called by the middleware as a response leaves: keep new flashes for the next page."""
    new = request.get(keys.FLASHES)
    session = request.get(keys.SESSION)
    if session is not None:
        if new:
            session.data["flashes"] = (session.data.get("flashes", []) + new)[-5:]
            session.changed = True
        if session.changed:
            await request.app[keys.SESSION_STORE].save(session)
            session.changed = False
    elif new:
        payload = json.dumps(new[-5:], separators=(",", ":")).encode()
        set_cookie(request, "flash", _sign_flashes(request, payload), max_age=300)


def pop_flashes(request: web.Request) -> list[tuple[str, dict]]:
    """Flashes left by the previous response (a forged cookie shows nothing)."""
    found = []
    session = request.get(keys.SESSION)
    if session is not None and session.data.get("flashes"):
        found += _valid_flashes(session.data.pop("flashes"))
        session.changed = True
    raw = read_cookie(request, "flash")
    if raw:
        delete_cookie(request, "flash")
        found += _flashes_from_cookie(request, raw)
    return found


def _flashes_from_cookie(request: web.Request, raw: str) -> list[tuple[str, dict]]:
    try:
        blob = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        mac, payload = blob[:16], blob[16:]
        expected = hmac.new(request.app[keys.SECRET], b"flash:" + payload, hashlib.sha256).digest()[:16]
        if not hmac.compare_digest(mac, expected):
            return []
        return _valid_flashes(json.loads(payload))
    except (ValueError, TypeError):
        return []


def _valid_flashes(items: Any) -> list[tuple[str, dict]]:
    if not isinstance(items, list):
        return []
    return [(m, dict(p)) for m, p in (i for i in items if isinstance(i, list) and len(i) == 2)
            if isinstance(m, str) and isinstance(p, dict)]
