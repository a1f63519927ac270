"""Telegram flood limits: a call answered with 429 is repeated after `retry_after` seconds.

Installed on the Bot's session, so every call (replies, card edits, staff posts) obeys it. A wait
longer than `max_wait` is not done in-line: the error goes up (the outbox retries later).
"""

from __future__ import annotations

import asyncio
import logging

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)


class RetryAfterFloodWait(BaseRequestMiddleware):
    def __init__(self, attempts: int = 3, max_wait: float = 30.0, sleep=asyncio.sleep) -> None:
        self.attempts = attempts
        self.max_wait = max_wait
        self._sleep = sleep

    async def __call__(
        self, make_request: NextRequestMiddlewareType[TelegramType], bot, method: TelegramMethod[TelegramType]
    ) -> Response[TelegramType]:
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as flood:
                if attempt == self.attempts or flood.retry_after > self.max_wait:
                    raise
                log.warning(
                    "Telegram flood limit on %s: waiting %s s", method.__api_method__, flood.retry_after
                )
                await self._sleep(flood.retry_after)
        raise AssertionError("unreachable")  # pragma: no cover
