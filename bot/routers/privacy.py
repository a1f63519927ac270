"""/privacy (policy summary and the controller's contact), /mydata (see and export), /forgetme."""

from __future__ import annotations

import json
from html import escape

from aiogram import F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import Menu, MenuCb, PrivacyAction, PrivacyCb
from bot.common import cart_owner, show
from bot.i18n import LANGUAGE_NAMES, error_text
from bot.prefs import Prefs
from bot.states import ForgetMe
from core.carts.service import get_cart_view, remove_line
from core.config import Settings
from core.customers import data_rights
from core.customers.models import Address, Consent, Customer, GarageVehicle
from core.errors import ShopError
from core.i18n import format_day
from core.privacy.inventory import INVENTORY


def privacy_text(settings: Settings) -> str:
    shop = settings.shop
    rows = [
        _("<b>Privacy policy</b> (version {version}, {date})").format(
            version=escape(shop.policy_version), date=escape(shop.policy_date)
        ),
        _("Controller: {name}, {address}").format(
            name=escape(shop.controller_name), address=escape(shop.controller_address)
        ),
        _("Questions about your data: {contact}").format(contact=escape(shop.controller_contact)),
        _(
            "We use your data to process your orders, to support you and to tell you about the service. "
            "Advertising only with your consent. Card payments happen on the payment provider's page or in "
            "Telegram's payment form: no card details reach the shop. We never sell your data."
        ),
        _("What we keep:") + " " + ", ".join(escape(_(kind.title)) for kind in INVENTORY),
        _("See your data with /mydata, delete your account with /forgetme."),
        _("Full policy: {url}").format(url=escape(shop.base_url.rstrip("/") + "/privacy")),
    ]
    return "\n".join(rows)


async def privacy_command(message: Message, settings: Settings) -> None:
    await message.answer(privacy_text(settings))


async def privacy_button(callback: CallbackQuery, settings: Settings) -> None:
    await callback.message.answer(privacy_text(settings))
    await callback.answer()


async def my_data_text(customer: Customer, settings: Settings, locale: str) -> str:
    yes, no = _("yes"), _("no")
    rows = [
        _("<b>Your data</b>"),
        _("Name: {name}").format(name=escape(customer.full_name) or "—"),
        _("Phone: {phone}").format(phone=escape(customer.phone or "—")),
        _("Email: {email}").format(email=escape(customer.email or "—")),
        _("Language: {language}").format(language=LANGUAGE_NAMES.get(customer.locale, customer.locale)),
        _("Telegram linked: {answer}").format(answer=yes if customer.telegram_user_id else no),
    ]
    if customer.car_make or customer.car_model:
        rows.append(_("Car: {car}").format(car=escape(f"{customer.car_make} {customer.car_model}".strip())))
    for address in await Address.filter(customer_id=customer.id):
        rows.append(
            _("Address: {address}").format(
                address=escape(", ".join(p for p in (address.city, address.street) if p))
            )
        )
    garage_count = await GarageVehicle.filter(customer_id=customer.id).count()
    rows.append(_("Vehicles in your garage: {count}").format(count=garage_count))
    kinds = {
        "age_14": _("I am 14 or older"),
        "privacy_policy": _("privacy policy accepted"),
        "marketing": _("advertising messages"),
    }
    for consent in await Consent.filter(customer_id=customer.id).order_by("id"):
        rows.append(
            _("Consent “{kind}”: {answer} ({day}, policy version {version})").format(
                kind=kinds.get(str(consent.kind), escape(str(consent.kind))),
                answer=yes if consent.granted else no,
                day=format_day(consent.created_at, locale, zone=settings.shop.timezone),
                version=escape(consent.policy_version),
            )
        )
    rows.append(_("Export everything, with your orders and who received your data, as a JSON file below."))
    return "\n".join(rows)


async def my_data(message: Message, customer: Customer | None, settings: Settings, locale: str) -> None:
    if customer is None:
        await message.answer(
            _(
                "We keep no personal data about you. In this chat we remember only your language, "
                "the vehicle you chose, your last search and your cart, without your name or phone."
            )
        )
        return
    text, markup = await my_data_view(customer, settings, locale)
    await message.answer(text, reply_markup=markup)


async def my_data_view(customer: Customer, settings: Settings, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    """The /mydata text and its buttons: export, change the name or phone, delete an address."""
    saved = [
        (a.id, ", ".join(p for p in (a.city, a.street) if p))
        for a in await Address.filter(customer_id=customer.id)
    ]
    # A web account's phone changes on the website, which asks for the password.
    markup = keyboards.my_data(saved, can_change_phone=not customer.password_hash)
    return await my_data_text(customer, settings, locale), markup


async def export(callback: CallbackQuery, customer: Customer | None) -> None:
    if customer is None:
        await callback.answer(_("We keep no personal data about you."), show_alert=True)
        return
    data = await data_rights.export_customer_data(customer)
    document = BufferedInputFile(
        json.dumps(data, ensure_ascii=False, indent=2, default=str).encode(), filename="my-data.json"
    )
    await callback.bot.send_document(callback.from_user.id, document, caption=_("Your data, as we keep it."))
    await callback.answer()


async def forget_me(message: Message, state: FSMContext) -> None:
    await state.set_state(ForgetMe.confirm)
    await message.answer(
        _(
            "Delete your account? Your personal data will be erased; orders are kept only "
            "with what accounting law requires. This cannot be undone."
        ),
        reply_markup=keyboards.forget_me(),
    )


async def forget_confirmed(
    callback: CallbackQuery, state: FSMContext, customer: Customer | None, prefs: Prefs, locale: str
) -> None:
    if customer is not None:
        try:
            await data_rights.delete_account(customer, actor="customer", channel="telegram")
        except ShopError as error:  # an order still on its way needs the address
            await state.clear()
            await show(callback, error_text(error, locale))
            return
        done = _(
            "Done. Your account and personal data are deleted, and this chat forgot your language, "
            "vehicle and cart."
        )
    else:
        owner = await cart_owner(None, prefs)
        for line in (await get_cart_view(owner)).lines if owner else []:
            await remove_line(owner, line.part_id)
        done = _("Done. This chat forgot your language, vehicle, search and cart.")
    await prefs.clear()
    await state.clear()
    await show(callback, done)


async def forget_declined(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, _("Nothing was deleted."))


async def forget_stale(callback: CallbackQuery) -> None:
    await callback.answer(_("Send /forgetme again to delete your account."), show_alert=True)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(privacy_command, Command("privacy"))
    router.callback_query.register(privacy_button, MenuCb.filter(F.item == Menu.PRIVACY))
    router.message.register(my_data, Command("mydata"))
    router.callback_query.register(export, PrivacyCb.filter(F.action == PrivacyAction.EXPORT))
    router.message.register(forget_me, Command("forgetme"))
    router.callback_query.register(
        forget_confirmed, StateFilter(ForgetMe.confirm), PrivacyCb.filter(F.action == PrivacyAction.FORGET)
    )
    router.callback_query.register(forget_declined, PrivacyCb.filter(F.action == PrivacyAction.KEEP))
    router.callback_query.register(forget_stale, PrivacyCb.filter(F.action == PrivacyAction.FORGET))
    return router
