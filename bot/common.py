"""Small helpers the routers share: answering in place, the user's cart owner and vehicle."""

from __future__ import annotations

from typing import Any

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message

from bot.prefs import Prefs
from core.carts.service import CartOwner, new_cart_token
from core.customers.models import Customer

Markup = Any


async def show(
    event: Message | CallbackQuery, text: str, markup: Markup = None, *, answered: bool = False
) -> Message | None:
    """Answer a message with a new one; answer a button by editing the message it sits under.

    A button press is answered (the spinner stops) unless the caller `answered` it already.
    """
    if isinstance(event, Message):
        return await event.answer(text, reply_markup=markup)
    message = event.message
    edited: Message | None = None
    if (
        message is not None
        and not isinstance(message, InaccessibleMessage)
        and (markup is None or isinstance(markup, InlineKeyboardMarkup))
    ):
        try:
            result = await message.edit_text(text, reply_markup=markup)
            edited = result if isinstance(result, Message) else message
        except TelegramBadRequest as error:
            if "not modified" in error.message:
                edited = message
    if edited is None and message is not None:
        edited = await event.bot.send_message(message.chat.id, text, reply_markup=markup)
    if not answered:
        await event.answer()
    return edited


async def cart_owner(customer: Customer | None, prefs: Prefs, *, create: bool = False) -> CartOwner | None:
    """The customer's cart, or the anonymous cart of this chat (its token lives in prefs only)."""
    if customer is not None:
        return CartOwner(customer_id=customer.id)
    token = await prefs.value("cart_token")
    if token is None and create:
        token = new_cart_token()
        await prefs.update(cart_token=token)
    return CartOwner(token=token) if token else None


async def chosen_vehicle(prefs: Prefs) -> tuple[int | None, str | None]:
    data = await prefs.get()
    return data.get("vehicle_id"), data.get("vehicle_label")
