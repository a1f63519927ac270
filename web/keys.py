"""Every typed application key of the web app, in one place (plain string keys fail the suite)."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import ClientSession, web

from core.config import Settings

SETTINGS = web.AppKey("settings", Settings)
# Secret for HMAC-signed values (CSRF tokens, flash cookies): settings.web.session_key or random.
SECRET = web.AppKey("secret", bytes)
# core.ratelimit limiter: DatabaseRateLimiter, or RedisRateLimiter when redis.url is set.
LIMITER = web.AppKey("limiter", Any)
# {provider name: core.payments.ports.PaymentProvider}
PAYMENT_PROVIDERS = web.AppKey("payment_providers", dict)
# redis.asyncio.Redis when settings.redis.url is set, else None.
REDIS = web.AppKey("redis", Any)
HTTP_CLIENT = web.AppKey("http_client", ClientSession)
# web.sessions.SessionStore (database or Redis)
SESSION_STORE = web.AppKey("session_store", Any)
# {"css/app.css": "css/app.<hash>.css"} and the reverse, for static_url()
# Security headers computed once from settings, added to every response.
SECURITY_HEADERS = web.AppKey("security_headers", dict)
STATIC_NAMES = web.AppKey("static_names", dict)
STATIC_FILES = web.AppKey("static_files", dict)
# Paths that skip the CSRF check (server-to-server callbacks such as the bot webhook).
CSRF_EXEMPT_PATHS = web.AppKey("csrf_exempt_paths", set)
# Visit statistics (P11) recorded off the request path when background tasks run.
VISIT_QUEUE = web.AppKey("visit_queue", asyncio.Queue)
OUTBOX_WORKER = web.AppKey("outbox_worker", Any)
BOT = web.AppKey("bot", Any)
DISPATCHER = web.AppKey("dispatcher", Any)
# web.page_cache.PageCache: rendered catalogue pages of this process.
PAGE_CACHE = web.AppKey("page_cache", Any)

# ---------------------------------------------------------------- per-request keys
# Plain string request keys warn (NotAppKeyWarning) and fail the suite: use these.
LOCALE = web.RequestKey("locale", str)
GETTEXT = web.RequestKey("gettext", Any)  # Callable[[str], str] for request[LOCALE]
SESSION = web.RequestKey("session", Any)  # web.sessions.WebSession | None, loaded by a middleware
CUSTOMER = web.RequestKey("customer", Any)  # core.customers.models.Customer | None, cached
COOKIE_QUEUE = web.RequestKey("cookie_queue", list)  # cookies to set on whatever response goes out
CSRF_ANON = web.RequestKey("csrf_anon", str)  # the anonymous CSRF cookie value of this request
FLASHES = web.RequestKey("flashes", list)  # flash messages added during this request
REMEMBERED = web.RequestKey("remembered", dict)  # preferences remembered during this request
STARTED_AT = web.RequestKey("started_at", Any)  # datetime (UTC) when this request began
CSRF_MARKER = web.RequestKey("csrf_marker", str)  # set while a page renders for the page cache
LIVE_DATA = web.RequestKey("live_data", Any)  # web.page_cache.LiveData the page being kept shows
