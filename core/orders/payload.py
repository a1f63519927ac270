"""What order messages carry: the order's own facts, never the recipient's contact data (P7).

The worker resolves where a message goes (email, phone, chat) at send time.
"""

from __future__ import annotations

from typing import Any

from core.orders.models import Order, OrderLine


async def order_payload(order: Order, lines: list[OrderLine] | None = None, **extra: Any) -> dict[str, Any]:
    if lines is None:
        lines = await OrderLine.filter(order_id=order.id).order_by("id")
    payload: dict[str, Any] = {
        "number": order.number,
        "order_number": order.number,
        "status": str(order.status),
        "lines": [
            {
                "brand": line.brand, "article": line.article, "name": line.name,
                "quantity": line.quantity, "unit_price": line.unit_price, "line_total": line.line_total,
            }
            for line in lines
        ],
        "subtotal": order.subtotal,
        "shipping_price": order.shipping_price,
        "total": order.total,
        "currency": order.currency,
        "delivery_method": str(order.delivery_method),
        "payment_method": str(order.payment_method),
        "payment_state": str(order.payment_state),
        "tracking_number": order.tracking_number,
    }
    payload.update(extra)
    return payload
