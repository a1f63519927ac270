"""The access log of sign-ins and orders (P12): customer id, IP and time, purged after a while."""

from __future__ import annotations

from core.privacy.models import AccessLog

EVENTS = ("sign_in", "sign_out", "order", "password_reset")


async def record_access(customer_id: int | None, event: str, ip: str | None) -> None:
    """Write one row; web events only (Telegram gives a bot no IP)."""
    if not ip:
        return
    await AccessLog.create(customer_id=customer_id, event=event[:32], ip=ip[:45])
