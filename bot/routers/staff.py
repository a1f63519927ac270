"""The staff desk in the staff group: Confirm, Ship (asks for the tracking number), Cancel.

Only the Telegram ids in `bot.staff_user_ids` may press the buttons; anyone else gets an alert
and nothing changes. The card is edited to show the new status and who changed it; the customer
is told by the messages `change_status` queues.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ForceReply, InaccessibleMessage, Message, User
from aiogram.utils.i18n import gettext as _

from bot.callbacks import StaffAction, StaffCb
from bot.filters import HAS_TEXT, IN_GROUP
from bot.i18n import error_text
from bot.staff import order_card_markup, order_card_text, staff_locale, with_footer
from bot.states import StaffShip
from core.config import Settings
from core.errors import NotFound, ShopError, ValidationError
from core.orders.models import OrderStatus
from core.orders.queries import get_order
from core.orders.status import REFUSALS, change_status

log = logging.getLogger(__name__)

TARGETS = {
    StaffAction.CONFIRM: OrderStatus.CONFIRMED,
    StaffAction.CANCEL: OrderStatus.CANCELLED,
    StaffAction.DELIVERED: OrderStatus.DELIVERED,
}


def is_staff(user: User | None, settings: Settings) -> bool:
    return user is not None and user.id in settings.bot.staff_user_ids


def actor(user: User) -> str:
    return f"staff:telegram:{user.id}"


async def staff_button(
    callback: CallbackQuery, callback_data: StaffCb, state: FSMContext, settings: Settings, locale: str
) -> None:
    message = callback.message
    if (
        not is_staff(callback.from_user, settings)
        or message is None
        or message.chat.id != settings.bot.staff_chat_id
    ):
        await callback.answer(_("Only shop staff can do this, in the staff group."), show_alert=True)
        return
    try:
        order = await get_order(callback_data.number)
    except NotFound:
        await callback.answer(_("Order not found."), show_alert=True)
        return
    if callback_data.action == StaffAction.SHIP:
        if order.status != OrderStatus.CONFIRMED:
            await callback.answer(
                error_text(ValidationError(REFUSALS[OrderStatus.SHIPPED]), locale), show_alert=True
            )
            return
        await ask_tracking(callback, state, order, await card_text(message, order, settings))
        return
    try:
        order = await change_status(order, TARGETS[callback_data.action], actor=actor(callback.from_user))
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    card_locale = staff_locale(settings)
    text = with_footer(
        await card_text(message, order, settings),
        OrderStatus(order.status),
        callback.from_user.full_name,
        card_locale,
    )
    await update_card(callback.bot, message.chat.id, message.message_id, text, order, card_locale)
    await callback.answer(_("Done."))


async def card_text(message: Message | InaccessibleMessage, order, settings: Settings) -> str:
    """The card's current text; a card too old for Telegram to show is rebuilt from the order."""
    if isinstance(message, Message) and message.text:
        return message.html_text
    await order.fetch_related("lines")
    return order_card_text(order, staff_locale(settings))


async def update_card(bot, chat_id: int, message_id: int, text: str, order, locale: str) -> None:
    """Edit the card; if Telegram refuses (deleted, too old), post it again so staff see the status."""
    markup = order_card_markup(order, locale)
    try:
        await bot.edit_message_text(text, chat_id=chat_id, message_id=message_id, reply_markup=markup)
    except TelegramBadRequest as error:
        log.warning("could not edit the card of order %s: %s", order.number, error.message)
        await bot.send_message(chat_id, text, reply_markup=markup)


async def ask_tracking(callback: CallbackQuery, state: FSMContext, order, card_html: str) -> None:
    user, number = callback.from_user, order.number
    await state.set_state(StaffShip.tracking)
    await state.update_data(number=number, card_id=callback.message.message_id, card_html=card_html)
    mention = f'<a href="tg://user?id={user.id}">{escape(user.full_name)}</a>'
    await callback.bot.send_message(
        callback.message.chat.id,
        _(
            "{who}, reply with the tracking number of order {number} (letters, digits and dashes), "
            "or “-” if there is none. /cancel to stop."
        ).format(who=mention, number=escape(number)),
        reply_markup=ForceReply(selective=True, input_field_placeholder=_("Tracking number")),
    )
    await callback.answer()


async def tracking_given(message: Message, state: FSMContext, settings: Settings, locale: str) -> None:
    if not is_staff(message.from_user, settings):
        await state.clear()
        return
    data = await state.get_data()
    tracking = "" if message.text.strip() == "-" else message.text.strip()
    try:
        order = await get_order(data["number"])
        if order.status != OrderStatus.CONFIRMED:
            # Cancelled (or shipped) by someone else meanwhile: stop asking for the number.
            await state.clear()
            raise ValidationError(REFUSALS[OrderStatus.SHIPPED])
        order = await change_status(
            order, OrderStatus.SHIPPED, actor=actor(message.from_user), tracking_number=tracking
        )
    except ShopError as error:
        await message.reply(error_text(error, locale))
        return
    await state.clear()
    card_locale = staff_locale(settings)
    text = with_footer(
        data["card_html"],
        OrderStatus.SHIPPED,
        message.from_user.full_name,
        card_locale,
        order.tracking_number,
    )
    await update_card(message.bot, message.chat.id, data["card_id"], text, order, card_locale)
    await message.reply(
        _("Order {number} is shipped; the customer is told.").format(number=escape(order.number))
    )


async def show_order_card(message: Message, command: CommandObject, settings: Settings) -> None:
    """`/order <number>` in the staff group posts the order's card with its buttons again."""
    if not is_staff(message.from_user, settings) or message.chat.id != settings.bot.staff_chat_id:
        return
    try:
        order = await get_order(command.args or "")
    except NotFound:
        await message.reply(_("Order not found."))
        return
    card_locale = staff_locale(settings)
    await message.answer(
        order_card_text(order, card_locale), reply_markup=order_card_markup(order, card_locale)
    )


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(staff_button, StaffCb.filter())
    router.message.register(tracking_given, StateFilter(StaffShip.tracking), HAS_TEXT)
    router.message.register(show_order_card, Command("order"), IN_GROUP)
    return router
