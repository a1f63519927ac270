"""Search by typing: an article number, an OE number or words; results page by page."""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, texts
from bot.callbacks import Menu, MenuCb, SearchCb
from bot.common import chosen_vehicle, show
from bot.filters import PLAIN_TEXT, PRIVATE
from bot.i18n import error_text
from bot.prefs import Prefs
from core.catalogue.models import Category
from core.catalogue.search import SearchPage, search_parts
from core.errors import ShopError

MAX_QUERY = 100  # longer than any article number or a sensible list of words
PER_PAGE = 8


def prompt() -> str:
    return _("Type an article number (for example 0986452041), an OE number or a few words.")


async def search_command(message: Message) -> None:
    await message.answer(prompt())


async def search_button(callback: CallbackQuery) -> None:
    await callback.message.answer(prompt())
    await callback.answer()


async def search_typed(message: Message, prefs: Prefs, locale: str) -> None:
    query = " ".join(message.text.split())
    if len(query) > MAX_QUERY:
        await message.answer(
            _(
                "That is too long for a search. Send an article number or a few words "
                "(at most {limit} characters)."
            ).format(limit=MAX_QUERY)
        )
        return
    if not query:
        await message.answer(prompt())
        return
    await prefs.update(query=query)
    await show_results(message, prefs, locale, query=query, page=0)


async def search_page(callback: CallbackQuery, callback_data: SearchCb, prefs: Prefs, locale: str) -> None:
    if callback_data.category:
        category = await Category.get_or_none(id=callback_data.category)
        if category is None:
            await callback.answer(_("This category is no longer in the catalogue."), show_alert=True)
            return
        await show_results(callback, prefs, locale, category=category, page=callback_data.page)
        return
    query = await prefs.value("query")
    if not query:
        await callback.answer(_("This search has expired. Please type it again."), show_alert=True)
        return
    await show_results(callback, prefs, locale, query=query, page=callback_data.page)


async def show_results(
    event: Message | CallbackQuery,
    prefs: Prefs,
    locale: str,
    *,
    query: str = "",
    category: Category | None = None,
    page: int = 0,
) -> None:
    vehicle_id, vehicle_label = await chosen_vehicle(prefs)
    slug = category.slug if category else None
    try:
        result = await _find(query, vehicle_id, slug, page)
        fitting = vehicle_id is not None and result.total > 0
        if vehicle_id is not None and not fitting:
            # Nothing listed for the chosen car: show what exists, marked as not fitting it.
            result = await _find(query, None, slug, page)
    except ShopError as error:
        await show(event, error_text(error, locale))
        return
    subject = escape(category.name_in(locale)) if category else escape(query)
    if not result.items:
        await show(
            event,
            _("Nothing found for “{query}”. Check the number or try other words.").format(query=subject),
        )
        return
    if category is not None:
        heading = _("In the category “{name}”: {total}.").format(name=subject, total=result.total)
    else:
        heading = _("Found {total} for “{query}”.").format(total=result.total, query=subject)
    if fitting:
        heading += "\n" + _("✅ All of these fit your {vehicle}.").format(vehicle=escape(vehicle_label))
    elif vehicle_id is not None:
        heading += "\n" + _("❌ None of these is listed for your {vehicle}.").format(
            vehicle=escape(vehicle_label)
        )
    lines = [texts.search_result_line(card, locale) for card in result.items]
    markup = keyboards.search_results(
        result.items, lines, result.page - 1, result.pages, category=category.id if category else 0
    )
    await show(event, heading, markup)


async def _find(query: str, vehicle_id: int | None, category: str | None, page: int) -> SearchPage:
    """A page of results; a page past the end (an old button) shows the last page."""
    result = await search_parts(
        query, vehicle_id=vehicle_id, category=category, page=max(page, 0) + 1, per_page=PER_PAGE
    )
    if not result.items and result.total and page + 1 > result.pages:
        result = await search_parts(
            query, vehicle_id=vehicle_id, category=category, page=result.pages, per_page=PER_PAGE
        )
    return result


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(search_command, Command("search"))
    router.callback_query.register(search_button, MenuCb.filter(F.item == Menu.SEARCH))
    router.message.register(search_typed, StateFilter(None), PRIVATE, PLAIN_TEXT)
    router.callback_query.register(search_page, SearchCb.filter())
    return router
