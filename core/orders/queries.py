"""Reading orders: a customer sees only their own (another customer's order is "not found")."""

from __future__ import annotations

from core.customers.models import Customer
from core.errors import NotFound
from core.orders.models import Order
from core.orders.numbers import normalise_order_number


async def list_orders(customer: Customer) -> list[Order]:
    """The customer's orders, newest first, with their lines."""
    orders = Order.filter(customer_id=customer.id).order_by("-created_at", "-id")
    return await orders.prefetch_related("lines")


async def get_order_for(customer: Customer, number: str) -> Order:
    """One of the customer's orders with lines and events; NotFound for anyone else's."""
    order = await _find(number, customer_id=customer.id)
    if order is None:
        raise NotFound("Order not found.")
    return order


async def get_order(number: str) -> Order:
    """Any order by number (staff)."""
    order = await _find(number)
    if order is None:
        raise NotFound("Order not found.")
    return order


async def _find(number: str, **scope) -> Order | None:
    normalised = normalise_order_number(number)
    if not normalised:
        return None
    return await Order.filter(number=normalised, **scope).prefetch_related("lines", "events").first()
