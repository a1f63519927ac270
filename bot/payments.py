"""Card payment from the chat: a button to the payment provider's page (P14: no card data here)."""

from __future__ import annotations

import logging

from core.config import Settings
from core.errors import ShopError
from core.orders.models import Order

log = logging.getLogger(__name__)


def payment_urls(settings: Settings, order: Order, provider: str) -> tuple[str, str]:
    """Where the provider sends the customer back, and where it posts its notification (web routes)."""
    base = settings.shop.base_url.rstrip("/")
    return f"{base}/payments/return/{order.number}", f"{base}/payments/notify/{provider}"


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
