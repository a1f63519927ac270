"""Webhook mode: the bot answers Telegram inside the web app, at settings.bot.webhook_path.

Telegram proves each request with the secret token it was given in setWebhook; without a secret
anyone could post forged updates, so `setup_webhook` refuses to start without one.
"""

from __future__ import annotations

import asyncio
import json
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from core.config import ConfigError, Settings

log = logging.getLogger(__name__)
MIN_SECRET = 16


class ShopWebhookHandler(SimpleRequestHandler):
    """aiogram's handler, answering 400 (not 500) to a body that is not a JSON object."""

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self.bot):
            return web.Response(text="Unauthorized", status=401)
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(text="Bad Request: not JSON", status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(text="Bad Request: not an update", status=400)
        task = asyncio.create_task(self._background_feed_update(bot=self.bot, update=update))
        self._background_feed_update_tasks.add(task)
        task.add_done_callback(self._background_feed_update_tasks.discard)
        return web.json_response({})


def setup_webhook(app: web.Application, settings: Settings, bot: Bot, dispatcher: Dispatcher) -> None:
    """Mount the webhook route; on start-up tell Telegram where it is, on shutdown stop cleanly."""
    secret = settings.bot.webhook_secret
    if len(secret) < MIN_SECRET:
        raise ConfigError(
            f"{settings.source}: key 'bot.webhook_secret' is a required secret in webhook mode "
            f"({MIN_SECRET}+ characters): set GEARSHOP_BOT__WEBHOOK_SECRET"
        )
    ShopWebhookHandler(dispatcher, bot, secret_token=secret).register(app, path=settings.bot.webhook_path)
    dispatcher.startup.register(register_webhook)
    setup_application(app, dispatcher, bot=bot)


async def register_webhook(bot: Bot, settings: Settings, dispatcher: Dispatcher) -> None:
    url = settings.shop.base_url.rstrip("/") + settings.bot.webhook_path
    try:
        await bot.set_webhook(
            url,
            secret_token=settings.bot.webhook_secret,
            allowed_updates=dispatcher.resolve_used_update_types(),
        )
    except TelegramAPIError as error:
        # The shop keeps serving; the log says why Telegram does not reach the bot.
        log.error("Telegram refused the webhook %s: %s", url, error)
