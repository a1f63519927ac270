"""Keeps the pydantic classes aiogram parses Bot API answers with, so they are built once.

aiogram parses every answer with `Response[T]`, T being the method's result type. pydantic
builds that generic class on first use and remembers it only weakly: once the answer is parsed
nothing holds the class, the garbage collector frees it, and the next call builds it again
(a whole pydantic schema: about a fifth of the bot's CPU per update; docs/benchmarks.md).
Installed on the Bot's session, this middleware holds one `Response[T]` per method class.
"""

from __future__ import annotations

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

# Per method class, for the life of the process: a few dozen classes at most.
_kept: dict[type, type] = {}


def kept_response_type(method_class: type[TelegramMethod]) -> type:
    """`Response[T]` for the method class's result type, built at most once per process."""
    kept = _kept.get(method_class)
    if kept is None:
        kept = _kept[method_class] = Response[method_class.__returning__]  # type: ignore[name-defined]
    return kept


class KeepResponseTypes(BaseRequestMiddleware):
    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        kept_response_type(type(method))
        return await make_request(bot, method)
