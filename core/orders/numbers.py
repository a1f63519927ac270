"""Order numbers people can read out on the phone, and that reveal nothing about sales volume.

"GS-7K3M-9QX2": eight random characters from an alphabet without look-alikes (no 0/O, 1/I/L),
about 8.5e11 possibilities, so numbers are not sequential and not guessable in practice. The
unique index on Order.number catches the rare clash; checkout then tries another number.
"""

from __future__ import annotations

import re
import secrets


ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "GS"
_SHAPE = re.compile(rf"{PREFIX}-[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def new_order_number() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def normalise_order_number(text: str) -> str:
    """What a person typed ("gs 7k3m 9qx2", "GS-7K3M-9QX2 ") in the stored form, or "" if it cannot be one."""
    if not isinstance(text, str):
        return ""
    compact = re.sub(r"[\s\-_.]", "", text).upper()
    if len(compact) != 10 or not compact.startswith(PREFIX):
        return ""
    number = f"{PREFIX}-{compact[2:6]}-{compact[6:]}"
    return number if _SHAPE.fullmatch(number) else ""

