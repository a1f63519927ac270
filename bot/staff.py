"""The staff desk's order card: its buttons and its status footer.

The notifications worker posts each new order to the staff group (core/adapters/staff_telegram.py)
with the buttons of core/notifications/staff_buttons.py, so the card arrives with Confirm / Cancel. When staff press a button (bot/routers/staff.py) the card keeps
its text and gets a footer with the new status and who changed it; its buttons become the moves
the order can make next.
"""

from __future__ import annotations

from html import escape
from typing import Any

from aiogram.types import InlineKeyboardMarkup

from bot.i18n import N_, text
from bot.texts import clipped
from core.config import Settings
from core.i18n import format_price
from core.notifications.staff_buttons import order_card_buttons
from core.orders.models import Order, OrderStatus

FOOTER_MARK = "\n\n📋 "
DELIVERY_NAMES = {"courier": N_("Courier"), "pickup": N_("Pickup"), "carrier": N_("Carrier branch")}
PAYMENT_NAMES = {"cash": N_("Cash on delivery"), "card": N_("Card")}
STATUS_NAMES = {
    "new": N_("New"),
    "confirmed": N_("Confirmed"),
    "shipped": N_("Shipped"),
    "delivered": N_("Delivered"),
    "cancelled": N_("Cancelled"),
}
STATUS_LINES = {
    OrderStatus.NEW: N_("Status: new"),
    OrderStatus.CONFIRMED: N_("Status: confirmed by {who}"),
    OrderStatus.SHIPPED: N_("Status: shipped by {who}"),
    OrderStatus.DELIVERED: N_("Status: delivered, marked by {who}"),
    OrderStatus.CANCELLED: N_("Status: cancelled by {who}"),
}


def order_card_markup(order: Any, locale: str = "en") -> InlineKeyboardMarkup:
    """Buttons for the moves the order can make next (none once it is delivered or cancelled)."""
    return InlineKeyboardMarkup.model_validate(order_card_buttons(order.number, order.status, locale))


def footer(status: OrderStatus, who: str, locale: str, tracking_number: str = "") -> str:
    line = text(locale, STATUS_LINES[status]).format(who=escape(who))
    if tracking_number:
        line += "\n" + text(locale, "Tracking number: {number}").format(number=escape(tracking_number))
    return line


def with_footer(card_html: str, status: OrderStatus, who: str, locale: str, tracking_number: str = "") -> str:
    """The card's own text with its status footer replaced."""
    body = card_html.split(FOOTER_MARK, 1)[0]
    return body + FOOTER_MARK + footer(status, who, locale, tracking_number)


def order_card_text(order: Order, locale: str) -> str:
    """A card for /order in the staff group: the order's facts, the contact name, no phone or address."""
    rows = [text(locale, "<b>Order {number}</b>").format(number=escape(order.number))]
    lines = [
        f"• {escape(line.brand)} {escape(line.article)} — {escape(line.name)} × {line.quantity}"
        for line in order.lines
    ]
    rows += clipped(lines, text(locale, "… and {count} more"))
    rows.append(
        text(locale, "Total: {amount}").format(amount=format_price(order.total, order.currency, locale))
    )
    rows.append(text(locale, "Customer: {name}").format(name=escape(order.contact_name or "—")))
    delivery = text(locale, DELIVERY_NAMES.get(str(order.delivery_method), str(order.delivery_method)))
    if order.carrier_city:
        delivery += f" ({order.carrier_city}, {order.carrier_branch})"
    rows.append(text(locale, "Delivery: {method}").format(method=escape(delivery)))
    payment = text(locale, PAYMENT_NAMES.get(str(order.payment_method), str(order.payment_method)))
    rows.append(text(locale, "Payment: {method}").format(method=escape(payment)))
    status = text(locale, "Status: {status}").format(status=text(locale, STATUS_NAMES[str(order.status)]))
    return "\n".join(rows) + FOOTER_MARK + status


def staff_locale(settings: Settings) -> str:
    return settings.shop.default_locale
