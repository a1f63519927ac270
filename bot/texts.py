"""Message texts built from core objects, in the current locale (HTML, every value escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from aiogram.utils.i18n import gettext as _

from core.i18n import format_day, format_price
from core.payments.telegram import TELEGRAM_PAYMENTS


def status_name(status: str) -> str:
    names = {
        "new": _("New"),
        "confirmed": _("Confirmed"),
        "shipped": _("Shipped"),
        "delivered": _("Delivered"),
        "cancelled": _("Cancelled"),
    }
    return names.get(str(status), str(status))


def delivery_name(method: str) -> str:
    names = {
        "courier": _("Courier to your address"),
        "pickup": _("Pickup at the shop"),
        "carrier": _("Carrier branch"),
    }
    return names.get(str(method), str(method))


def payment_name(method: str, provider: str = "") -> str:
    if str(method) == "card" and provider == TELEGRAM_PAYMENTS:
        return _("Card, in Telegram's payment form")
    names = {"cash": _("Cash on delivery"), "card": _("Card, on the payment provider's page")}
    return names.get(str(method), str(method))


def payment_state_name(state: str) -> str:
    names = {
        "not_required": _("pay on delivery"),
        "pending": _("awaiting payment"),
        "paid": _("paid"),
        "failed": _("payment failed"),
    }
    return names.get(str(state), str(state))


def part_title(brand: str, article: str, name: str) -> str:
    return f"{brand} {article} — {name}"


def stock_text(stock: int) -> str:
    return _("In stock: {count}").format(count=stock) if stock > 0 else _("Out of stock")


def fits_text(fits: bool | None, vehicle_label: str | None) -> str:
    if fits is None or not vehicle_label:
        return _("Choose your vehicle (/vehicle) to see whether this part fits.")
    if fits:
        return _("✅ Fits your {vehicle}").format(vehicle=escape(vehicle_label))
    return _("❌ Does not fit your {vehicle}").format(vehicle=escape(vehicle_label))


def part_card(details: Any, locale: str, vehicle_label: str | None) -> str:
    part = details.part
    lines = [
        f"<b>{escape(part.brand)} {escape(part.article)}</b>",
        escape(part.name),
    ]
    if details.category is not None:
        lines.append(_("Category: {name}").format(name=escape(details.category.name_in(locale))))
    lines.append(_("Price: {price}").format(price=format_price(part.price, part.currency, locale)))
    lines.append(stock_text(part.stock))
    lines.append(fits_text(details.fits, vehicle_label))
    if details.oe_numbers:
        lines.append(_("OE numbers: {numbers}").format(numbers=escape(", ".join(details.oe_numbers[:10]))))
    if details.analogues:
        lines.append(_("Analogues: see the buttons below."))
    return "\n".join(lines)


def search_result_line(card: Any, locale: str) -> str:
    mark = {True: "✅ ", False: "❌ ", None: ""}[card.fits]
    price = format_price(card.price, card.currency, locale)
    return f"{mark}{card.brand} {card.article} — {card.name} · {price}"


# Telegram refuses a message over 4096 characters: the list of lines of a cart or an order gets
# this much room, the rest is counted ("… and 3 more").
LINES_BUDGET = 3000


def clipped(rows: list[str], more: str, budget: int = LINES_BUDGET) -> list[str]:
    """`rows` as long as they fit in `budget` characters, then `more` (with {count}) for the rest."""
    kept: list[str] = []
    used = 0
    for index, row in enumerate(rows):
        if used + len(row) + 1 > budget:
            kept.append(more.format(count=len(rows) - index))
            break
        kept.append(row)
        used += len(row) + 1
    return kept


def line_row(line: Any, currency: str, locale: str) -> str:
    total = format_price(line.line_total, currency, locale)
    return f"• {escape(line.brand)} {escape(line.article)} — {escape(line.name)} × {line.quantity} = {total}"


def cart_text(view: Any, locale: str, lines: Sequence[Any] | None = None) -> str:
    """The cart; `lines` (one page of it) when not all of them are shown."""
    if not view.lines:
        return _("Your cart is empty. Type an article number or a few words to find parts.")
    shown = view.lines if lines is None else lines
    rows = [_("<b>Your cart</b>")]
    rows += clipped([line_row(line, view.currency, locale) for line in shown], _("… and {count} more"))
    rows.append(_("Subtotal: {amount}").format(amount=format_price(view.subtotal, view.currency, locale)))
    return "\n".join(rows)


def order_line(order: Any, locale: str, zone: str) -> str:
    """One order of /orders; its day is the shop's local day (`zone`, [shop] timezone)."""
    return _("Order {number} of {day}: {status}, {total}").format(
        number=escape(order.number),
        day=format_day(order.created_at, locale, zone=zone),
        status=status_name(order.status),
        total=format_price(order.total, order.currency, locale),
    )


def order_details(order: Any, lines: list[Any], locale: str) -> str:
    rows = [
        _("<b>Order {number}</b>").format(number=escape(order.number)),
        _("Status: {status}").format(status=status_name(order.status)),
    ]
    rows += clipped([line_row(line, order.currency, locale) for line in lines], _("… and {count} more"))
    rows.append(_("Delivery: {method}").format(method=delivery_name(order.delivery_method)))
    if order.tracking_number:
        rows.append(_("Tracking number: {number}").format(number=escape(order.tracking_number)))
    method = payment_name(order.payment_method, order.payment_provider)
    if order.payment_method == "cash":
        rows.append(_("Payment: {method}").format(method=method))
    else:
        rows.append(
            _("Payment: {method} ({state})").format(
                method=method, state=payment_state_name(order.payment_state)
            )
        )
    rows.append(_("Total: {amount}").format(amount=format_price(order.total, order.currency, locale)))
    return "\n".join(rows)
