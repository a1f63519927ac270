"""Translations shared by the web shop, the bot and the messages.

Catalogs live in core/locales/<locale>/LC_MESSAGES/<domain>.po, one domain per area
(web, bot, notifications, customers, commerce, catalogue, privacy). They are read
straight from the .po files with Babel and merged, so there is no compile step.
Prices and dates are formatted for the locale with Babel too.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path

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


def format_day(value: dt.date | dt.datetime, locale: str) -> str:
    return format_date(value, format="medium", locale=normalise_locale(locale))


def format_moment(value: dt.datetime, locale: str) -> str:
    return format_datetime(value, format="medium", locale=normalise_locale(locale))
