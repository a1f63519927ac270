"""Customer accounts: registration (P3, P16), the bot's phone-based accounts, profile changes (P9).

Registration asks exactly for what P3 lists: name (patronymic optional), phone, email, password,
optionally the car's make and model, a first delivery address and a legal entity; plus the
confirmations of age (14+) and of the privacy policy, stored as consent records. Every bad
field is reported at once and nothing is saved.

Password changes and resets live in core.customers.credentials and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from core.config import WebSettings
from core.customers import consents
from core.customers.audit import record_event
from core.customers.credentials import change_password, request_password_reset, reset_password
from core.customers.identity import PHONE_TAKEN, check_unique, is_telegram_only, phone_holder, release_phone
from core.customers.models import Address, Customer, CustomerStatus, LegalEntity
from core.customers.passwords import hash_password, password_problem
from core.customers.profile import update_profile
from core.customers.tokens import now
from core.customers.validation import (
    AddressData,
    FieldErrors,
    LegalEntityData,
    clean_address,
    clean_email,
    clean_legal_entity,
    clean_name,
    clean_phone,
    clean_text,
)
from core.errors import Conflict, ValidationError
from core.i18n import normalise_locale
from core.ratelimit import RateLimiter, enforce

__all__ = [
    "AddressData", "LegalEntityData", "RegistrationData", "register_customer", "find_or_create_by_phone",
    "update_profile", "change_password", "request_password_reset", "reset_password", "is_telegram_only",
]

AGE_REQUIRED = "Please confirm that you are 14 or older."
PRIVACY_REQUIRED = "Please accept the privacy policy to register."
BOT_CONSENTS_REQUIRED = "Please confirm that you are 14 or older and accept the privacy policy."
PHONE_OF_WEB_ACCOUNT = ("This phone number belongs to a web shop account. "
                        "Link your Telegram to it on the account page of the web shop.")

_WEB = WebSettings()


@dataclass(frozen=True, slots=True)
class RegistrationData:
    last_name: str
    first_name: str
    phone: str
    email: str
    password: str
    patronymic: str = ""
    car_make: str = ""
    car_model: str = ""
    address: AddressData | None = None
    legal_entity: LegalEntityData | None = None
    age_confirmed: bool = False
    privacy_accepted: bool = False
    marketing_opt_in: bool = False
    locale: str = "en"


async def _check_registration(data: RegistrationData) -> tuple[FieldErrors, dict]:
    errors = FieldErrors()
    address = clean_address(errors, data.address, prefix="address_") if data.address else None
    legal = clean_legal_entity(errors, data.legal_entity) if data.legal_entity else None
    region = (address.country if address and address.country else None) or "UA"
    values = {
        "last_name": clean_name(errors, "last_name", data.last_name, required=True),
        "first_name": clean_name(errors, "first_name", data.first_name, required=True),
        "patronymic": clean_name(errors, "patronymic", data.patronymic, required=False),
        "phone": clean_phone(errors, "phone", data.phone, region),
        "email": clean_email(errors, "email", data.email),
        "car_make": clean_text(errors, "car_make", data.car_make, limit=64),
        "car_model": clean_text(errors, "car_model", data.car_model, limit=96),
        "locale": normalise_locale(data.locale),
    }
    problem = password_problem(data.password)
    if problem:
        errors.add("password", problem)
    if data.age_confirmed is not True:
        errors.add("age_confirmed", AGE_REQUIRED)
    if data.privacy_accepted is not True:
        errors.add("privacy_accepted", PRIVACY_REQUIRED)
    await check_unique(errors, values["email"], values["phone"])
    return errors, {"customer": values, "address": address, "legal": legal}


async def register_customer(data: RegistrationData, *, channel: str = "web", ip: str | None = None,
                            policy_version: str, limiter: RateLimiter | None = None,
                            registrations_per_hour: int = _WEB.registrations_per_hour_per_ip) -> Customer:
    """Create the account, its consent records and the optional address and legal entity."""
    if not policy_version:
        raise ValueError("policy_version is required: consents record the version accepted")
    await enforce(limiter, "register:ip", ip, registrations_per_hour)
    errors, clean = await _check_registration(data)
    errors.raise_if_any()
    password_hash = await hash_password(data.password)
    try:
        async with in_transaction():
            customer = await _create_registered(clean, password_hash, data, channel, ip, policy_version)
    except IntegrityError:
        # Someone registered the same email or phone a moment ago: report it like the check does.
        errors, _ = await _check_registration(data)
        errors.raise_if_any()
        raise
    return customer


async def _create_registered(clean: dict, password_hash: str, data: RegistrationData, channel: str,
                             ip: str | None, policy_version: str) -> Customer:
    values = clean["customer"]
    holder = await release_phone(values["phone"])
    if holder is not None:
        await record_event(holder, "phone_moved_to_web_account", actor="system", channel=channel)
    customer = await Customer.create(**values, password_hash=password_hash, confirmed_at=now())
    await consents.record_required_consents(customer, policy_version=policy_version, channel=channel)
    if data.marketing_opt_in:
        await consents.record_consent(customer, consents.ConsentKind.MARKETING, True, policy_version, channel)
    address: AddressData | None = clean["address"]
    if address is not None:
        await Address.create(customer=customer, label=address.label, country=address.country,
                             region=address.region, city=address.city, street=address.street,
                             postcode=address.postcode, is_default=True)
    legal: LegalEntityData | None = clean["legal"]
    if legal is not None:
        await LegalEntity.create(customer=customer, name=legal.name, country=legal.country,
                                 tax_id=legal.tax_id, kpp=legal.kpp)
    await record_event(customer, "registered", channel=channel, ip=ip)
    return customer


async def find_or_create_by_phone(phone: str, *, telegram_user_id: int, first_name: str = "",
                                  last_name: str = "", locale: str = "en", consents_given: bool = False,
                                  policy_version: str = "") -> tuple[Customer, bool]:
    """The bot's customer for this Telegram user, created from the phone on first checkout.

    A phone that belongs to a web account is not taken over: the customer links Telegram from
    the web account instead (telegram_link). Creation needs `consents_given` (age 14+ and the
    privacy policy, collected by the bot) and the policy version they were given for.
    """
    errors = FieldErrors()
    e164 = clean_phone(errors, "phone", phone)
    errors.raise_if_any()
    names = {"first_name": _profile_name(first_name), "last_name": _profile_name(last_name)}
    mine = await Customer.get_or_none(telegram_user_id=telegram_user_id, status=CustomerStatus.ACTIVE)
    if mine is not None and mine.phone:
        return mine, False
    holder = await phone_holder(e164, exclude_id=mine.id if mine else None)
    if holder is not None:
        message = PHONE_TAKEN if is_telegram_only(holder) else PHONE_OF_WEB_ACCOUNT
        raise Conflict(message, fields={"phone": message})
    if mine is not None:
        mine.phone = e164
        await mine.save(update_fields=["phone"])
        return mine, False
    return await _create_from_bot(e164, telegram_user_id, names, locale, consents_given, policy_version)


def _profile_name(value: str) -> str:
    # Telegram's profile names are hints, often with emoji or digits ("Olena 🌸"): one that is
    # not a person's name is left out, and the bot asks for the name instead.
    checked = FieldErrors()
    name = clean_name(checked, "name", value, required=False)
    return "" if checked else name


async def _create_from_bot(phone: str, telegram_user_id: int, names: dict, locale: str, consents_given: bool,
                           policy_version: str) -> tuple[Customer, bool]:
    if consents_given is not True:
        raise ValidationError(BOT_CONSENTS_REQUIRED, fields={"consents": BOT_CONSENTS_REQUIRED})
    if not policy_version:
        raise ValueError("policy_version is required when consents are given")
    try:
        async with in_transaction():
            customer = await Customer.create(phone=phone, telegram_user_id=telegram_user_id, **names,
                                             locale=normalise_locale(locale), confirmed_at=now())
            await consents.record_required_consents(customer, policy_version=policy_version, channel="telegram")
            await record_event(customer, "registered", channel="telegram")
    except IntegrityError:
        # The same Telegram user pressed twice: the other request created it.
        existing = await Customer.get_or_none(telegram_user_id=telegram_user_id, phone=phone)
        if existing is None:
            raise Conflict(PHONE_TAKEN, fields={"phone": PHONE_TAKEN}) from None
        return existing, False
    return customer, True
