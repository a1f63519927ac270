"""Staff access to a customer's data (P18): only staff, only with a reason, always audited."""

from __future__ import annotations

from typing import Any

from core.customers.models import AuditEvent, Customer
from core.errors import NotFound, PermissionDenied, ValidationError


async def view_customer_data(staff: Customer, customer_id: int, reason: str, *, ip: str | None = None) -> dict[str, Any]:
    """A full data export of one customer for staff, e.g. to answer a legal request."""
    from core.customers.data_rights import export_customer_data

    if not staff.is_staff:
        raise PermissionDenied("Only staff can view a customer's data.")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError("Give the reason for viewing this customer's data.", fields={"reason": "Give the reason for viewing this customer's data."})
    customer = await Customer.get_or_none(id=customer_id)
    if customer is None:
        raise NotFound("No such customer.")
    await AuditEvent.create(
        customer=customer, event="staff_data_view", actor=f"staff:{staff.id}", channel="staff", ip=ip,
        detail={"reason": reason[:500]},
    )
    return await export_customer_data(customer)
