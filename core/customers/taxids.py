"""Tax identification numbers of legal entities (P3), checked by their check digits.

Russia: INN of 10 digits (organisation, needs a 9-character KPP) or 12 digits (individual
entrepreneur, no KPP). Kazakhstan: BIN or IIN of 12 digits. Ukraine: EDRPOU of 8 digits
(organisation) or RNOKPP of 10 digits (individual entrepreneur). Spain: NIF (DNI), NIE or CIF.
Each check returns None for a valid number, or the English sentence saying what is wrong.
"""

from __future__ import annotations

import re
import unicodedata

COUNTRIES = ("RU", "KZ", "UA", "ES")

UNKNOWN_COUNTRY = "Tax ids can be checked for Russia, Kazakhstan, Ukraine and Spain only."
RU_INN_FORMAT = "A Russian INN has 10 digits (organisation) or 12 digits (entrepreneur)."
RU_INN_CHECK = "This INN is not valid: its check digits do not match."
KPP_REQUIRED = "Enter the KPP of the organisation (9 characters)."
KPP_FORMAT = "A KPP has 9 characters: 4 digits, 2 digits or letters, 3 digits."
KPP_NOT_APPLICABLE = "A KPP applies only to Russian organisations with a 10-digit INN."
KZ_FORMAT = "A Kazakh BIN or IIN has 12 digits."
KZ_CHECK = "This BIN/IIN is not valid: its check digit does not match."
UA_FORMAT = "A Ukrainian EDRPOU code has 8 digits; an RNOKPP has 10 digits."
UA_CHECK = "This Ukrainian tax code is not valid: its check digit does not match."
ES_FORMAT = "A Spanish NIF, NIE or CIF has 9 characters, such as 12345678Z or B12345674."
ES_CHECK = "This Spanish tax id is not valid: its control character does not match."


def clean_tax_id(text: str) -> str:
    """Drop spaces, dashes, dots and slashes, upper-case; 'ES' VAT prefixes are dropped later.

    Full-width digits and letters (typed with an East Asian keyboard layout) become ASCII (NFKC).
    """
    return re.sub(r"[\s./-]", "", unicodedata.normalize("NFKC", text or "")).upper()


def _all_digits(text: str) -> bool:
    # ASCII only: str.isdigit() also says yes to "²" or "٣", which are no digits of a tax id.
    return text.isascii() and text.isdigit()


def _digits(text: str) -> list[int]:
    return [int(c) for c in text]


def _weighted(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights))


# ---------------------------------------------------------------- Russia

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def ru_inn_problem(inn: str) -> str | None:
    if not _all_digits(inn) or len(inn) not in (10, 12):
        return RU_INN_FORMAT
    d = _digits(inn)
    if len(d) == 10:
        ok = _weighted(d, _INN10) % 11 % 10 == d[9]
    else:
        ok = _weighted(d, _INN11) % 11 % 10 == d[10] and _weighted(d, _INN12) % 11 % 10 == d[11]
    return None if ok else RU_INN_CHECK


def ru_kpp_problem(kpp: str) -> str | None:
    # Tax office (4 digits), reason code (2 digits or capital Latin letters), number (3 digits).
    return None if re.fullmatch(r"[0-9]{4}[0-9A-Z]{2}[0-9]{3}", kpp) else KPP_FORMAT


# ---------------------------------------------------------------- Kazakhstan

def kz_bin_problem(number: str) -> str | None:
    if not _all_digits(number) or len(number) != 12:
        return KZ_FORMAT
    d = _digits(number)
    check = _weighted(d, tuple(range(1, 12))) % 11
    if check == 10:
        check = _weighted(d, (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)) % 11
    return None if check < 10 and check == d[11] else KZ_CHECK


# ---------------------------------------------------------------- Ukraine

def ua_edrpou_problem(code: str) -> str | None:
    if not _all_digits(code) or len(code) != 8:
        return UA_FORMAT
    d = _digits(code)
    shifted = 30000000 <= int(code) <= 60000000
    weights = (7, 1, 2, 3, 4, 5, 6) if shifted else (1, 2, 3, 4, 5, 6, 7)
    check = _weighted(d, weights) % 11
    if check == 10:
        check = _weighted(d, tuple(w + 2 for w in weights)) % 11 % 10
    return None if check == d[7] else UA_CHECK


def ua_rnokpp_problem(code: str) -> str | None:
    if not _all_digits(code) or len(code) != 10:
        return UA_FORMAT
    d = _digits(code)
    check = _weighted(d, (-1, 5, 7, 9, 4, 6, 10, 5, 7)) % 11 % 10
    return None if check == d[9] else UA_CHECK


# ---------------------------------------------------------------- Spain

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_CIF_LETTERS = "JABCDEFGHI"


def es_nif_problem(nif: str) -> str | None:
    nif = nif.removeprefix("ES") if len(nif) == 11 else nif
    if re.fullmatch(r"[0-9]{8}[A-Z]", nif):  # DNI
        return None if _DNI_LETTERS[int(nif[:8]) % 23] == nif[8] else ES_CHECK
    if re.fullmatch(r"[XYZ][0-9]{7}[A-Z]", nif):  # NIE: X/Y/Z stand for 0/1/2
        number = int(str("XYZ".index(nif[0])) + nif[1:8])
        return None if _DNI_LETTERS[number % 23] == nif[8] else ES_CHECK
    if re.fullmatch(r"[ABCDEFGHJNPQRSUVW][0-9]{7}[0-9A-J]", nif):  # CIF
        return _cif_problem(nif)
    return ES_FORMAT


def _cif_problem(cif: str) -> str | None:
    digits = _digits(cif[1:8])
    even = sum(digits[1::2])
    odd = sum(sum(divmod(2 * d, 10)) for d in digits[0::2])
    control = (10 - (even + odd) % 10) % 10
    if cif[0] in "PQRSNW":  # these organisation types always end with a letter
        allowed = {_CIF_LETTERS[control]}
    elif cif[0] in "ABEH":  # these always end with a digit
        allowed = {str(control)}
    else:
        allowed = {str(control), _CIF_LETTERS[control]}
    return None if cif[8] in allowed else ES_CHECK


# ---------------------------------------------------------------- one entry point

def tax_id_problems(country: str, tax_id: str, kpp: str = "") -> dict[str, str]:
    """Problems keyed by field ('tax_id', 'kpp'); empty when the pair is valid.

    Expects cleaned values (clean_tax_id) and an upper-case ISO country code.
    """
    problems: dict[str, str] = {}
    if country not in COUNTRIES:
        return {"legal_country": UNKNOWN_COUNTRY}
    checks = {"RU": ru_inn_problem, "KZ": kz_bin_problem, "ES": es_nif_problem,
              "UA": ua_rnokpp_problem if len(tax_id) == 10 else ua_edrpou_problem}
    problem = checks[country](tax_id)
    if problem:
        problems["tax_id"] = problem
    if country == "RU" and len(tax_id) == 10:
        kpp_problem = ru_kpp_problem(kpp) if kpp else KPP_REQUIRED
        if kpp_problem:
            problems["kpp"] = kpp_problem
    elif kpp:
        problems["kpp"] = KPP_NOT_APPLICABLE
    return problems
