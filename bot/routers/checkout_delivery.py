"""Checkout, second half: delivery, payment, confirmation and the order.

The confirmation step makes an idempotency key and keeps it in the conversation, so a double tap
on "Place the order" (or Telegram re-sending the button press) gives one order.
"""

from __future__ import annotations

import secrets
from html import escape

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot import keyboards, texts
from bot.callbacks import CheckoutCb, CheckoutStep
from bot.common import show
from bot.filters import PLAIN_TEXT
from bot.i18n import error_text
from bot.payments import card_payment_link, card_providers, invoice_refused, send_invoice
from bot.states import Checkout
from core.carts.service import CartOwner, get_cart_view
from core.config import Settings
from core.customers import addresses
from core.customers.identity import phone_region
from core.customers.models import Customer
from core.errors import ShopError
from core.i18n import format_price
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import Channel, DeliveryMethod, PaymentMethod
from core.orders.shipping import shipping_price
from core.payments.telegram import TELEGRAM_PAYMENTS

MAX_TEXT = 200
AFTER_CONTACT = (
    Checkout.name,
    Checkout.delivery,
    Checkout.address,
    Checkout.carrier_city,
    Checkout.carrier_branch,
    Checkout.payment,
    Checkout.confirm,
)


async def customer_gone(event: object, customer: Customer | None = None) -> bool:
    return customer is None


async def start_again(event: Message | CallbackQuery, state: FSMContext) -> None:
    """The account went away mid-checkout (deleted with /forgetme on another device)."""
    await state.clear()
    await show(event, _("Please start the checkout again from /cart."))


async def ask_delivery(message: Message, state: FSMContext) -> None:
    await state.set_state(Checkout.delivery)
    await message.answer(_("How should we deliver the order?"), reply_markup=keyboards.delivery_methods())


async def delivery_chosen(
    callback: CallbackQuery,
    callback_data: CheckoutCb,
    state: FSMContext,
    customer: Customer | None,
    settings: Settings,
) -> None:
    try:
        method = DeliveryMethod(callback_data.value)
    except ValueError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(delivery_method=method.value, address_id=None, carrier_city="", carrier_branch="")
    if method is DeliveryMethod.PICKUP:
        return await ask_payment(callback, state, settings)
    if method is DeliveryMethod.CARRIER:
        await state.set_state(Checkout.carrier_city)
        return await show(callback, _("In which city is the carrier's branch?"))
    saved = await addresses.list_addresses(customer)
    if not saved:
        await state.set_state(Checkout.address)
        return await show(callback, address_prompt())
    choices = [(a.id, ", ".join(p for p in (a.city, a.street) if p)) for a in saved]
    await show(callback, _("Where should the courier bring it?"), keyboards.addresses(choices))


def address_prompt() -> str:
    return _(
        "Send the delivery address as: city, street and house. For example: Kyiv, Khreshchatyk 1, apt 5."
    )


async def address_chosen(
    callback: CallbackQuery,
    callback_data: CheckoutCb,
    state: FSMContext,
    customer: Customer | None,
    settings: Settings,
) -> None:
    if callback_data.value == "new":
        await state.set_state(Checkout.address)
        return await show(callback, address_prompt())
    saved = {a.id for a in await addresses.list_addresses(customer)}
    if not callback_data.value.isdigit() or int(callback_data.value) not in saved:
        await callback.answer(_("This address is no longer in your address book."), show_alert=True)
        return
    await state.update_data(address_id=int(callback_data.value))
    await ask_payment(callback, state, settings)


async def address_typed(
    message: Message, state: FSMContext, customer: Customer | None, settings: Settings, locale: str
) -> None:
    city, _comma, street = message.text.partition(",")
    if not street.strip() or len(message.text) > MAX_TEXT:
        await message.answer(address_prompt())
        return
    try:
        # The country is the one of the customer's phone: the chat asks only for city and street.
        data = addresses.AddressData(city=city.strip(), street=street.strip(), country=phone_region(customer))
        address = await addresses.add_address(customer, data, channel="telegram")
    except ShopError as error:
        await message.answer(error_text(error, locale) + "\n" + address_prompt())
        return
    await state.update_data(address_id=address.id)
    await ask_payment(message, state, settings)


async def carrier_city_typed(message: Message, state: FSMContext) -> None:
    city = " ".join(message.text.split())
    if not 2 <= len(city) <= 100 or city.startswith("/"):
        await message.answer(_("Enter the city of the carrier's branch."))
        return
    await state.update_data(carrier_city=city)
    await state.set_state(Checkout.carrier_branch)
    await message.answer(_("What is the branch number? Digits only, for example 12."))


async def carrier_branch_typed(message: Message, state: FSMContext, settings: Settings) -> None:
    branch = message.text.strip().lstrip("№#").strip()
    if not branch.isdigit() or len(branch) > 6:
        await message.answer(_("Enter the branch number (digits only)."))
        return
    await state.update_data(carrier_branch=branch)
    await ask_payment(message, state, settings)


