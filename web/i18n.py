"""The request's language: the account's, then the `locale` cookie, then Accept-Language.

Sets request[keys.LOCALE] and request[keys.GETTEXT]; templates get `_`, `format_price`,
`format_day` bound to it (see web.render).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from aiohttp import web

from core import i18n as core_i18n
from web import keys
from web.security import read_post, safe_next
from web.sessions import current_customer, recall, remember

LANGUAGE_NAMES = {"en": "English", "uk": "Українська", "ru": "Русский", "es": "Español"}


def parse_accept_language(header: str, allowed: tuple[str, ...]) -> str | None:
    """The best allowed language of an Accept-Language header ('uk-UA,uk;q=0.9,en;q=0.5')."""
    choices = []
    for position, item in enumerate(header.split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        short = tag.strip().replace("_", "-").split("-")[0].lower()
        if short in allowed and quality > 0:
            choices.append((-quality, position, short))
    return min(choices)[2] if choices else None


def gettext_for(locale: str) -> Callable[[str], str]:
    return partial(core_i18n.gettext, locale)


async def resolve_locale(request: web.Request) -> str:
    settings = request.app[keys.SETTINGS]
    allowed = settings.shop.locales
    customer = await current_customer(request)
    if customer is not None and customer.locale in allowed:
        return customer.locale
    remembered = await recall(request, "locale")
    if remembered in allowed:
        return remembered
    header = request.headers.get("Accept-Language", "")
    return parse_accept_language(header, allowed) or settings.shop.default_locale


def use_locale(request: web.Request, locale: str) -> None:
    request[keys.LOCALE] = locale
    request[keys.GETTEXT] = gettext_for(locale)


def request_gettext(request: web.Request) -> Callable[[str], str]:
    """The request's gettext, or the default language's before the middleware ran."""
    if keys.GETTEXT in request:
        return request[keys.GETTEXT]
    return gettext_for(request.app[keys.SETTINGS].shop.default_locale)


async def change_language(request: web.Request) -> web.StreamResponse:
    """POST /language: remember the choice (and keep it on the account when signed in)."""
    form = await read_post(request)
    locale = str(form.get("locale", ""))
    if locale not in request.app[keys.SETTINGS].shop.locales:
        raise web.HTTPBadRequest(text="unknown language")
    await remember(request, "locale", locale)
    customer = await current_customer(request)
    if customer is not None and customer.locale != locale:
        customer.locale = locale
        await customer.save(update_fields=["locale"])
    raise web.HTTPSeeOther(safe_next(request, str(form.get("next", ""))))
