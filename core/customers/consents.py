"""Consent records (P6, P16, P19): one row per grant or withdrawal, keeping the policy version.

The latest record of a kind is the current state. Age (14+) and the privacy policy are
required for an account; marketing is optional, off until the customer opts in.
"""

from __future__ import annotations

from core.customers.audit import record_event
from core.customers.models import Consent, ConsentKind, Customer

__all__ = ["ConsentKind", "current_marketing_consent", "set_marketing", "record_consent",
           "record_required_consents", "accepted_policy_version"]


async def record_consent(customer: Customer, kind: ConsentKind, granted: bool, policy_version: str,
                         channel: str) -> Consent:
    return await Consent.create(customer_id=customer.id, kind=kind, granted=bool(granted),
                                policy_version=str(policy_version)[:16], channel=channel[:16])


async def record_required_consents(customer: Customer, *, policy_version: str, channel: str) -> None:
    """The age confirmation and the privacy-policy acceptance, e.g. at registration or when the
    bot collects them (also after the policy changed)."""
    await record_consent(customer, ConsentKind.AGE_14, True, policy_version, channel)
    await record_consent(customer, ConsentKind.PRIVACY_POLICY, True, policy_version, channel)


async def _latest(customer: Customer, kind: ConsentKind) -> Consent | None:
    return await Consent.filter(customer_id=customer.id, kind=kind).order_by("-id").first()


async def accepted_policy_version(customer: Customer) -> str | None:
    """The privacy-policy version the customer last accepted, or None."""
    latest = await _latest(customer, ConsentKind.PRIVACY_POLICY)
    return latest.policy_version if latest and latest.granted else None


async def current_marketing_consent(customer: Customer) -> bool:
    latest = await _latest(customer, ConsentKind.MARKETING)
    return bool(latest and latest.granted)


async def set_marketing(customer: Customer, granted: bool, channel: str, *, policy_version: str | None = None,
                        ip: str | None = None) -> Consent:
    """Record a new marketing grant or withdrawal (a new row every time, also when unchanged)."""
    version = policy_version or await accepted_policy_version(customer) or ""
    consent = await record_consent(customer, ConsentKind.MARKETING, bool(granted), version, channel)
    await record_event(customer, "marketing_consent_changed", channel=channel, ip=ip, granted=bool(granted))
    return consent
