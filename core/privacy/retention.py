"""Retention (P17): each kind of personal data is kept for its configured period, then purged."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from core.carts.models import Cart
from core.config import Settings
from core.customers.models import AccountToken, Customer, CustomerStatus, RateCounter, Session
from core.privacy.models import AccessLog, Disclosure, VisitStat

log = logging.getLogger(__name__)


async def purge(settings: Settings, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what is past its retention period; returns how many rows of each kind went."""
    now = now or dt.datetime.now(dt.UTC)
    days = settings.privacy

    def before(n: int) -> dt.datetime:
        return now - dt.timedelta(days=n)

    counts = {
        "anonymous_carts": await Cart.filter(customer_id=None, updated_at__lt=before(days.anonymous_cart_days)).delete(),
        "sessions": await Session.filter(expires_at__lt=now).delete()
        + await Session.filter(created_at__lt=before(days.session_days)).delete(),
        "access_log": await AccessLog.filter(created_at__lt=before(days.access_log_days)).delete(),
        "visit_stats": await VisitStat.filter(day__lt=before(days.visit_stats_days).date()).delete(),
        "disclosures": await Disclosure.filter(created_at__lt=before(days.disclosure_log_days)).delete(),
        "expired_tokens": await AccountToken.filter(expires_at__lt=now).delete(),
        "rate_counters": await RateCounter.filter(window_ends_at__lt=now).delete(),
        "unconfirmed_accounts": await _purge_unconfirmed(before(days.unconfirmed_account_days)),
    }
    return counts


async def _purge_unconfirmed(created_before: dt.datetime) -> int:
    # An account that never completed registration (no confirmation) and never ordered.
    stale = await Customer.filter(
        confirmed_at=None, status=CustomerStatus.ACTIVE, created_at__lt=created_before, orders__id=None
    ).values_list("id", flat=True)
    if not stale:
        return 0
    return await Customer.filter(id__in=list(stale)).delete()


async def purge_forever(settings: Settings) -> None:
    """The scheduled purge a long-running process starts (every privacy.purge_interval_minutes)."""
    while True:
        try:
            counts = await purge(settings)
            if any(counts.values()):
                log.info("retention purge: %s", counts)
        except Exception:  # keep the schedule alive; the next run retries
            log.exception("retention purge failed")
        await asyncio.sleep(settings.privacy.purge_interval_minutes * 60)
