"""Telegram Payments: the bot sends an invoice, Telegram's payment provider takes the card.

The card is typed into Telegram's own payment form and reaches the provider connected in
BotFather, never the shop (P14). The bot is told twice: a pre-checkout query, answered within
ten seconds, where the shop may still refuse (the order was cancelled, the amount changed), then
a `successful_payment` message. Both arrive over the bot's authenticated channel (webhook secret
or getUpdates with the token), so they need no signature of their own; the successful payment is
applied like any provider notification — recorded once per Telegram charge id, amount- and
currency-checked, moving the payment state forward only. Only the charge id, amount, currency and
status are kept.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import NotFound, ValidationError
from core.orders.models import Order, OrderStatus, PaymentMethod, PaymentState
from core.payments.models import Payment
from core.payments.ports import (
    FAILED,
    PAID,
    PENDING,
    InvalidNotification,
    VerifiedNotification,
    check_currency,
)
from core.payments.service import Outcome, handle_notification, new_reference

TELEGRAM_PAYMENTS = "telegram"
ORDER_CANCELLED = "This order was cancelled and cannot be paid."
ALREADY_PAID = "This order is already paid."
INVOICE_OUTDATED = "This invoice is out of date. Please open the order with /orders and pay again."


class TelegramPaymentsProvider:
    """What Telegram reports about a paid invoice, reduced to the facts the shop keeps."""

    name = TELEGRAM_PAYMENTS

    def verify(self, fields: Mapping[str, object]) -> VerifiedNotification:
        reference, charge, amount = (
            fields.get(k) for k in ("invoice_payload", "telegram_payment_charge_id", "total_amount")
        )
        if not isinstance(reference, str) or not isinstance(charge, str) or not charge or len(charge) > 128:
            raise InvalidNotification()
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise InvalidNotification()
        return VerifiedNotification(
            transaction_id=charge,
            reference=reference,
            status=PAID,
            amount=amount,
            currency=check_currency(fields.get("currency")),
        )


async def open_invoice(order: Order) -> Payment:
    """A new payment attempt for an order paid through Telegram; its reference is the invoice payload."""
    current = await Order.get_or_none(id=order.id)
    if current is None:
        raise NotFound("Order not found.")
    if current.payment_method != PaymentMethod.CARD or current.payment_provider != TELEGRAM_PAYMENTS:
        raise ValidationError("This order is not paid by card through this service.")
    _check_payable(current)
    return await Payment.create(
        order=current,
        provider=TELEGRAM_PAYMENTS,
        reference=new_reference(),
        amount=current.total,
        currency=current.currency,
        state=PENDING,
    )


async def check_pre_checkout(reference: str, amount: int, currency: str) -> Payment:
    """Whether Telegram may take the money for this invoice now; raises ValidationError if not."""
    payment = await Payment.get_or_none(reference=reference, provider=TELEGRAM_PAYMENTS)
    if payment is None or payment.state not in (PENDING, FAILED):
        raise ValidationError(ALREADY_PAID if payment is not None else INVOICE_OUTDATED)
    order = await Order.get(id=payment.order_id)
    _check_payable(order)
    if (amount, currency.upper()) != (payment.amount, payment.currency) or payment.amount != order.total:
        raise ValidationError(INVOICE_OUTDATED)
    return payment


async def record_successful_payment(fields: Mapping[str, object]) -> Outcome:
    """Apply Telegram's `successful_payment` (its fields as sent); returns the service's Outcome."""
    return await handle_notification(TelegramPaymentsProvider(), fields)  # type: ignore[arg-type]


def _check_payable(order: Order) -> None:
    if order.payment_state == PaymentState.PAID:
        raise ValidationError(ALREADY_PAID)
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(ORDER_CANCELLED)
