"""The order status machine: new → confirmed → shipped → delivered; cancelled from new or confirmed.

Every change is one transaction: a conditional UPDATE on the status the change starts from (so
two staff members clicking at once cannot both apply a change), the order event (who, when,
from what to what), the returned stock when cancelling, and the customer's message.
"""

from __future__ import annotations

import re

from tortoise import timezone
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.catalogue.cache import live_data_changed
from core.catalogue.models import Part
from core.errors import NotFound, ValidationError
from core.notifications.models import Purpose
from core.notifications.outbox import notify
from core.orders.models import DeliveryMethod, Order, OrderEvent, OrderLine, OrderStatus
from core.orders.payload import order_payload

TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.NEW: frozenset({OrderStatus.CONFIRMED, OrderStatus.CANCELLED}),
    OrderStatus.CONFIRMED: frozenset({OrderStatus.SHIPPED, OrderStatus.CANCELLED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED}),
    OrderStatus.DELIVERED: frozenset(),
    OrderStatus.CANCELLED: frozenset(),
}
EVENT_FOR = {
    OrderStatus.CONFIRMED: "order_confirmed",
    OrderStatus.SHIPPED: "order_shipped",
    OrderStatus.DELIVERED: "order_delivered",
    OrderStatus.CANCELLED: "order_cancelled",
}
# Whole sentences, so that each translates well.
REFUSALS = {
    OrderStatus.NEW: "An order cannot go back to new.",
    OrderStatus.CONFIRMED: "Only a new order can be confirmed.",
    OrderStatus.SHIPPED: "Only a confirmed order can be shipped.",
    OrderStatus.DELIVERED: "Only a shipped order can be marked as delivered.",
    OrderStatus.CANCELLED: "Only a new or confirmed order can be cancelled.",
}
_TRACKING = re.compile(r"[A-Za-z0-9-]{4,64}")


async def change_status(order: Order, to_status: OrderStatus | str, *, actor: str, note: str = "",
                        tracking_number: str = "") -> Order:
    """Move the order to `to_status`, or raise ValidationError and change nothing."""
    target = _check_target(to_status)
    actor, note, tracking = _check_details(actor, note, tracking_number, target)
    async with in_transaction():
        current = await Order.get_or_none(id=order.id)
        if current is None:
            raise NotFound("This order does not exist.")
        if target is OrderStatus.SHIPPED and not tracking:
            tracking = current.tracking_number  # the carrier's waybill, stored when it was made
        _check_transition(current, target, tracking)
        changes = {"status": target, "updated_at": timezone.now()}
        if target is OrderStatus.SHIPPED:
            changes["tracking_number"] = tracking
        if await Order.filter(id=current.id, status=current.status).update(**changes) != 1:
            raise ValidationError(
                "The order was changed by someone else a moment ago. Please look at it again.")
        if target is OrderStatus.CANCELLED:
            await _return_stock(current)
        await OrderEvent.create(order_id=current.id, actor=actor, from_status=current.status,
                                to_status=target, note=note)
        updated = await Order.get(id=current.id)
        extra = {"reason": note} if target is OrderStatus.CANCELLED else {}
        payload = await order_payload(updated, **extra)
        await notify(EVENT_FOR[target], purpose=Purpose.ORDER, order=updated, payload=payload)
    if target is OrderStatus.CANCELLED:
        live_data_changed()  # committed: the returned stock shows on this process's pages at once
    return updated


def _check_target(to_status: object) -> OrderStatus:
    try:
        return OrderStatus(to_status)
    except ValueError:
        raise ValidationError("Unknown order status.") from None


def _check_details(actor: object, note: object, tracking: object,
                   target: OrderStatus) -> tuple[str, str, str]:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 64:
        raise ValueError("actor names who changes the status, e.g. 'staff:12' or 'customer'")
    note = note.strip() if isinstance(note, str) else ""
    if len(note) > 255:
        message = "The note is too long (at most 255 characters)."
        raise ValidationError(message, fields={"note": message})
    tracking = tracking.strip().replace(" ", "") if isinstance(tracking, str) else ""
    if tracking and target is not OrderStatus.SHIPPED:
        raise ValidationError("A tracking number is given only when the order is shipped.")
    if tracking and not _TRACKING.fullmatch(tracking):
        message = "Enter a valid tracking number (letters, digits and dashes)."
        raise ValidationError(message, fields={"tracking_number": message})
    return actor.strip(), note, tracking


def _check_transition(order: Order, target: OrderStatus, tracking: str) -> None:
    if target not in TRANSITIONS[OrderStatus(order.status)]:
        raise ValidationError(REFUSALS[target])
    if target is OrderStatus.SHIPPED and order.delivery_method == DeliveryMethod.CARRIER and not tracking:
        message = "Enter the carrier's tracking number."
        raise ValidationError(message, fields={"tracking_number": message})


async def _return_stock(order: Order) -> None:
    lines = await OrderLine.filter(order_id=order.id, part_id__isnull=False).order_by("part_id")
    for line in lines:
        await Part.filter(id=line.part_id).update(stock=F("stock") + line.quantity)
