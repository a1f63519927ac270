"""The cart: see it, change quantities, remove lines, go to checkout."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, texts
from bot.callbacks import CartAction, CartCb, Menu, MenuCb
from bot.common import cart_owner, show
from bot.i18n import error_text
from bot.prefs import Prefs
from core.carts.service import CartView, get_cart_view, remove_line, set_quantity
from core.config import Settings
from core.customers.models import Customer
from core.errors import ShopError


async def current_cart(customer: Customer | None, prefs: Prefs, settings: Settings) -> CartView:
    owner = await cart_owner(customer, prefs)
    if owner is None:
        return CartView(lines=[], subtotal=0, currency=settings.shop.currency, count=0)
    return await get_cart_view(owner, currency=settings.shop.currency)


async def show_cart(
    event: Message | CallbackQuery,
    customer: Customer | None,
    prefs: Prefs,
    settings: Settings,
    locale: str,
    *,
    page: int = 0,
    answered: bool = False,
) -> None:
    view = await current_cart(customer, prefs, settings)
    lines, page, pages = keyboards.page_of(view.lines, page, keyboards.CART_PAGE)
    markup = keyboards.cart(lines, page, pages)
    await show(event, texts.cart_text(view, locale, lines), markup, answered=answered)


async def cart_command(
    message: Message, customer: Customer | None, prefs: Prefs, settings: Settings, locale: str
) -> None:
    await show_cart(message, customer, prefs, settings, locale)


async def cart_button(
    callback: CallbackQuery, customer: Customer | None, prefs: Prefs, settings: Settings, locale: str
) -> None:
    await show_cart(callback, customer, prefs, settings, locale)


async def cart_page(
    callback: CallbackQuery,
    callback_data: CartCb,
    customer: Customer | None,
    prefs: Prefs,
    settings: Settings,
    locale: str,
) -> None:
    await show_cart(callback, customer, prefs, settings, locale, page=callback_data.page)


async def change_line(
    callback: CallbackQuery,
    callback_data: CartCb,
    customer: Customer | None,
    prefs: Prefs,
    settings: Settings,
    locale: str,
) -> None:
    owner = await cart_owner(customer, prefs)
    view = await current_cart(customer, prefs, settings)
    line = next((line for line in view.lines if line.part_id == callback_data.part_id), None)
    if owner is None or line is None:
        await callback.answer(_("This part is no longer in your cart."), show_alert=True)
        return await show_cart(
            callback, customer, prefs, settings, locale, page=callback_data.page, answered=True
        )
    try:
        if callback_data.action == CartAction.REMOVE:
            await remove_line(owner, line.part_id)
        else:
            step = 1 if callback_data.action == CartAction.MORE else -1
            await set_quantity(owner, line.part_id, line.quantity + step)
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    await show_cart(callback, customer, prefs, settings, locale, page=callback_data.page)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cart_command, Command("cart"))
    router.callback_query.register(cart_button, MenuCb.filter(F.item == Menu.CART))
    router.callback_query.register(cart_page, CartCb.filter(F.action == CartAction.SHOW))
    router.callback_query.register(
        change_line, CartCb.filter(F.action.in_({CartAction.MORE, CartAction.LESS, CartAction.REMOVE}))
    )
    return router
