"""Visit statistics (P11): per day, truncated IP, browser family and OS; never a customer id."""

from __future__ import annotations

import datetime as dt
import ipaddress
from urllib.parse import urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F

from core.privacy.models import VisitStat

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("YaBrowser", "Yandex"), ("Firefox/", "Firefox"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Linux", "Linux"))


def truncate_ip(ip: str) -> str:
    """IPv4 keeps its /24, IPv6 its /48: enough for a region, not for a person."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def browser_family(user_agent: str) -> str:
    return next((name for marker, name in _BROWSERS if marker in user_agent), "other")


def os_family(user_agent: str) -> str:
    return next((name for marker, name in _SYSTEMS if marker in user_agent), "other")


def referrer_host(referrer: str) -> str:
    try:
        return (urlsplit(referrer).hostname or "")[:128]
    except ValueError:
        return ""


def _visit_key(ip: str, user_agent: str, referrer: str, day: dt.date | None = None) -> tuple:
    return (
        day or dt.datetime.now(dt.UTC).date(),
        truncate_ip(ip),
        browser_family(user_agent or ""),
        os_family(user_agent or ""),
        referrer_host(referrer or ""),
    )


async def record_visit(ip: str, user_agent: str, referrer: str, day: dt.date | None = None) -> None:
    await _count(_visit_key(ip, user_agent, referrer, day), 1)


async def record_visits(visits: list[tuple]) -> None:
    """Several visits (record_visit's arguments each) with one write per statistics row.

    The web process's background writer hands over what queued up while it last wrote, so a
    busy shop does not commit (and fsync) once per page view.
    """
    counts: dict[tuple, int] = {}
    for visit in visits:
        key = _visit_key(*visit)
        counts[key] = counts.get(key, 0) + 1
    for key, count in counts.items():
        await _count(key, count)


async def _count(values: tuple, count: int) -> None:
    key = dict(zip(("day", "ip_prefix", "browser", "os", "referrer_host"), values, strict=True))
    updated = await VisitStat.filter(**key).update(visits=F("visits") + count)
    if not updated:
        try:
            await VisitStat.create(**key, visits=count)
        except IntegrityError:  # a concurrent first visit created the row: count on it
            await VisitStat.filter(**key).update(visits=F("visits") + count)
