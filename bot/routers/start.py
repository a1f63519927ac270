"""/start (with the main menu and deep links), /help and /cancel, which works in every state."""

from __future__ import annotations

import re
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import CheckoutCb, CheckoutStep, Menu, MenuCb
from bot.filters import PRIVATE, PRIVATE_BUTTON
from bot.i18n import error_text
from bot.prefs import Prefs
from bot.routers.part import send_part_card
from core.carts.service import merge_carts
from core.config import Settings
from core.customers import telegram_link
from core.errors import ShopError

PART_LINK = re.compile(r"part_(\d{1,10})")
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def welcome(settings: Settings) -> str:
    return _(
        "Welcome to {shop}! Choose your vehicle, then search parts by article number, OE number "
        "or words. Type /help to see everything I can do."
    ).format(shop=escape(settings.shop.name))


async def cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("Cancelled. Nothing was changed."), reply_markup=ReplyKeyboardRemove())
    if message.chat.type == "private":
        await message.answer(_("What would you like to do?"), reply_markup=keyboards.main_menu())


async def abandon_checkout(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await callback.answer(_("Cancelled. Nothing was changed."))
    if callback.message is not None:
        await callback.bot.send_message(
            callback.from_user.id, _("What would you like to do?"), reply_markup=keyboards.main_menu()
        )


async def start_with_link(
    message: Message, command: CommandObject, state: FSMContext, prefs: Prefs, locale: str
) -> None:
    payload = command.args or ""
    if match := PART_LINK.fullmatch(payload):
        await send_part_card(message, int(match.group(1)), prefs, locale)
        return
    if not LINK_TOKEN.fullmatch(payload):
        await message.answer(_("This link is not valid. Ask for a new one on your account page."))
        return
    await link_account(message, payload, state, prefs, locale)


async def link_account(message: Message, token: str, state: FSMContext, prefs: Prefs, locale: str) -> None:
    try:
        customer = await telegram_link.link_telegram(token, message.from_user.id)
    except ShopError as error:
        await message.answer(error_text(error, locale))
        return
    cart_token = await prefs.value("cart_token")
    if cart_token:
        await merge_carts(cart_token, customer.id)
    await prefs.update(cart_token=None, locale=customer.locale)
    await state.clear()
    name = escape(customer.first_name) or _("customer")
    await message.answer(
        _(
            "Your Telegram is now linked to your account, {name}. Your cart and your orders "
            "are the same here and on the website."
        ).format(name=name),
        reply_markup=keyboards.main_menu(),
    )


async def start(message: Message, state: FSMContext, settings: Settings) -> None:
    await state.clear()
    await message.answer(welcome(settings), reply_markup=keyboards.main_menu())


async def menu(message: Message) -> None:
    await message.answer(_("What would you like to do?"), reply_markup=keyboards.main_menu())


def help_text() -> str:
    return "\n".join(
        [
            _("<b>What I can do</b>"),
            _("/vehicle — choose your vehicle (make, model, engine) or one from your garage"),
            _("/search — find parts: just type an article number, an OE number or words"),
            _("/cart — your cart; change quantities and check out"),
            _("/orders — your orders and their status"),
            _("/language — change the language"),
            _("/privacy — how we handle your data and whom to contact"),
            _("/mydata — see, change and export the data we keep about you"),
            _("/forgetme — delete your account"),
            _("/cancel — stop what you are doing"),
            _("You can also search from any chat: type @{bot} and an article number."),
        ]
    )


def staff_help_text() -> str:
    return "\n".join(
        [
            _("<b>Staff desk</b>"),
            _(
                "New orders arrive here with their buttons: Confirm, Ship (I ask for the tracking number), Cancel."
            ),
            _("/order GS-XXXX-XXXX — post an order's card with its buttons again"),
            _("/cancel — stop what you are doing"),
        ]
    )


async def help_command(message: Message, settings: Settings) -> None:
    if message.chat.id == settings.bot.staff_chat_id:
        await message.answer(staff_help_text())
        return
    me = await message.bot.me()
    await message.answer(help_text().replace("{bot}", escape(me.username or "")))


async def help_button(callback: CallbackQuery) -> None:
    me = await callback.bot.me()
    await callback.message.answer(help_text().replace("{bot}", escape(me.username or "")))
    await callback.answer()


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cancel, Command("cancel"))
    router.callback_query.register(
        abandon_checkout, CheckoutCb.filter(F.step == CheckoutStep.ABANDON), PRIVATE_BUTTON
    )
    router.message.register(start_with_link, CommandStart(deep_link=True), PRIVATE)
    router.message.register(start, CommandStart(), PRIVATE)
    router.message.register(menu, Command("menu"), PRIVATE)
    router.message.register(help_command, Command("help"))
    router.callback_query.register(help_button, MenuCb.filter(F.item == Menu.HELP), PRIVATE_BUTTON)
    return router