async def ask_payment(event: Message | CallbackQuery, state: FSMContext, settings: Settings) -> None:
    await state.set_state(Checkout.payment)
    await show(event, _("How will you pay?"), keyboards.payment_methods(card_providers(settings)))


async def payment_chosen(
    callback: CallbackQuery,
    callback_data: CheckoutCb,
    state: FSMContext,
    customer: Customer | None,
    settings: Settings,
    locale: str,
) -> None:
    method, _dot, provider = callback_data.value.partition(".")
    if method not in ("cash", "card") or (method == "card" and provider not in card_providers(settings)):
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    # The key is made here, once per confirmation: every tap on "Place the order" reuses it.
    await state.update_data(payment_method=method, provider=provider, order_key=secrets.token_urlsafe(24))
    await state.set_state(Checkout.confirm)
    await show(
        callback, await summary(customer, await state.get_data(), settings, locale), keyboards.confirm_order()
    )


async def summary(customer: Customer, data: dict, settings: Settings, locale: str) -> str:
    view = await get_cart_view(CartOwner(customer_id=customer.id), currency=settings.shop.currency)
    method = DeliveryMethod(data["delivery_method"])
    shipping = shipping_price(method, view.subtotal, settings.shipping)
    rows = [_("<b>Please check your order</b>"), texts.cart_text(view, locale)]
    rows.append(_("Delivery: {method}").format(method=texts.delivery_name(method)))
    if method is DeliveryMethod.CARRIER:
        rows.append(
            _("Branch: {city}, no. {branch}").format(
                city=escape(data["carrier_city"]), branch=escape(data["carrier_branch"])
            )
        )
    rows.append(_("Shipping: {amount}").format(amount=format_price(shipping, view.currency, locale)))
    method_name = texts.payment_name(data["payment_method"], data.get("provider", ""))
    rows.append(_("Payment: {method}").format(method=method_name))
    rows.append(
        _("Total: {amount}").format(amount=format_price(view.subtotal + shipping, view.currency, locale))
    )
    return "\n".join(rows)


async def confirmed(
    callback: CallbackQuery,
    state: FSMContext,
    customer: Customer | None,
    settings: Settings,
    locale: str,
    providers: dict,
) -> None:
    data = await state.get_data()
    delivery = DeliveryChoice(
        method=DeliveryMethod(data["delivery_method"]),
        address_id=data.get("address_id"),
        carrier_city=data.get("carrier_city", ""),
        carrier_branch=data.get("carrier_branch", ""),
    )
    payment = PaymentChoice(method=PaymentMethod(data["payment_method"]), provider=data.get("provider", ""))
    try:
        order = await place_order(
            customer,
            delivery=delivery,
            payment=payment,
            idempotency_key=data["order_key"],
            channel=Channel.TELEGRAM,
            settings=settings,
            locale=locale,
        )
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    await state.clear()
    text = _(
        "Thank you! Order {number} is placed. Total: {total}. We will tell you here when it is confirmed "
        "and shipped."
    ).format(number=escape(order.number), total=format_price(order.total, order.currency, locale))
    if order.payment_provider == TELEGRAM_PAYMENTS:
        text += "\n" + _(
            "Pay with the invoice below: the card is typed into Telegram's payment form, not sent to the shop."
        )
        await show(callback, text)
        if await send_invoice(callback.bot, callback.from_user.id, order, settings) is None:
            await callback.bot.send_message(callback.from_user.id, invoice_refused())
        return
    markup = None
    if order.payment_method == PaymentMethod.CARD:
        url = await card_payment_link(order, providers, settings)
        text += "\n" + _("Pay by card on the payment provider's page: no card details reach the shop.")
        markup = keyboards.pay_link(url) if url else None
        if url and markup is None:
            text += "\n" + escape(url)
    await show(callback, text, markup)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(start_again, StateFilter(*AFTER_CONTACT), customer_gone)
    router.callback_query.register(start_again, StateFilter(*AFTER_CONTACT), customer_gone)
    router.callback_query.register(
        delivery_chosen, StateFilter(Checkout.delivery), CheckoutCb.filter(F.step == CheckoutStep.DELIVERY)
    )
    router.callback_query.register(
        address_chosen, StateFilter(Checkout.delivery), CheckoutCb.filter(F.step == CheckoutStep.ADDRESS)
    )
    router.message.register(address_typed, StateFilter(Checkout.address), PLAIN_TEXT)
    router.message.register(carrier_city_typed, StateFilter(Checkout.carrier_city), PLAIN_TEXT)
    router.message.register(carrier_branch_typed, StateFilter(Checkout.carrier_branch), PLAIN_TEXT)
    router.callback_query.register(
        payment_chosen, StateFilter(Checkout.payment), CheckoutCb.filter(F.step == CheckoutStep.PAYMENT)
    )
    router.callback_query.register(
        confirmed, StateFilter(Checkout.confirm), CheckoutCb.filter(F.step == CheckoutStep.CONFIRM)
    )
    return router
