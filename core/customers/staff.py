"""Who is staff: granted and revoked from the command line by the shop's operator, audited."""

from __future__ import annotations

from core.customers.audit import record_event
from core.customers.models import Customer, CustomerStatus
from core.customers.validation import email_for_lookup
from core.errors import NotFound


async def set_staff(email: str, is_staff: bool, *, operator: str = "cli") -> Customer:
    """Make the customer with this email staff (or no longer staff); NotFound when there is none."""
    customer = await Customer.get_or_none(email=email_for_lookup(email), status=CustomerStatus.ACTIVE)
    if customer is None:
        raise NotFound("No active customer has this email address.")
    if customer.is_staff != is_staff:
        customer.is_staff = is_staff
        await customer.save(update_fields=["is_staff", "updated_at"])
        await record_event(customer, "staff_granted" if is_staff else "staff_revoked",
                           actor=f"operator:{operator}"[:48], channel="cli")
    return customer


async def list_staff() -> list[Customer]:
    return await Customer.filter(is_staff=True, status=CustomerStatus.ACTIVE).order_by("email")
