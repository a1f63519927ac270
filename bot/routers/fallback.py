"""Included last: whatever no other router took gets a polite answer and changes nothing."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.filters import COMMAND_LIKE, NOT_PRIVATE, PRIVATE


async def group_chatter(message: Message) -> None:
    """The staff group talks among itself; the bot only answers its own commands there."""


async def unknown_command(message: Message) -> None:
    await message.answer(_("I don't know this command. /help lists what I can do."))


async def not_text(message: Message) -> None:
    """A sticker, photo, voice message or anything else that is not text."""
    await message.answer(
        _("I understand text and buttons. Type an article number or a few words, or see /help.")
    )


async def unexpected_answer(message: Message) -> None:
    """Inside a conversation: a sticker where text is expected, an over-long answer, a stray command."""
    await message.answer(_("Please answer the question above with text, or send /cancel to stop."))


async def edited(message: Message) -> None:
    """An edited message: what it asked for was answered already; the edit is not acted on."""
    await message.reply(_("I don't act on edited messages. Please send the corrected text as a new message."))


async def unknown_button(callback: CallbackQuery) -> None:
    """Forged, malformed or stale callback data."""
    await callback.answer(
        _("This button is no longer valid. Please open the menu again with /start."), show_alert=True
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(group_chatter, NOT_PRIVATE)
    router.message.register(unknown_command, StateFilter(None), COMMAND_LIKE)
    router.message.register(not_text, StateFilter(None))
    router.message.register(unexpected_answer)
    router.edited_message.register(edited, PRIVATE)
    router.callback_query.register(unknown_button)
    return router
