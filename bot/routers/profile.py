"""Changing one's data from /mydata (P9): the name, the phone (shared again), saved addresses.

The phone comes only from Telegram's contact button and must be the user's own; a web account's
phone changes on the website, which asks for the password first.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import PrivacyAction, PrivacyCb
from bot.common import show
from bot.filters import HAS_CONTACT, NOT_COMMAND, PLAIN_TEXT
from bot.i18n import error_text
from bot.routers.checkout import MAX_NAME, contact_prompt, name_prompt, own_phone
from bot.routers.privacy import my_data_view
from bot.states import MyData
from core.config import Settings
from core.customers import accounts, addresses
from core.customers.models import Customer
from core.errors import Conflict, NotFound, ShopError


async def no_data(callback: CallbackQuery) -> None:
    await callback.answer(_("We keep no personal data about you."), show_alert=True)


async def ask_name(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(MyData.name)
    await callback.answer()
    await callback.bot.send_message(callback.from_user.id, name_prompt())


async def name_typed(message: Message, state: FSMContext, customer: Customer, locale: str,
                     settings: Settings) -> None:
    words = message.text.split()
    if not words or len(message.text) > 2 * MAX_NAME:
        await message.answer(name_prompt())
        return
    try:
        await accounts.update_profile(
            customer, {"first_name": words[0], "last_name": " ".join(words[1:])}, channel="telegram"
        )
    except ShopError as error:
        await message.answer(error_text(error, locale) + "\n" + name_prompt())
        return
    await state.clear()
    await message.answer(_("Saved."))
    text, markup = await my_data_view(customer, settings, locale)
    await message.answer(text, reply_markup=markup)


async def ask_phone(callback: CallbackQuery, state: FSMContext, customer: Customer) -> None:
    if customer.password_hash:
        await callback.answer(
            _("Change your phone number on the website's account page: it asks for your password."),
            show_alert=True,
        )
        return
    await state.set_state(MyData.phone)
    await callback.answer()
    await callback.bot.send_message(
        callback.from_user.id, contact_prompt(), reply_markup=keyboards.share_contact()
    )


async def phone_shared(message: Message, state: FSMContext, customer: Customer, locale: str,
                       settings: Settings) -> None:
    phone = await own_phone(message)
    if phone is None:
        return
    try:
        await accounts.update_profile(customer, {"phone": phone}, channel="telegram")
    except ShopError as error:
        if isinstance(error, Conflict) or "phone" not in (error.fields or {}):
            await state.clear()
        await message.answer(error_text(error, locale), reply_markup=ReplyKeyboardRemove())
        return
    await state.clear()
    await message.answer(_("Saved."), reply_markup=ReplyKeyboardRemove())
    text, markup = await my_data_view(customer, settings, locale)
    await message.answer(text, reply_markup=markup)


async def phone_expected(message: Message) -> None:
    await message.answer(contact_prompt(), reply_markup=keyboards.share_contact())


async def delete_address(
    callback: CallbackQuery, callback_data: PrivacyCb, customer: Customer, locale: str, settings: Settings
) -> None:
    try:
        await addresses.delete_address(customer, callback_data.id, channel="telegram")
    except NotFound:
        await callback.answer(_("This address is no longer in your address book."), show_alert=True)
        return
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    await callback.answer(_("Deleted."))
    await show(callback, *await my_data_view(customer, settings, locale), answered=True)


async def has_customer(event: object, customer: Customer | None = None) -> bool:
    return customer is not None


async def no_customer(event: object, customer: Customer | None = None) -> bool:
    return customer is None


def build_router() -> Router:
    router = Router(name=__name__)
    editing = PrivacyCb.filter(F.action.in_({PrivacyAction.NAME, PrivacyAction.PHONE, PrivacyAction.ADDRESS}))
    router.callback_query.register(no_data, editing, no_customer)
    router.callback_query.register(ask_name, PrivacyCb.filter(F.action == PrivacyAction.NAME))
    router.callback_query.register(ask_phone, PrivacyCb.filter(F.action == PrivacyAction.PHONE))
    router.callback_query.register(delete_address, PrivacyCb.filter(F.action == PrivacyAction.ADDRESS))
    router.message.register(name_typed, StateFilter(MyData.name), PLAIN_TEXT, has_customer)
    router.message.register(phone_shared, StateFilter(MyData.phone), HAS_CONTACT, has_customer)
    router.message.register(phone_expected, StateFilter(MyData.phone), NOT_COMMAND)
    return router
