"""The account's audit trail (P4, P12): what happened, who did it, when, from which IP."""

from __future__ import annotations

from typing import Any

from core.customers.models import AuditEvent, Customer


async def record_event(customer: Customer | None, event: str, *, actor: str = "customer", channel: str = "web",
                       ip: str | None = None, **detail: Any) -> AuditEvent:
    """One audit row. `detail` names what changed, never the values (no passwords, no contacts)."""
    return await AuditEvent.create(
        customer_id=customer.id if customer else None, event=event[:48], actor=actor[:48], channel=channel[:16],
        ip=(ip or None) and ip[:45], detail=detail,
    )
