"""The processors the privacy page publishes (P7, P8): every outside service that receives data.

Built from configuration only: the external notification adapters (core.notifications.registry)
and the card payment providers switched on in `payments.providers`. The built-in sandbox bank
and the console adapters run inside the shop, so they are not processors. Nothing else sends
data out of the shop, so this list is the whole answer to "who receives my data".
"""

from __future__ import annotations

from typing import Any

from core.config import Settings
from core.notifications.registry import processors as notification_processors

# Payment providers that are outside services: the customer types the card details on their page;
# the shop sends them only the order number, the amount and the currency (P14).
PAYMENT_PROCESSORS = {
    "liqpay": ("LiqPay", ("Takes card payments on its own page: you type your card details there, "
                          "the shop sends it only the order number and the amount.")),
    "telegram": ("Telegram Payments", ("Takes card payments for orders placed in the bot, in Telegram's own payment "
                                       "form: the shop sends it only the order number and the amount.")),
}


def published_processors(settings: Settings) -> list[dict[str, Any]]:
    """name, purpose and field labels (gettext msgids), field keys and channel of each processor."""
    listed = list(notification_processors(settings))
    for provider in settings.payments.providers:
        if provider in PAYMENT_PROCESSORS:
            name, purpose = PAYMENT_PROCESSORS[provider]
            listed.append({"name": name, "purpose": purpose, "fields": [], "field_labels": [],
                           "channel": "payment"})
    return listed
