"""Translations shared by the web shop, the bot and the messages.

Catalogs live in core/locales/<locale>/LC_MESSAGES/<domain>.po, one domain per area
(web, bot, notifications, customers, commerce, catalogue, privacy). They are read
straight from the .po files with Babel and merged, so there is no compile step.
Prices and dates are formatted for the locale with Babel too. Moments are stored in UTC and
shown on the shop's clock: every date/time formatter takes the zone (`[shop] timezone`, an IANA
name) from its caller's settings, so the day of an order is the shop's local day.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from core.money import minor_units

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("en", "uk", "ru", "es")
DEFAULT = "en"


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    """All domains of one locale merged into one gettext object."""
    import io

    merged: NullTranslations | None = None
    for po_path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        part = Translations(buffer, domain=po_path.stem)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged or NullTranslations()


def gettext(locale: str, message: str) -> str:
    return translations(normalise_locale(locale)).gettext(message)


def ngettext(locale: str, singular: str, plural: str, n: int) -> str:
    return translations(normalise_locale(locale)).ngettext(singular, plural, n)


def normalise_locale(value: str | None, allowed: tuple[str, ...] = SUPPORTED) -> str:
    """'uk-UA' -> 'uk'; anything unknown -> the default."""
    if not value:
        return DEFAULT
    short = value.replace("_", "-").split("-")[0].strip().lower()
    return short if short in allowed else DEFAULT


def format_price(amount_minor: int, currency: str, locale: str) -> str:
    return _format_price(amount_minor, currency, normalise_locale(locale))


@lru_cache(maxsize=65_536)
def _format_price(amount_minor: int, currency: str, locale: str) -> str:
    # Babel takes ~50 µs a price and a page of part cards shows dozens (docs/benchmarks.md).
    exponent = minor_units(currency)
    return format_currency(amount_minor / 10**exponent, currency, locale=locale)


def shop_zone(name: str) -> dt.tzinfo:
    """The zone of an IANA name such as "Europe/Kyiv" (ZoneInfo caches them). "UTC" needs no zone
    database. Raises ValueError or KeyError (ZoneInfoNotFoundError) for a name it cannot find."""
    return dt.UTC if name == "UTC" else ZoneInfo(name)


def local_moment(value: dt.datetime, zone: str) -> dt.datetime:
    """A stored moment on the shop's clock; a naive value is taken as UTC (how it is stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(shop_zone(zone))


def format_day(value: dt.date | dt.datetime, locale: str, *, zone: str) -> str:
    """The medium date; a moment counts on the day it is in `zone` (23:30 UTC is the next day in Kyiv)."""
    if isinstance(value, dt.datetime):
        value = local_moment(value, zone).date()
    return format_date(value, format="medium", locale=normalise_locale(locale))


def format_moment(value: dt.datetime, locale: str, *, zone: str) -> str:
    """The medium date and time on the clock of `zone` (Babel, too, takes a naive value as UTC)."""
    return format_datetime(value, format="medium", tzinfo=shop_zone(zone), locale=normalise_locale(locale))
