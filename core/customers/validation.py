"""Checking and normalising what a customer types: names, phone, email, addresses, legal entity.

Every check records its problem under the form field's name so that all bad fields are
reported at once (ValidationError.fields). Messages are English gettext msgids translated in
core/locales/*/LC_MESSAGES/customers.po.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from core.customers.taxids import clean_tax_id, tax_id_problems
from core.errors import ValidationError

DEFAULT_PHONE_REGION = "UA"
CORRECT_FIELDS = "Please correct the marked fields."

NAME_REQUIRED = "This field is required."
NAME_INVALID = "Use letters, spaces, hyphens and apostrophes only."
PHONE_INVALID = "Enter a valid phone number with its country code, such as +380 50 123 4567."
EMAIL_INVALID = "Enter a valid email address, such as name@example.com."
TEXT_INVALID = "This text contains characters that are not allowed."
COUNTRY_INVALID = "Choose a country."
CITY_REQUIRED = "Enter the city."
STREET_REQUIRED = "Enter the street, house and flat."
POSTCODE_INVALID = "Enter a valid postcode."
ORGANISATION_REQUIRED = "Enter the name of the organisation."
TAX_ID_REQUIRED = "Enter the tax id of the organisation."
DISPLAY_NAME_PERSONAL = "A display name is public: do not use an email address or a phone number."

_KNOWN_REGIONS = frozenset(phonenumbers.SUPPORTED_REGIONS)
_NAME_PUNCTUATION = set(" -'’.")


@dataclass(frozen=True, slots=True)
class AddressData:
    city: str
    street: str
    country: str = ""
    region: str = ""
    postcode: str = ""
    label: str = ""
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class LegalEntityData:
    name: str
    country: str
    tax_id: str
    kpp: str = ""


def too_long(limit: int) -> str:
    # One sentence per limit in use (16, 64, 96, 100, 255), each in the catalogs.
    return f"This is too long: at most {limit} characters."


class FieldErrors:
    """Collects one problem per field; `raise_if_any` raises them all in one ValidationError."""

    def __init__(self) -> None:
        self.fields: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationError(CORRECT_FIELDS, fields=self.fields)


def _has_control_chars(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cf", "Co", "Cs") for c in text)


def clean_text(errors: FieldErrors, field: str, value: str | None, *, limit: int, required_message: str = "") -> str:
    """Trimmed single-line text; empty allowed unless `required_message` is given."""
    text = " ".join((value or "").split())
    if not text:
        if required_message:
            errors.add(field, required_message)
        return ""
    if _has_control_chars(text):
        errors.add(field, TEXT_INVALID)
    elif len(text) > limit:
        errors.add(field, too_long(limit))
    return text


def clean_name(errors: FieldErrors, field: str, value: str | None, *, required: bool, limit: int = 100) -> str:
    """A person's name in any script: letters (and their accents), spaces, hyphens, apostrophes."""
    name = " ".join((value or "").split())
    if not name:
        if required:
            errors.add(field, NAME_REQUIRED)
        return ""
    if len(name) > limit:
        errors.add(field, too_long(limit))
        return name
    letters = [c for c in name if unicodedata.category(c)[0] == "L"]
    allowed = all(unicodedata.category(c)[0] in "LM" or c in _NAME_PUNCTUATION for c in name)
    if not letters or not allowed:
        errors.add(field, NAME_INVALID)
    return name


def normalise_phone(value: str, region: str | None = None) -> str | None:
    """E.164 form (+380501234567) or None; national formats use `region` (default UA)."""
    text = (value or "").strip()
    if not text or len(text) > 32:
        return None
    try:
        number = phonenumbers.parse(text, (region or DEFAULT_PHONE_REGION).upper())
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_phone(errors: FieldErrors, field: str, value: str | None, region: str | None = None) -> str:
    phone = normalise_phone(value or "", region)
    if phone is None:
        errors.add(field, PHONE_INVALID)
        return ""
    return phone


def normalise_email(value: str) -> str | None:
    """The normalised address (lower-cased as a whole, so one mailbox is one account) or None."""
    text = (value or "").strip()
    if not text or len(text) > 254:
        return None
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def email_for_lookup(value: str) -> str:
    """The form under which an email is stored, also for text that would not validate."""
    return normalise_email(value) or (value or "").strip().lower()


def clean_email(errors: FieldErrors, field: str, value: str | None) -> str:
    email = normalise_email(value or "")
    if email is None:
        errors.add(field, EMAIL_INVALID)
        return ""
    return email


def clean_country(errors: FieldErrors, field: str, value: str | None) -> str:
    country = (value or "").strip().upper()
    if country not in _KNOWN_REGIONS:
        errors.add(field, COUNTRY_INVALID)
        return ""
    return country


def clean_address(errors: FieldErrors, data: AddressData, prefix: str = "") -> AddressData:
    """The address with trimmed fields; problems under `<prefix><field>` (e.g. address_city)."""
    postcode = clean_text(errors, prefix + "postcode", data.postcode, limit=16).upper()
    if postcode and not re.fullmatch(r"[0-9A-Z][0-9A-Z -]*", postcode):
        errors.add(prefix + "postcode", POSTCODE_INVALID)
    return AddressData(
        city=clean_text(errors, prefix + "city", data.city, limit=100, required_message=CITY_REQUIRED),
        street=clean_text(errors, prefix + "street", data.street, limit=255, required_message=STREET_REQUIRED),
        country=clean_country(errors, prefix + "country", data.country),
        region=clean_text(errors, prefix + "region", data.region, limit=100),
        postcode=postcode,
        label=clean_text(errors, prefix + "label", data.label, limit=64),
        is_default=bool(data.is_default),
    )


def clean_legal_entity(errors: FieldErrors, data: LegalEntityData) -> LegalEntityData:
    """Fields: legal_name, legal_country, tax_id, kpp."""
    name = clean_text(errors, "legal_name", data.name, limit=255, required_message=ORGANISATION_REQUIRED)
    country = (data.country or "").strip().upper()
    tax_id = clean_tax_id(data.tax_id)
    kpp = clean_tax_id(data.kpp)
    if country == "ES" and len(tax_id) == 11:
        tax_id = tax_id.removeprefix("ES")
    if not tax_id:
        errors.add("tax_id", TAX_ID_REQUIRED)
        if country not in ("RU", "KZ", "UA", "ES"):
            errors.add("legal_country", tax_id_problems(country, "")["legal_country"])
    else:
        for field, message in tax_id_problems(country, tax_id, kpp).items():
            errors.add(field, message)
    return LegalEntityData(name=name, country=country, tax_id=tax_id[:16], kpp=kpp[:9])


def clean_display_name(errors: FieldErrors, field: str, value: str | None) -> str:
    """The public name shown with reviews (P15): never an email address or a phone number."""
    text = clean_text(errors, field, value, limit=64)
    if "@" in text or sum(c.isdigit() for c in text) >= 7:
        errors.add(field, DISPLAY_NAME_PERSONAL)
    return text
