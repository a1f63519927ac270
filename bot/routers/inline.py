"""Inline mode: `@bot 0986452041` in any chat lists matching parts; a result opens the part here."""

from __future__ import annotations

from html import escape

from aiogram import Router
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from aiogram.utils.i18n import gettext as _

from bot import texts
from core.catalogue.search import search_parts
from core.errors import ShopError
from core.i18n import format_price

PER_PAGE = 20
MAX_QUERY = 100
MAX_PAGE = 50


async def inline_search(query: InlineQuery, locale: str) -> None:
    text = " ".join(query.query.split())
    page = int(query.offset) if query.offset.isdigit() else 1
    if not text or len(text) > MAX_QUERY or not 1 <= page <= MAX_PAGE:
        await query.answer([], cache_time=5, is_personal=False)
        return
    try:
        result = await search_parts(text, page=page, per_page=PER_PAGE)
    except ShopError:
        await query.answer([], cache_time=5, is_personal=False)
        return
    username = (await query.bot.me()).username
    articles = [article(card, locale, username) for card in result.items]
    next_offset = str(page + 1) if page < result.pages else ""
    # Personal: the results are in the asking user's language (texts and price format), so
    # Telegram must not hand one user's cached answer to everyone who types the same number.
    await query.answer(articles, cache_time=30, is_personal=True, next_offset=next_offset)


def article(card, locale: str, username: str | None) -> InlineQueryResultArticle:
    price = format_price(card.price, card.currency, locale)
    body = "\n".join(
        [
            f"<b>{escape(card.brand)} {escape(card.article)}</b>",
            escape(card.name),
            _("Price: {price}").format(price=price),
            texts.stock_text(card.stock),
        ]
    )
    markup = None
    if username:
        url = f"https://t.me/{username}?start=part_{card.id}"
        markup = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text=_("Open in the shop bot"), url=url)]]
        )
    return InlineQueryResultArticle(
        id=f"part-{card.id}",
        title=f"{card.brand} {card.article} — {card.name}"[:128],
        description=f"{price} · {texts.stock_text(card.stock)}",
        input_message_content=InputTextMessageContent(message_text=body, parse_mode="HTML"),
        reply_markup=markup,
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.inline_query.register(inline_search)
    return router
