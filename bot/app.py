"""The bot's composition root: `build_bot(settings)` and `build_dispatcher(settings, **deps)`.

Services reach handlers by parameter name (aiogram's dependency injection): `settings`,
`providers` (card payment providers), `i18n`; per update the middlewares add `customer`,
`prefs` and `locale`. Routers are included in a fixed order, the fallback last.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.errors import report_failure
from bot.filters import PRIVATE, PRIVATE_BUTTON
from bot.flood import RetryAfterFloodWait
from bot.i18n import N_, ShopLocaleMiddleware, shop_i18n, text
from bot.middlewares import (
    DeduplicateUpdates,
    LoadCustomer,
    MemoryRecentUpdates,
    MemoryUpdateCounter,
    RedisRecentUpdates,
    RedisUpdateCounter,
    ThrottleUsers,
)
from bot.responses import KeepResponseTypes
from bot.routers import (
    cart,
    checkout,
    checkout_delivery,
    fallback,
    inline,
    language,
    orders,
    part,
    payments,
    privacy,
    profile,
    search,
    staff,
    start,
    vehicle,
)
from bot.strangers import Strangers
from core.config import ConfigError, Settings

log = logging.getLogger(__name__)

# Customer routers answer messages in private chats only; the staff router works in the group.
CUSTOMER_ROUTERS = (
    start,
    payments,  # before the conversations: a successful payment is recorded in any state
    language,
    vehicle,
    part,
    cart,
    checkout_delivery,
    checkout,
    orders,
    privacy,
    profile,
    inline,
    search,
)
COMMANDS = (
    ("start", N_("Main menu")),
    ("vehicle", N_("Choose your vehicle")),
    ("search", N_("Find parts")),
    ("cart", N_("Your cart")),
    ("orders", N_("Your orders")),
    ("language", N_("Change the language")),
    ("privacy", N_("How we handle your data")),
    ("mydata", N_("See, change and export your data")),
    ("forgetme", N_("Delete your account")),
    ("help", N_("What I can do")),
    ("cancel", N_("Stop what you are doing")),
)


def build_bot(settings: Settings, **kwargs: Any) -> Bot:
    """A Bot talking to settings.bot.api_server (Telegram's, or a self-hosted Bot API server)."""
    if not settings.bot.token:
        raise ConfigError(
            f"{settings.source}: key 'bot.token' is required to run the bot: set GEARSHOP_BOT__TOKEN"
        )
    session = shop_session(AiohttpSession(api=TelegramAPIServer.from_base(settings.bot.api_server)))
    return Bot(
        settings.bot.token, session=session, default=DefaultBotProperties(parse_mode="HTML"), **kwargs
    )


def shop_session(session: BaseSession) -> BaseSession:
    """The session's middlewares: answers' parsing classes kept, flood limits obeyed."""
    session.middleware(KeepResponseTypes())
    session.middleware(RetryAfterFloodWait())
    return session


def build_dispatcher(
    settings: Settings, *, storage: BaseStorage | None = None, providers: dict | None = None, **deps: Any
) -> Dispatcher:
    """The dispatcher with its storage, middlewares and routers; `deps` reach handlers by name."""
    storage, isolation, redis = _storage(settings, storage)
    i18n = shop_i18n(settings.shop.locales, settings.shop.default_locale)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        i18n=i18n,
        providers=_providers(settings) if providers is None else providers,
        **deps,
    )
    recent = RedisRecentUpdates(redis) if redis is not None else MemoryRecentUpdates()
    counter = RedisUpdateCounter(redis) if redis is not None else MemoryUpdateCounter()
    dispatcher.update.outer_middleware(DeduplicateUpdates(recent))
    # With memory storage one bot process makes every link itself, so it may remember strangers.
    strangers = Strangers() if isinstance(storage, MemoryStorage) else None
    dispatcher.update.outer_middleware(LoadCustomer(strangers))
    dispatcher.update.outer_middleware(ShopLocaleMiddleware(i18n))
    dispatcher.update.outer_middleware(ThrottleUsers(counter, settings.bot.updates_per_minute_per_user))
    dispatcher.include_router(_routers())
    dispatcher.errors.register(report_failure)
    dispatcher.startup.register(announce_commands)
    dispatcher.shutdown.register(close_storage)
    return dispatcher


def _routers() -> Router:
    root = Router(name="gearshop")
    staff_router = staff.build_router()
    root.include_router(start.build_router())  # /cancel first: it works in every state
    root.include_router(staff_router)
    for module in CUSTOMER_ROUTERS[1:]:
        router = module.build_router()
        router.message.filter(PRIVATE)
        router.callback_query.filter(PRIVATE_BUTTON)
        root.include_router(router)
    root.include_router(fallback.build_router())
    return root


def _storage(settings: Settings, storage: BaseStorage | None) -> tuple[BaseStorage, BaseEventIsolation, Any]:
    """FSM storage and per-user event isolation: Redis when configured, else memory."""
    if storage is None and settings.redis.url:
        from aiogram.fsm.storage.redis import RedisStorage

        storage = RedisStorage.from_url(settings.redis.url, key_builder=DefaultKeyBuilder(with_destiny=True))
    if storage is None:
        return MemoryStorage(), SimpleEventIsolation(), None
    redis = getattr(storage, "redis", None)
    isolation = storage.create_isolation() if redis is not None else SimpleEventIsolation()
    return storage, isolation, redis


def _providers(settings: Settings) -> dict:
    """Card payment providers for `python -m bot`; webhook mode should get the web app's own.

    The sandbox bank's key is derived from web.session_key exactly as the web app derives it, so a
    link made here is accepted by the web's sandbox bank page.
    """
    from core.payments.service import build_providers

    shop_secret = settings.web.session_key.encode()
    if not shop_secret:
        if "sandbox" in settings.payments.providers:
            log.warning(
                "web.session_key is empty: sandbox card payments started from the bot are accepted only by "
                "a web process with the same key (set GEARSHOP_WEB__SESSION_KEY)"
            )
        shop_secret = secrets.token_bytes(32)
    return build_providers(settings, hmac.new(shop_secret, b"payments", hashlib.sha256).digest())


STAFF_COMMANDS = (
    ("order", N_("Show an order's card with its buttons: /order GS-XXXX-XXXX")),
    ("cancel", N_("Stop what you are doing")),
    ("help", N_("What I can do")),
)


async def announce_commands(bot: Bot, settings: Settings) -> None:
    """The command menu Telegram shows, in each of the shop's languages: the customer's commands
    in private chats, the staff desk's in the staff group."""
    menus = [(COMMANDS, BotCommandScopeAllPrivateChats())]
    if settings.bot.staff_chat_id:
        menus.append((STAFF_COMMANDS, BotCommandScopeChat(chat_id=settings.bot.staff_chat_id)))
    for locale in settings.shop.locales:
        language = None if locale == settings.shop.default_locale else locale
        for entries, scope in menus:
            commands = [BotCommand(command=name, description=text(locale, about)) for name, about in entries]
            await bot.set_my_commands(commands, scope=scope, language_code=language)


async def close_storage(dispatcher: Dispatcher) -> None:
    await dispatcher.storage.close()
    await dispatcher.fsm.events_isolation.close()
