"""/language: choose the language; kept on the customer when known, else for this chat."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import LanguageCb, Menu, MenuCb
from bot.prefs import Prefs
from core.config import Settings
from core.customers import accounts
from core.customers.models import Customer


async def language_command(message: Message, settings: Settings) -> None:
    await message.answer(_("Choose your language:"), reply_markup=keyboards.languages(settings.shop.locales))


async def language_button(callback: CallbackQuery, settings: Settings) -> None:
    await callback.message.answer(
        _("Choose your language:"), reply_markup=keyboards.languages(settings.shop.locales)
    )
    await callback.answer()


async def language_chosen(
    callback: CallbackQuery,
    callback_data: LanguageCb,
    customer: Customer | None,
    prefs: Prefs,
    settings: Settings,
    i18n: I18n,
) -> None:
    code = callback_data.code
    if code not in settings.shop.locales:
        await callback.answer(_("This language is not available."), show_alert=True)
        return
    await prefs.update(locale=code)
    if customer is not None and customer.locale != code:
        await accounts.update_profile(customer, {"locale": code}, channel="telegram")
    with i18n.use_locale(code):
        await callback.answer()
        await callback.message.answer(_("Language changed: English."), reply_markup=keyboards.main_menu())


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(language_command, Command("language"))
    router.callback_query.register(language_button, MenuCb.filter(F.item == Menu.LANGUAGE))
    router.callback_query.register(language_chosen, LanguageCb.filter())
    return router
