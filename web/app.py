"""The web application factory: `init_app(settings)`; resources live in `app.cleanup_ctx`."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import importlib
import logging
import os
import secrets
from collections.abc import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web

from core.config import Settings
from core.db import close_database, open_database
from web import keys
from web.middlewares import MIDDLEWARES
from web.page_cache import PageCache
from web.render import setup_static, setup_templates
from web.routes import setup_routes
from web.security import add_security_headers, security_headers
from web.server_log import hide_visitors_in_server_log
from web.session_stores import build_store

log = logging.getLogger("gearshop.web")
VISIT_QUEUE_SIZE = 10_000
VISIT_BATCH = 1_000


def init_app(settings: Settings, *, start_background: bool = True) -> web.Application:
    """Build the shop's web app; tests pass start_background=False (no worker, no queues)."""
    hide_visitors_in_server_log()  # aiohttp's own error lines name the client (P11)
    app = web.Application(client_max_size=settings.web.max_body_kb * 1024, middlewares=MIDDLEWARES)
    app[keys.SETTINGS] = settings
    # Without a configured key (development) tokens are signed with a key made for this process.
    app[keys.SECRET] = settings.web.session_key.encode() or secrets.token_bytes(32)
    app[keys.SECURITY_HEADERS] = security_headers(settings)
    app[keys.CSRF_EXEMPT_PATHS] = set()
    app[keys.REDIS] = None
    app[keys.PAYMENT_PROVIDERS] = _payment_providers(settings, app[keys.SECRET])
    app[keys.PAGE_CACHE] = PageCache(settings.web.catalogue_page_seconds)
    app.on_shutdown.append(close_page_cache)  # before the database closes (cleanup)
    setup_templates(app)
    setup_static(app)
    app.on_response_prepare.append(add_security_headers)
    app.cleanup_ctx.append(database_ctx)
    app.cleanup_ctx.append(redis_ctx)
    app.cleanup_ctx.append(http_client_ctx)
    if start_background:
        app.cleanup_ctx.append(visit_statistics_ctx)
        app.cleanup_ctx.append(retention_purge_ctx)
    if settings.bot.token and settings.bot.mode == "webhook":
        _setup_bot_webhook(app, settings)
    if start_background and settings.notifications.worker_in_process:
        app.cleanup_ctx.append(outbox_worker_ctx)
    setup_routes(app)
    return app


def contract(module: str, *names: str) -> tuple | None:
    """Names from another area's module, or None (logged) while that module does not exist yet."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if not exc.name or not module.startswith(exc.name):
            raise  # the module exists but something it imports is missing: a real error
        log.warning("%s is not available: %s", module, exc)
        return None
    return tuple(getattr(found, name) for name in names)


def _payment_providers(settings: Settings, secret: bytes) -> dict:
    found = contract("core.payments.service", "build_providers")
    # The sandbox bank signs with a key of its own, derived from the shop's secret.
    return found[0](settings, hmac.new(secret, b"payments", hashlib.sha256).digest()) if found else {}


async def close_page_cache(app: web.Application) -> None:
    await app[keys.PAGE_CACHE].close()


async def database_ctx(app: web.Application) -> AsyncIterator[None]:
    await open_database(app[keys.SETTINGS].database.url)
    yield
    await close_database()


async def redis_ctx(app: web.Application) -> AsyncIterator[None]:
    """Redis (when configured) backs sessions and rate limits; else the database does."""
    settings = app[keys.SETTINGS]
    client = None
    if settings.redis.url:
        import redis.asyncio as aioredis

        client = aioredis.from_url(settings.redis.url)
    app[keys.REDIS] = client
    app[keys.SESSION_STORE] = build_store(settings, client)
    limiters = contract("core.ratelimit", "DatabaseRateLimiter", "RedisRateLimiter")
    if limiters:
        app[keys.LIMITER] = limiters[1](client) if client is not None else limiters[0]()
    yield
    if client is not None:
        await client.aclose()


async def http_client_ctx(app: web.Application) -> AsyncIterator[None]:
    async with ClientSession(timeout=ClientTimeout(total=15)) as session:
        app[keys.HTTP_CLIENT] = session
        yield


async def visit_statistics_ctx(app: web.Application) -> AsyncIterator[None]:
    """P11 statistics are written by one background task, off the request path."""
    from core.privacy.visits import record_visits

    queue: asyncio.Queue = asyncio.Queue(maxsize=VISIT_QUEUE_SIZE)
    app[keys.VISIT_QUEUE] = queue

    async def write_visits() -> None:
        while True:
            # Everything that queued up during the last write goes in one go (one row update per
            # statistics row, not one commit per page view: docs/benchmarks.md).
            visits = [await queue.get()]
            while not queue.empty() and len(visits) < VISIT_BATCH:
                visits.append(queue.get_nowait())
            try:
                await record_visits(visits)
            except Exception:  # noqa: BLE001 - statistics must never stop the shop
                log.exception("visit statistics failed")

    task = asyncio.create_task(write_visits(), name="visit-statistics")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def retention_purge_ctx(app: web.Application) -> AsyncIterator[None]:
    """P17: the retention purge on its schedule (privacy.purge_interval_minutes), first at start-up."""
    from core.privacy.retention import purge_forever

    task = asyncio.create_task(purge_forever(app[keys.SETTINGS]), name="retention-purge")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def outbox_worker_ctx(app: web.Application) -> AsyncIterator[None]:
    """The outbox worker in this process (notifications.worker_in_process)."""
    registry = contract("core.notifications.registry", "build_adapters", "close_adapters")
    worker_class = contract("core.notifications.worker", "OutboxWorker")
    if not registry or not worker_class:
        yield
        return
    (build_adapters, close_adapters), (outbox_worker,) = registry, worker_class
    settings = app[keys.SETTINGS]
    adapters = build_adapters(settings)  # staff cards get the desk buttons from core
    worker = outbox_worker(settings, adapters, f"web-{os.getpid()}")
    app[keys.OUTBOX_WORKER] = worker
    task = asyncio.create_task(worker.run_forever(), name="outbox-worker")
    yield
    worker.stop()
    try:
        await asyncio.wait_for(task, timeout=10)
    except (asyncio.TimeoutError, asyncio.CancelledError):
        task.cancel()
    finally:
        await close_adapters(adapters)


def _setup_bot_webhook(app: web.Application, settings: Settings) -> None:
    """The Telegram bot inside this process, answering updates at bot.webhook_path."""
    builders = contract("bot.app", "build_bot", "build_dispatcher")
    webhook = contract("bot.webhook", "setup_webhook")
    if not builders or not webhook:
        return
    (build_bot, build_dispatcher), (setup_webhook,) = builders, webhook
    bot = build_bot(settings)
    # The bot's card-payment links must verify on this app's sandbox bank: the same providers.
    dispatcher = build_dispatcher(settings, providers=app[keys.PAYMENT_PROVIDERS])
    app[keys.BOT] = bot
    app[keys.DISPATCHER] = dispatcher
    # Telegram proves itself with the webhook secret header, not with a CSRF token.
    app[keys.CSRF_EXEMPT_PATHS].add(settings.bot.webhook_path)
    setup_webhook(app, settings, bot, dispatcher)
