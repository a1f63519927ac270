"""The order desk's buttons under a new order's card in the staff Telegram group.

They live in core, as plain Bot API data, so that whichever process posts the card (the web
process's worker or `python -m core worker`) gives it the same Confirm / Cancel buttons. The bot
(bot/callbacks.py `StaffCb`, prefix "staff") reads what a press sends back: `staff:<move>:<number>`,
the form aiogram's CallbackData packs; tests/bot/test_staff_buttons.py keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from core.i18n import gettext
from core.orders.models import OrderStatus

CALLBACK_PREFIX = "staff"
# The moves an order can make next, in the order the buttons show.
NEXT_MOVES: dict[OrderStatus, tuple[str, ...]] = {
    OrderStatus.NEW: ("confirm", "cancel"),
    OrderStatus.CONFIRMED: ("ship", "cancel"),
    OrderStatus.SHIPPED: ("delivered",),
}
# msgids of the bot's catalog (core/locales/*/bot.po): one translation for both places.
BUTTON_TEXTS = {
    "confirm": "✅ Confirm",
    "ship": "🚚 Ship",
    "cancel": "✖ Cancel order",
    "delivered": "📬 Delivered",
}


def callback_data(move: str, number: str) -> str:
    return f"{CALLBACK_PREFIX}:{move}:{number}"


def order_card_buttons(number: str, status: OrderStatus | str, locale: str = "en") -> dict[str, Any]:
    """The Bot API `reply_markup` for an order card: one row with the next moves (none when closed)."""
    row = [{"text": gettext(locale, BUTTON_TEXTS[move]), "callback_data": callback_data(move, number)}
           for move in NEXT_MOVES.get(OrderStatus(status), ())]
    return {"inline_keyboard": [row] if row else []}


def staff_reply_markup(outgoing: Any) -> dict[str, Any] | None:
    """For the staff_telegram adapter: buttons under a new order's card, nothing under other messages."""
    order = getattr(outgoing, "order", None)
    if getattr(outgoing, "kind", "") != "order_placed" or order is None:
        return None
    status = getattr(order, "status", OrderStatus.NEW)
    return order_card_buttons(order.number, status, getattr(outgoing, "locale", "en"))
