"""The staff order desk on the web: only staff, every order, every change through the status machine.

The Telegram group's buttons (bot/routers/staff.py) and these services end in the same
`change_status`, so an order moves the same way whichever desk a staff member uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.customers.models import AuditEvent, Customer
from core.errors import PermissionDenied, ValidationError
from core.orders.models import Order, OrderStatus
from core.orders.queries import get_order
from core.orders.status import change_status

STAFF_ONLY = "This page is for the shop's staff."
PER_PAGE = 50
ACTIONS = {
    "confirm": OrderStatus.CONFIRMED,
    "ship": OrderStatus.SHIPPED,
    "deliver": OrderStatus.DELIVERED,
    "cancel": OrderStatus.CANCELLED,
}


def require_staff(customer: Customer | None) -> Customer:
    if customer is None or not customer.is_staff:
        raise PermissionDenied(STAFF_ONLY)
    return customer


def staff_actor(staff: Customer) -> str:
    """Who changed an order, as order events and the Telegram cards name staff."""
    return f"staff:web:{staff.id}"


@dataclass(frozen=True)
class OrderListPage:
    orders: list[Order]
    total: int
    page: int
    pages: int
    status: OrderStatus | None


def parse_status(value: str | None) -> OrderStatus | None:
    """`?status=` of the list: empty means every status."""
    if not value:
        return None
    try:
        return OrderStatus(value)
    except ValueError:
        raise ValidationError("Unknown order status.") from None


async def orders_for_staff(staff: Customer, *, status: OrderStatus | None = None, page: int = 1) -> OrderListPage:
    """Orders newest first, `PER_PAGE` a page, optionally of one status."""
    require_staff(staff)
    query = Order.all() if status is None else Order.filter(status=status)
    total = await query.count()
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    orders = await query.order_by("-created_at", "-id").offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    return OrderListPage(orders=list(orders), total=total, page=page, pages=pages, status=status)


async def order_for_staff(staff: Customer, number: str, *, ip: str | None = None) -> Order:
    """An order with the customer's contact, for fulfilment. The look is written to the customer's
    audit trail (P18: every staff view of a customer's data, with who, when and why)."""
    require_staff(staff)
    order = await get_order(number)
    if order.customer_id is not None:
        await AuditEvent.create(customer_id=order.customer_id, event="staff_order_view", actor=f"staff:{staff.id}",
                                channel="web", ip=ip, detail={"reason": "order fulfilment", "order": order.number})
    return order


async def act_on_order(staff: Customer, number: str, action: str, *, tracking_number: str = "",
                       note: str = "") -> Order:
    """Confirm, ship (with the carrier's tracking number), deliver or cancel one order."""
    require_staff(staff)
    target = ACTIONS.get(action)
    if target is None:
        raise ValidationError("Unknown action.")
    order = await get_order(number)
    return await change_status(order, target, actor=staff_actor(staff), note=note,
                               tracking_number=tracking_number)
