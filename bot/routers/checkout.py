"""Checkout, first half: consent (for a new customer), the user's own phone, the name.

Nothing personal is stored before the user accepts the privacy policy and confirms the age of
14 or more (P16); the phone comes only from Telegram's contact button and must be the user's own
contact (contact.user_id == from_user.id).
"""

from __future__ import annotations

from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import CartAction, CartCb, CheckoutCb, CheckoutStep
from bot.common import cart_owner
from bot.filters import HAS_CONTACT, NOT_COMMAND, PLAIN_TEXT, PRIVATE
from bot.i18n import error_text
from bot.prefs import Prefs
from bot.routers.checkout_delivery import ask_delivery
from bot.states import Checkout
from core.carts.service import get_cart_view, merge_carts
from core.config import Settings
from core.customers import accounts
from core.customers.models import Customer
from core.errors import Conflict, ShopError

MAX_NAME = 100


async def checkout_command(
    message: Message, state: FSMContext, customer: Customer | None, prefs: Prefs, settings: Settings
) -> None:
    await begin(message, state, customer, prefs, settings)


async def checkout_button(
    callback: CallbackQuery, state: FSMContext, customer: Customer | None, prefs: Prefs, settings: Settings
) -> None:
    await callback.answer()
    await begin(callback.message, state, customer, prefs, settings)


async def begin(
    message: Message,
    state: FSMContext,
    customer: Customer | None,
    prefs: Prefs,
    settings: Settings,
) -> None:
    owner = await cart_owner(customer, prefs)
    view = await get_cart_view(owner) if owner else None
    if view is None or not view.lines:
        await message.answer(_("Your cart is empty. Type an article number or a few words to find parts."))
        return
    await state.clear()
    if customer is None:
        await state.set_state(Checkout.accept)
        url = policy_url(settings)
        notice = policy_notice(settings)
        if not keyboards.url_button_allowed(url):
            notice += "\n" + _("Privacy policy: {url}").format(url=escape(url))
        await message.answer(notice, reply_markup=keyboards.accept_policy(url))
        return
    await continue_with(message, state, customer)


def policy_url(settings: Settings) -> str:
    return settings.shop.base_url.rstrip("/") + "/privacy"


def policy_notice(settings: Settings) -> str:
    return _(
        "To place an order we need your phone number and your name. {controller} keeps them to process "
        "your orders, support you and tell you about them; advertising only with your consent. By "
        "continuing you accept the privacy policy (version {version}) and confirm that you are 14 or "
        "older."
    ).format(controller=escape(settings.shop.controller_name), version=escape(settings.shop.policy_version))


async def accepted(callback: CallbackQuery, state: FSMContext) -> None:
    await state.update_data(accepted=True)
    await state.set_state(Checkout.contact)
    await callback.answer()
    await callback.message.answer(contact_prompt(), reply_markup=keyboards.share_contact())


def contact_prompt() -> str:
    return _("Please share your phone number with the button below.")


async def own_phone(message: Message) -> str | None:
    """The phone of a contact the customer shared of themselves, with "+"; else asks again, None."""
    contact = message.contact
    if contact.user_id != message.from_user.id:
        await message.answer(
            _("Please share your own phone number with the button below, not someone else's contact."),
            reply_markup=keyboards.share_contact(),
        )
        return None
    # Telegram sends the number in international form, usually without the "+".
    return contact.phone_number if contact.phone_number.startswith("+") else "+" + contact.phone_number


async def contact_shared(
    message: Message, state: FSMContext, prefs: Prefs, settings: Settings, locale: str
) -> None:
    contact, phone = message.contact, await own_phone(message)
    if phone is None:
        return
    accepted = (await state.get_data()).get("accepted") is True
    try:
        customer, _created = await accounts.find_or_create_by_phone(
            phone,
            telegram_user_id=message.from_user.id,
            first_name=contact.first_name or "",
            last_name=contact.last_name or "",
            locale=locale,
            consents_given=accepted,
            policy_version=settings.shop.policy_version,
        )
    except Conflict as error:
        # The number is another account's (a web account: link Telegram from its page): asking
        # for the phone again would go round in circles.
        await state.clear()
        await message.answer(error_text(error, locale), reply_markup=ReplyKeyboardRemove())
        return
    except ShopError as error:
        await message.answer(error_text(error, locale), reply_markup=keyboards.share_contact())
        return
    cart_token = await prefs.value("cart_token")
    if cart_token:
        await merge_carts(cart_token, customer.id)
        await prefs.update(cart_token=None)
    await message.answer(_("Thank you! Your phone number is saved."), reply_markup=ReplyKeyboardRemove())
    await continue_with(message, state, customer)


async def continue_with(message: Message, state: FSMContext, customer: Customer) -> None:
    if not customer.first_name:
        await state.set_state(Checkout.name)
        await message.answer(name_prompt())
        return
    await ask_delivery(message, state)


def name_prompt() -> str:
    return _("What is your name? Send your first and last name, for example: Olena Kovalenko.")


async def name_given(message: Message, state: FSMContext, customer: Customer | None, locale: str) -> None:
    words = message.text.split()
    if customer is None or not words or len(message.text) > 2 * MAX_NAME or message.text.startswith("/"):
        await message.answer(name_prompt())
        return
    changes = {"first_name": words[0], "last_name": " ".join(words[1:])}
    try:
        await accounts.update_profile(customer, changes, ip=None, channel="telegram")
    except ShopError as error:
        await message.answer(error_text(error, locale))
        return
    await ask_delivery(message, state)


async def contact_expected(message: Message) -> None:
    """Anything but a contact while the phone is asked for (text, a sticker, a photo)."""
    await message.answer(contact_prompt(), reply_markup=keyboards.share_contact())


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(checkout_command, Command("checkout"), PRIVATE)
    router.callback_query.register(checkout_button, CartCb.filter(F.action == CartAction.CHECKOUT))
    router.callback_query.register(
        accepted, StateFilter(Checkout.accept), CheckoutCb.filter(F.step == CheckoutStep.ACCEPT)
    )
    router.message.register(contact_shared, StateFilter(Checkout.contact), HAS_CONTACT)
    router.message.register(name_given, StateFilter(Checkout.name), PLAIN_TEXT)
    router.message.register(contact_expected, StateFilter(Checkout.contact), NOT_COMMAND)
    return router
