"""Paying card orders: Telegram Payments' pre-checkout and successful payment, and "pay again".

The pre-checkout query must be answered within ten seconds: yes when the order can still be paid
for this amount, no with a reason otherwise. The successful payment is recorded once (a repeat of
the same Telegram charge changes nothing) and the customer is told.
"""

from __future__ import annotations

import logging
from html import escape

from aiogram import Router
from aiogram.types import CallbackQuery, Message, PreCheckoutQuery
from aiogram.utils.i18n import gettext as _

from bot import keyboards
from bot.callbacks import PayCb
from bot.filters import HAS_PAYMENT
from bot.i18n import error_text
from bot.payments import card_payment_link, invoice_refused, send_invoice
from core.config import Settings
from core.customers.models import Customer
from core.errors import NotFound, ShopError
from core.orders.queries import get_order_for
from core.payments.ports import PAID
from core.payments.service import APPLIED, DUPLICATE
from core.payments.telegram import TELEGRAM_PAYMENTS, check_pre_checkout, record_successful_payment

log = logging.getLogger(__name__)
PAYMENT_FIELDS = ("invoice_payload", "telegram_payment_charge_id", "total_amount", "currency")


async def pre_checkout(query: PreCheckoutQuery, locale: str) -> None:
    try:
        await check_pre_checkout(query.invoice_payload, query.total_amount, query.currency)
    except ShopError as error:
        await query.answer(ok=False, error_message=error_text(error, locale))
        return
    await query.answer(ok=True)


async def payment_received(message: Message, locale: str) -> None:
    paid = message.successful_payment
    outcome = await record_successful_payment({name: getattr(paid, name) for name in PAYMENT_FIELDS})
    number = escape(outcome.order_number)
    if outcome.result in (APPLIED, DUPLICATE) and outcome.payment_state == PAID:
        await message.answer(_("Payment received for order {number}. Thank you!").format(number=number))
        return
    # Telegram took the money but it does not match the order: staff must sort it out by hand.
    log.error("Telegram payment %s not applied: %s", paid.telegram_payment_charge_id, outcome)
    await message.answer(
        _(
            "We received your payment and are checking it. The shop will contact you about order {number}."
        ).format(number=number or "—")
    )


async def pay_again(
    callback: CallbackQuery,
    callback_data: PayCb,
    customer: Customer | None,
    settings: Settings,
    providers: dict,
    locale: str,
) -> None:
    try:
        if customer is None:
            raise NotFound("Order not found.")
        order = await get_order_for(customer, callback_data.number)
        if order.payment_provider == TELEGRAM_PAYMENTS:
            sent = await send_invoice(callback.bot, callback.from_user.id, order, settings)
            await callback.answer(None if sent else invoice_refused(), show_alert=sent is None)
            return
        url = await card_payment_link(order, providers, settings)
    except ShopError as error:
        await callback.answer(error_text(error, locale), show_alert=True)
        return
    if url is None:
        await callback.answer(
            _("Card payment is not available right now. Please try later."), show_alert=True
        )
        return
    text = _("Pay by card on the payment provider's page: no card details reach the shop.")
    markup = keyboards.pay_link(url)
    if markup is None:
        text += "\n" + escape(url)
    await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
    await callback.answer()


def build_router() -> Router:
    router = Router(name=__name__)
    router.pre_checkout_query.register(pre_checkout)
    router.message.register(payment_received, HAS_PAYMENT)
    router.callback_query.register(pay_again, PayCb.filter())
    return router
