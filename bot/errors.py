"""Unexpected failures (the database is down, a bug): logged, and the user gets a polite word."""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramAPIError
from aiogram.types import ErrorEvent

from bot.i18n import N_, text
from core.i18n import normalise_locale

log = logging.getLogger("gearshop.bot")
SORRY = N_("Sorry, something went wrong on our side. Nothing was changed; please try again in a minute.")


async def report_failure(event: ErrorEvent) -> None:
    update = event.update
    log.error("update %s failed", update.update_id, exc_info=event.exception)
    query, message, checkout = update.callback_query, update.message, update.pre_checkout_query
    user = (query or message or checkout).from_user if (query or message or checkout) else None
    sentence = text(normalise_locale(user.language_code if user else None), SORRY)
    try:
        if query is not None:
            await query.answer(sentence, show_alert=True)
        elif checkout is not None:
            # Unanswered, Telegram would keep the customer waiting ten seconds before failing.
            await checkout.answer(ok=False, error_message=sentence)
        elif message is not None and message.chat.type == "private":
            await message.answer(sentence)
    except TelegramAPIError:
        log.warning("could not tell the user about the failure of update %s", update.update_id)
