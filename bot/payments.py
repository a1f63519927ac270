"""Card payment from the chat (P14: no card data reaches the shop).

Two ways: a button to the payment provider's page (payments.providers), or, when the bot has a
Telegram Payments provider token, an invoice in the chat that Telegram's own payment form pays.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import LabeledPrice, Message
from aiogram.utils.i18n import gettext as _

from core.config import Settings
from core.errors import ShopError
from core.orders.models import Order
from core.payments.telegram import TELEGRAM_PAYMENTS, open_invoice

log = logging.getLogger(__name__)
INVOICE_DESCRIPTION = 255  # Telegram's limit


def payment_urls(settings: Settings, order: Order, provider: str) -> tuple[str, str]:
    """Where the provider sends the customer back, and where it posts its notification (web routes)."""
    base = settings.shop.base_url.rstrip("/")
    return f"{base}/payments/return/{order.number}", f"{base}/payments/notify/{provider}"


def invoice_refused() -> str:
    return _(
        "Card payment in Telegram is not available right now. The order is kept: pay later from /orders, "
        "or the shop will contact you."
    )


def telegram_payments(settings: Settings) -> bool:
    return bool(settings.bot.payments_provider_token)


def card_providers(settings: Settings) -> list[str]:
    """The card payment services offered in the chat: the providers' pages, then Telegram's form."""
    return [*settings.payments.providers, *([TELEGRAM_PAYMENTS] if telegram_payments(settings) else [])]


async def card_payment_link(order: Order, providers: dict, settings: Settings) -> str | None:
    """The provider page URL for a card order, or None when the provider is not available here."""
    from core.payments.service import start_payment

    provider = providers.get(order.payment_provider)
    if provider is None:
        log.error("payment provider %r is not configured in the bot process", order.payment_provider)
        return None
    return_url, notify_url = payment_urls(settings, order, order.payment_provider)
    try:
        return await start_payment(order, provider, return_url=return_url, notify_url=notify_url)
    except ShopError:
        log.exception("starting the card payment of order %s failed", order.number)
        return None


async def send_invoice(bot: Bot, chat_id: int, order: Order, settings: Settings) -> Message | None:
    """An invoice for the order in the chat; its payload is the new payment attempt's reference.

    Raises ShopError when the order cannot be paid (cancelled, already paid); None when Telegram
    refuses the invoice (a wrong provider token, an amount outside the provider's limits).
    """
    payment = await open_invoice(order)
    await order.fetch_related("lines")
    items = ", ".join(f"{line.brand} {line.article} × {line.quantity}" for line in order.lines)
    title = _("Order {number}").format(number=order.number)
    try:
        return await bot.send_invoice(
            chat_id,
            title=title,
            description=items[:INVOICE_DESCRIPTION] or title,
            payload=payment.reference,
            provider_token=settings.bot.payments_provider_token,
            currency=payment.currency,
            prices=[LabeledPrice(label=title, amount=payment.amount)],
        )
    except TelegramBadRequest as error:
        log.error("Telegram refused the invoice for order %s: %s", order.number, error.message)
        return None
