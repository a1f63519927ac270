"""Money in the shop: integer minor units of an ISO 4217 currency.

One definition of how many minor units a currency has, taken from the same CLDR data that
formats prices (babel), so an imported price, a displayed price and an amount sent to a payment
provider always agree: 2 digits for EUR or UAH, none for JPY, KRW or ISK, 3 for KWD.
"""

from __future__ import annotations

from functools import cache

from babel.numbers import get_currency_precision


@cache
def minor_units(currency: str) -> int:
    """Digits after the decimal point in `currency` (`EUR` -> 2, `JPY` -> 0, `KWD` -> 3)."""
    return get_currency_precision(currency.upper())


def decimal_text(amount_minor: int, currency: str) -> str:
    """`1250, "EUR"` -> `12.50`; `1250, "JPY"` -> `1250`: a plain decimal, no currency sign."""
    digits = minor_units(currency)
    if not digits:
        return str(amount_minor)
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**digits)
    return f"{sign}{whole}.{fraction:0{digits}d}"
