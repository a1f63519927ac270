"""How numbers, brands and names are compared: the one place that defines "the same article".

Customers type part numbers the way they see them printed (`0 986-452.041`), copy them from
Cyrillic keyboards (a Cyrillic `С` looks like a Latin `C`) and mix cases. Everything that stores
or searches a number goes through `normalise_article`, so an import and a search always agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

# Separators people put inside part numbers: spaces of every kind, dashes of every kind,
# dots, slashes and underscores.
_SEPARATORS = " \t\r\n\u00a0\u2007\u202f.-\u2010\u2011\u2012\u2013\u2014\u2212/\\_"
# Cyrillic letters that look like Latin ones (upper and lower case), plus the Ukrainian І.
_LOOKALIKES = {
    "А": "A", "В": "B", "С": "C", "Е": "E", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "Т": "T", "Х": "X", "І": "I",
    "а": "A", "в": "B", "с": "C", "е": "E", "к": "K", "м": "M", "н": "H",
    "о": "O", "р": "P", "т": "T", "х": "X", "і": "I",
}  # fmt: skip
_TABLE = str.maketrans({**dict.fromkeys(_SEPARATORS, None), **_LOOKALIKES})


def normalise_article(text: str) -> str:
    """`0 986-452.041` -> `0986452041`; `w 712/75` -> `W71275`; Cyrillic `С` -> Latin `C`."""
    return text.translate(_TABLE).upper()


def readable_text(text: str) -> str:
    """`text` with control characters and unpaired surrogates turned into spaces."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch.isspace() else " " for ch in text)


def brand_key(brand: str) -> str:
    """The brand half of a part's identity: `Mann-Filter` and `MANN-FILTER` are one brand."""
    return " ".join(brand.split()).upper()


def search_text(
    brand: str, name: str, article: str, article_norm: str, category_names: Sequence[str] = ()
) -> str:
    """What a word search looks in: brand, name, both spellings of the article and the names of
    the part's category in every language the catalogue has, case-folded.

    Stored per part, so word search is case-insensitive for every alphabet on SQLite too
    (SQLite's LIKE only folds ASCII).
    """
    text = f"{brand} {name} {article} {article_norm}"
    names = " ".join(n for n in category_names if n)
    return f"{text} {names}".casefold() if names else text.casefold()


# Endings Ukrainian and Russian words change with number and case (колодка/колодки,
# масляный/масляные/масляні): a search word leaves them off, so either form finds the other.
_CYRILLIC_ENDINGS = frozenset("аеёєиіїйоуыьэюя")
_SHORTEST_STEM = 4


def fold_word(word: str) -> str:
    """A search word in the form `search_text` stores, without a changing Cyrillic ending."""
    folded = word.casefold()
    for _ in range(2):
        if len(folded) > _SHORTEST_STEM and folded[-1] in _CYRILLIC_ENDINGS:
            folded = folded[:-1]
    return folded


_SLUG_JUNK = re.compile(r"[^\w]+")


def slugify(text: str) -> str:
    """`Škoda` -> `skoda`, `Brake pads` -> `brake-pads`; Cyrillic stays Cyrillic (URLs allow it)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SLUG_JUNK.sub("-", plain.casefold()).strip("-_").replace("_", "-")
