"""Starting card payments and applying the providers' notifications.

A notification is verified first (a forged one raises InvalidNotification and nothing is
stored); then, in ONE transaction, it is recorded once per (provider, transaction id) — the
unique index turns a replay, even a concurrent one, into a no-op — checked against the
payment's amount and currency, and allowed to move the payment and the order's payment state
forward only: pending → paid or failed, failed → paid; paid never changes again. Only the
transaction id, amount, currency and status are kept (P14).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from tortoise import timezone
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.config import Settings
from core.errors import NotFound, ValidationError
from core.notifications.models import Purpose
from core.notifications.outbox import notify
from core.orders.models import Order, OrderStatus, PaymentMethod, PaymentState
from core.orders.payload import order_payload
from core.payments.liqpay import LiqPayProvider
from core.payments.models import Payment, PaymentNotification
from core.payments.ports import FAILED, PAID, PENDING, PaymentProvider, VerifiedNotification
from core.payments.sandbox import SandboxProvider

# What became of a notification.
APPLIED = "applied"  # moved the payment forward
DUPLICATE = "duplicate"  # this transaction id was already handled
IGNORED = "ignored"  # verified, but would move the state backwards
REJECTED_AMOUNT = "rejected_amount"
REJECTED_CURRENCY = "rejected_currency"
UNKNOWN_PAYMENT = "unknown_payment"
NOT_FINAL = "not_final"  # the provider is still processing: nothing to record yet


@dataclass(frozen=True, slots=True)
class Outcome:
    result: str
    payment_state: str = ""
    order_number: str = ""


def build_providers(settings: Settings, secret: str | bytes) -> dict[str, PaymentProvider]:
    """The providers named in payments.providers; `secret` signs the sandbox bank's messages."""
    providers: dict[str, PaymentProvider] = {}
    for name in settings.payments.providers:
        if name == "sandbox":
            providers[name] = SandboxProvider(secret, settings.shop.base_url)
        elif name == "liqpay":
            liqpay = settings.payments.liqpay
            providers[name] = LiqPayProvider(liqpay.public_key, liqpay.private_key, liqpay.checkout_url)
    return providers


def new_reference() -> str:
    # Our id for one payment attempt (LiqPay's order_id): random, so it reveals nothing.
    return "pay-" + secrets.token_hex(12)


async def start_payment(order: Order, provider: PaymentProvider, *, return_url: str, notify_url: str) -> str:
    """Record a new payment attempt for the order and return the provider page's URL."""
    current = await Order.get_or_none(id=order.id)
    if current is None:
        raise NotFound("Order not found.")
    if current.payment_method != PaymentMethod.CARD or current.payment_provider != provider.name:
        raise ValidationError("This order is not paid by card through this service.")
    if current.payment_state == PaymentState.PAID:
        raise ValidationError("This order is already paid.")
    if current.status == OrderStatus.CANCELLED:
        raise ValidationError("This order was cancelled and cannot be paid.")
    payment = await Payment.create(order=current, provider=provider.name, reference=new_reference(),
                                   amount=current.total, currency=current.currency, state=PENDING)
    return await provider.start(payment, current, return_url=return_url, notify_url=notify_url)


async def handle_notification(provider: PaymentProvider, fields: Mapping[str, str]) -> Outcome:
    """Verify and apply a provider's notification; raises InvalidNotification if forged."""
    note = provider.verify(fields)
    if note.status not in (PAID, FAILED):
        return await _not_final(provider, note)
    try:
        async with in_transaction():
            payment = await Payment.get_or_none(reference=note.reference, provider=provider.name)
            record = await PaymentNotification.create(
                provider=provider.name, transaction_id=note.transaction_id, payment=payment,
                status=note.status, amount=note.amount, currency=note.currency, outcome="",
            )
            outcome = await _apply(payment, note)
            await PaymentNotification.filter(id=record.id).update(outcome=outcome.result)
    except IntegrityError:
        # Seen before (possibly a moment ago, concurrently): the first one had the effect.
        return await _describe(DUPLICATE, note.reference, provider.name)
    return outcome


async def _apply(payment: Payment | None, note: VerifiedNotification) -> Outcome:
    if payment is None:
        return Outcome(UNKNOWN_PAYMENT)
    order = await Order.get(id=payment.order_id)
    if note.currency != payment.currency:
        return Outcome(REJECTED_CURRENCY, payment.state, order.number)
    if note.amount != payment.amount:
        return Outcome(REJECTED_AMOUNT, payment.state, order.number)
    allowed_from = [PENDING, FAILED] if note.status == PAID else [PENDING]
    moved = await Payment.filter(id=payment.id, state__in=allowed_from).update(
        state=note.status, transaction_id=note.transaction_id, updated_at=timezone.now())
    if not moved:
        return Outcome(IGNORED, payment.state, order.number)
    await _move_order(order, note)
    return Outcome(APPLIED, note.status, order.number)


async def _move_order(order: Order, note: VerifiedNotification) -> None:
    if note.status == PAID:
        target, event = PaymentState.PAID, "payment_received"
        allowed_from = [PaymentState.PENDING, PaymentState.FAILED]
    else:
        target, allowed_from, event = PaymentState.FAILED, [PaymentState.PENDING], "payment_failed"
    movable = Order.filter(id=order.id, payment_state__in=allowed_from)
    if await movable.update(payment_state=target, updated_at=timezone.now()):
        updated = await Order.get(id=order.id)
        payload = await order_payload(updated, amount=note.amount, currency=note.currency)
        await notify(event, purpose=Purpose.ORDER, order=updated, payload=payload)


async def _not_final(provider: PaymentProvider, note: VerifiedNotification) -> Outcome:
    # "Processing", "3-D Secure"...: a later notification for the same transaction brings the
    # result, so this one is not recorded (recording it would make the final one a "duplicate").
    return await _describe(NOT_FINAL, note.reference, provider.name)


async def _describe(result: str, reference: str, provider_name: str) -> Outcome:
    payment = await Payment.get_or_none(reference=reference, provider=provider_name)
    if payment is None:
        return Outcome(result)
    number = await Order.filter(id=payment.order_id).values_list("number", flat=True)
    return Outcome(result, payment.state, number[0] if number else "")
