"""/orders: the customer's orders with their status, and one order's details."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot import keyboards, texts
from bot.callbacks import Menu, MenuCb, OrderCb, OrdersPageCb, PayCb
from bot.common import show
from core.config import Settings
from core.customers.models import Customer
from core.errors import NotFound
from core.orders.models import OrderStatus, PaymentMethod, PaymentState
from core.orders.queries import get_order_for, list_orders

SHOWN = 10


async def show_orders(
    event: Message | CallbackQuery, customer: Customer | None, locale: str, zone: str, page: int = 0
) -> None:
    orders = await list_orders(customer) if customer is not None else []
    if not orders:
        await show(event, _("You have no orders yet."))
        return
    shown, page, pages = keyboards.page_of(orders, page, SHOWN)
    entries = [
        (f"{order.number} · {texts.status_name(order.status)}", OrderCb(number=order.number))
        for order in shown
    ]
    markup = keyboards.choice_list(entries, page, pages, lambda p: OrdersPageCb(page=p), columns=1)
    lines = [_("<b>Your orders</b>")] + [texts.order_line(order, locale, zone) for order in shown]
    await show(event, "\n".join(lines), markup)


async def orders_command(
    message: Message, customer: Customer | None, locale: str, settings: Settings
) -> None:
    await show_orders(message, customer, locale, settings.shop.timezone)


async def orders_button(
    callback: CallbackQuery, customer: Customer | None, locale: str, settings: Settings
) -> None:
    await show_orders(callback, customer, locale, settings.shop.timezone)


async def orders_page(
    callback: CallbackQuery,
    callback_data: OrdersPageCb,
    customer: Customer | None,
    locale: str,
    settings: Settings,
) -> None:
    await show_orders(callback, customer, locale, settings.shop.timezone, callback_data.page)


async def order_details(
    callback: CallbackQuery, callback_data: OrderCb, customer: Customer | None, locale: str
) -> None:
    if customer is None:
        await callback.answer(_("Order not found."), show_alert=True)
        return
    try:
        order = await get_order_for(customer, callback_data.number)
    except NotFound:
        # Someone else's order, or a forged button: the same answer either way.
        await callback.answer(_("Order not found."), show_alert=True)
        return
    markup = None
    if (
        order.payment_method == PaymentMethod.CARD
        and order.payment_state in (PaymentState.PENDING, PaymentState.FAILED)
        and order.status != OrderStatus.CANCELLED
    ):
        builder = InlineKeyboardBuilder()
        builder.button(text=_("💳 Pay by card"), callback_data=PayCb(number=order.number))
        markup = builder.as_markup()
    await show(callback, texts.order_details(order, list(order.lines), locale), markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(orders_command, Command("orders"))
    router.callback_query.register(orders_button, MenuCb.filter(F.item == Menu.ORDERS))
    router.callback_query.register(orders_page, OrdersPageCb.filter())
    router.callback_query.register(order_details, OrderCb.filter())
    return router
