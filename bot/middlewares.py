"""Update-level middlewares, in the order they run after aiogram's own:

1. `DeduplicateUpdates`: an update_id seen before (Telegram re-delivers after a timeout) is
   dropped, so a repeated update changes nothing.
2. `LoadCustomer`: the customer linked to the Telegram user (or None; `bot.strangers` remembers
   users with none) and the user's `Prefs`; a customer marked unreachable (they had blocked the
   bot) who writes to the bot is reachable again.
3. `bot.i18n.ShopLocaleMiddleware` picks the language.
4. `ThrottleUsers`: at most `bot.updates_per_minute_per_user` updates per user and minute.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update, User
from aiogram.utils.i18n import gettext as _

from bot.prefs import Prefs
from bot.strangers import Strangers, find_customer
from core.customers.telegram_link import mark_telegram_reachable

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


# ---------------------------------------------------------------- repeated updates


class RecentUpdates(Protocol):
    async def first_time(self, bot_id: int, update_id: int) -> bool: ...


class MemoryRecentUpdates:
    """The last `size` update ids per bot, in memory (one process)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[tuple[int, int], None] = OrderedDict()

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        key = (bot_id, update_id)
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


class RedisRecentUpdates:
    """Seen update ids in Redis, so several webhook processes agree; forgotten after a day."""

    def __init__(self, redis: Any, ttl_seconds: int = 86_400) -> None:
        self._redis = redis
        self._ttl = ttl_seconds

    async def first_time(self, bot_id: int, update_id: int) -> bool:
        return bool(
            await self._redis.set(f"gearshop:bot:update:{bot_id}:{update_id}", 1, nx=True, ex=self._ttl)
        )


class DeduplicateUpdates(BaseMiddleware):
    def __init__(self, recent: RecentUpdates) -> None:
        self.recent = recent

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        assert isinstance(event, Update)
        if not await self.recent.first_time(data["bot"].id, event.update_id):
            return None
        return await handler(event, data)


# ---------------------------------------------------------------- throttling


class UpdateCounter(Protocol):
    async def count_update(self, user_id: int, window_seconds: int) -> int: ...


class MemoryUpdateCounter:
    """Fixed one-minute windows per user, in memory; stale windows are dropped as it grows."""

    def __init__(self, max_users: int = 100_000) -> None:
        self._windows: dict[int, tuple[float, int]] = {}
        self._max_users = max_users

    async def count_update(self, user_id: int, window_seconds: int) -> int:
        now = time.monotonic()
        ends, count = self._windows.get(user_id, (0.0, 0))
        if ends <= now:
            ends, count = now + window_seconds, 0
            if len(self._windows) >= self._max_users:
                self._windows = {u: w for u, w in self._windows.items() if w[0] > now}
        self._windows[user_id] = (ends, count + 1)
        return count + 1


class RedisUpdateCounter:
    def __init__(self, redis: Any) -> None:
        self._redis = redis

    async def count_update(self, user_id: int, window_seconds: int) -> int:
        key = f"gearshop:bot:throttle:{user_id}:{int(time.time()) // window_seconds}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, window_seconds + 5)
            count, _ = await pipe.execute()
        return int(count)


class ThrottleUsers(BaseMiddleware):
    """Drops a user's updates past the limit and says so once per window.

    Registered after the locale middleware, so the answer is in the user's language.
    """

    WINDOW_SECONDS = 60

    def __init__(self, counter: UpdateCounter, per_minute: int) -> None:
        self.counter = counter
        self.per_minute = per_minute

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self.per_minute <= 0 or is_payment(event):
            return await handler(event, data)
        count = await self.counter.count_update(user.id, self.WINDOW_SECONDS)
        if count <= self.per_minute:
            return await handler(event, data)
        assert isinstance(event, Update)
        sentence = _("Too many requests. Please wait a minute and try again.")
        if event.callback_query is not None:
            await event.callback_query.answer(sentence)
        elif event.message is not None and count == self.per_minute + 1:
            await event.message.answer(sentence)
        return None


def is_payment(event: TelegramObject) -> bool:
    """Telegram Payments' updates are never throttled: the money is being (or was) taken."""
    assert isinstance(event, Update)
    return event.pre_checkout_query is not None or (
        event.message is not None and event.message.successful_payment is not None
    )


# ---------------------------------------------------------------- customer


class LoadCustomer(BaseMiddleware):
    """`customer` (linked to this Telegram user and active, or None) and `prefs` for handlers.

    With `strangers`, users known to have no customer are not looked up again (bot.strangers).
    """

    def __init__(self, strangers: Strangers | None = None) -> None:
        self.strangers = strangers

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        if self.strangers is not None:
            customer = await self.strangers.customer_of(user.id)
        else:
            customer = await find_customer(user.id)
        if customer is not None and customer.telegram_unreachable_at is not None and writes_to_bot(event):
            await mark_telegram_reachable(customer)  # they wrote, so the bot is no longer blocked
        data["customer"] = customer
        data["prefs"] = Prefs(data["fsm_storage"], data["bot"].id, user.id)
        return await handler(event, data)


def writes_to_bot(event: TelegramObject) -> bool:
    """A message or a button press in the private chat: the user has the bot open (not blocked).
    (`my_chat_member` updates are not: Telegram sends one when the user blocks the bot.)"""
    assert isinstance(event, Update)
    if event.message is not None:
        return event.message.chat.type == "private"
    message = event.callback_query.message if event.callback_query is not None else None
    return message is not None and message.chat.type == "private"


def message_or_callback(event: Message | CallbackQuery) -> Message | None:
    return event if isinstance(event, Message) else event.message  # type: ignore[return-value]
