"""The part card: price, stock, fits the chosen vehicle or not, analogues, add to cart."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, texts
from bot.callbacks import PartAction, PartCb
from bot.common import cart_owner, chosen_vehicle, show
from bot.i18n import error_text
from bot.prefs import Prefs
from core.carts.service import add_to_cart
from core.catalogue.search import part_details
from core.customers.models import Customer
from core.errors import NotFound, ShopError


async def send_part_card(event: Message | CallbackQuery, part_id: int, prefs: Prefs, locale: str) -> None:
    vehicle_id, vehicle_label = await chosen_vehicle(prefs)
    try:
        details = await part_details(part_id, vehicle_id=vehicle_id)
    except NotFound:
        if vehicle_id is None:
            return await _part_gone(event)
        # The chosen vehicle left the catalogue: forget it and show the part without it.
        await prefs.update(vehicle_id=None, vehicle_label=None)
        try:
            details = await part_details(part_id)
        except NotFound:
            return await _part_gone(event)
        vehicle_label = None
    analogues = [(card.id, texts.search_result_line(card, locale)) for card in details.analogues]
    markup = keyboards.part_card(details.part.id, details.part.stock > 0, analogues)
    await show(event, texts.part_card(details, locale, vehicle_label), markup)


async def _part_gone(event: Message | CallbackQuery) -> None:
    sentence = _("This part is no longer in the catalogue.")
    if isinstance(event, CallbackQuery):
        await event.answer(sentence, show_alert=True)
    else:
        await event.answer(sentence)


async def show_part(callback: CallbackQuery, callback_data: PartCb, prefs: Prefs, locale: str) -> None:
    await send_part_card(callback, callback_data.part_id, prefs, locale)


async def add_part(
    callback: CallbackQuery, callback_data: PartCb, customer: Customer | None, prefs: Prefs, locale: str
) -> None:
    owner = await cart_owner(customer, prefs, create=True)
    try:
        view = await add_to_cart(owner, callback_data.part_id, 1)
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    await callback.answer(_("Added to your cart. Items in the cart: {count}").format(count=view.count))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(show_part, PartCb.filter(F.action == PartAction.SHOW))
    router.callback_query.register(add_part, PartCb.filter(F.action == PartAction.ADD))
    return router
