"""The bot's translations: aiogram's I18n fed from the shared Babel catalogs (core.i18n).

The locale of an update is, in order: the language stored on the customer (set by /language),
the one chosen in this chat before the customer was known, Telegram's `language_code`, the
shop's default.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n.middleware import I18nMiddleware

from core import i18n as core_i18n
from core.errors import ShopError

# Native names of the languages, shown on the /language buttons.
LANGUAGE_NAMES = {"en": "English", "uk": "Українська", "ru": "Русский", "es": "Español"}


def shop_i18n(locales: tuple[str, ...], default_locale: str) -> I18n:
    """aiogram's I18n holding the merged .po catalogs of every area (no compile step).

    Not a subclass: aiogram's `gettext` looks the instance up through I18n's own context variable.
    The domain names no file, so I18n's own loader finds nothing and the catalogs are set here.
    """
    i18n = I18n(path=core_i18n.LOCALES_DIR, default_locale=default_locale, domain="gearshop-merged")
    i18n.locales = {locale: core_i18n.translations(locale) for locale in locales}
    return i18n


class ShopLocaleMiddleware(I18nMiddleware):
    """Chooses the locale of each update; runs after the customer middleware."""

    def __init__(self, i18n: I18n) -> None:
        super().__init__(i18n=i18n)

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        allowed = self.i18n.available_locales
        customer = data.get("customer")
        if customer is not None and customer.locale in allowed:
            return customer.locale
        prefs = data.get("prefs")
        if prefs is not None:
            chosen = (await prefs.get()).get("locale")
            if chosen in allowed:
                return chosen
        user: User | None = data.get("event_from_user")
        if user is not None and user.language_code:
            return core_i18n.normalise_locale(user.language_code, allowed=allowed)
        return self.i18n.default_locale

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        locale = await self.get_locale(event, data)
        data["locale"] = locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return await handler(event, data)


def N_(message: str) -> str:
    """Marks a sentence for the catalog where it is defined; it is translated where it is shown."""
    return message


def text(locale: str, message: str) -> str:
    """Translate outside an update (the staff card built by the notifications worker)."""
    return core_i18n.gettext(locale, message)


def error_text(error: ShopError, locale: str) -> str:
    """A core error in the customer's language: what is wrong with each field, else the message."""

    def translate(message: str) -> str:
        return core_i18n.gettext(locale, message)

    fields = error.localized_fields(translate)
    if fields:
        return "\n".join(dict.fromkeys(fields.values()))
    return error.localized(translate)
