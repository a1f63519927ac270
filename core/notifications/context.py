"""What a template sees: the shop, the order as it is now, the payload, and the personal fields
the adapter declared (nothing else personal)."""

from __future__ import annotations

from typing import Any

from core.config import Settings
from core.i18n import format_day, format_price, gettext
from core.notifications.personal import without_personal
from core.notifications.ports import OrderFacts
from core.orders.models import Order, OrderLine

# Shared vocabulary (translated in notifications.po).
STATUS_LABELS = {
    "new": "New", "confirmed": "Confirmed", "shipped": "Shipped", "delivered": "Delivered", "cancelled": "Cancelled",
}
DELIVERY_LABELS = {"courier": "Courier delivery", "pickup": "Pickup at the shop", "carrier": "Carrier branch (Nova Poshta)"}
PAYMENT_LABELS = {"cash": "Cash on delivery", "card": "Card payment"}
PAYMENT_STATE_LABELS = {"not_required": "Pay on delivery", "pending": "Awaiting payment", "paid": "Paid",
                        "failed": "Payment failed"}


def order_facts(order: Order | None) -> OrderFacts | None:
    if order is None:
        return None
    return OrderFacts(
        id=order.id, number=order.number, total=order.total, currency=order.currency,
        delivery_method=str(order.delivery_method), payment_method=str(order.payment_method),
        payment_state=str(order.payment_state), status=str(order.status), tracking_number=order.tracking_number,
    )


async def order_view(order: Order, locale: str, payload: dict[str, Any], *, zone: str) -> dict[str, Any]:
    """The order as templates show it: prices formatted for the locale, labels translated, the date
    the shop's local day (`zone`, [shop] timezone)."""
    def money(minor: int) -> str:
        return format_price(minor, order.currency, locale)

    def label(table: dict[str, str], value: object) -> str:
        text = table.get(str(value))
        return gettext(locale, text) if text else str(value)

    lines = await OrderLine.filter(order_id=order.id).order_by("id")
    # "Card payment (Paid)"; cash on delivery needs no "(Pay on delivery)" after it.
    payment_summary = label(PAYMENT_LABELS, order.payment_method)
    if str(order.payment_state) != "not_required":
        payment_summary += f" ({label(PAYMENT_STATE_LABELS, order.payment_state)})"
    return {
        "number": order.number,
        "status": str(order.status),
        "status_label": label(STATUS_LABELS, order.status),
        "lines": [
            {"brand": line.brand, "article": line.article, "name": line.name, "quantity": line.quantity,
             "unit_price": money(line.unit_price), "line_total": money(line.line_total)}
            for line in lines
        ],
        "subtotal": money(order.subtotal),
        "shipping": money(order.shipping_price),
        "total": money(order.total),
        "delivery_method": str(order.delivery_method),
        "delivery_label": label(DELIVERY_LABELS, order.delivery_method),
        "payment_method": str(order.payment_method),
        "payment_label": label(PAYMENT_LABELS, order.payment_method),
        "payment_state_label": label(PAYMENT_STATE_LABELS, order.payment_state),
        "payment_summary": payment_summary,
        "date": format_day(order.created_at, locale, zone=zone),
        "tracking_number": order.tracking_number or str(payload.get("tracking_number", "")),
        "created": order.created_at,
    }


async def message_context(
    settings: Settings, *, locale: str, payload: dict[str, Any], order: Order | None, personal: dict[str, Any]
) -> dict[str, Any]:
    clean = without_personal(payload)
    amount = clean.get("amount")
    currency = clean.get("currency") or (order.currency if order else settings.shop.currency)
    return {
        "shop": {"name": settings.shop.name, "url": settings.shop.base_url.rstrip("/")},
        "personal": personal,
        "payload": clean,
        "order": await order_view(order, locale, clean, zone=settings.shop.timezone) if order is not None else None,
        # Payment messages show the amount of the payment (default: the order total).
        "amount": format_price(int(amount), currency, locale) if isinstance(amount, int) else (
            format_price(order.total, order.currency, locale) if order is not None else ""),
    }
