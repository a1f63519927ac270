"""Profile changes (P9): the customer edits what is stored; every change is audited.

Changing the email or the phone asks for the current password (when the account has one: a
bot-only account is authenticated by Telegram itself) and tells the OLD address about it, so
a stolen session cannot quietly take the account over.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from core.customers.audit import record_event
from core.customers.identity import check_unique, phone_region, release_phone
from core.customers.models import Customer, LegalEntity
from core.customers.passwords import verify_password
from core.customers.validation import (
    FieldErrors,
    LegalEntityData,
    clean_display_name,
    clean_email,
    clean_legal_entity,
    clean_name,
    clean_phone,
    clean_text,
)
from core.i18n import normalise_locale
from core.notifications.models import Purpose
from core.notifications.outbox import notify

PROFILE_FIELDS = ("last_name", "first_name", "patronymic", "email", "phone", "car_make", "car_model",
                  "locale", "display_name", "legal_entity")
PASSWORD_NEEDED = "Enter your current password to change your email or phone number."
WRONG_PASSWORD = "The current password is not correct."
UNKNOWN_FIELD = "This field cannot be changed here."


def _clean_changes(customer: Customer, changes: dict[str, Any], errors: FieldErrors) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in PROFILE_FIELDS:
            errors.add(field, UNKNOWN_FIELD)
        elif field in ("last_name", "first_name"):
            clean[field] = clean_name(errors, field, value, required=True)
        elif field == "patronymic":
            clean[field] = clean_name(errors, field, value, required=False)
        elif field == "email":
            clean[field] = clean_email(errors, field, value)
        elif field == "phone":
            clean[field] = clean_phone(errors, field, value, phone_region(customer))
        elif field in ("car_make", "car_model"):
            clean[field] = clean_text(errors, field, value, limit=64 if field == "car_make" else 96)
        elif field == "locale":
            clean[field] = normalise_locale(value)
        elif field == "display_name":
            clean[field] = clean_display_name(errors, field, value)
        else:
            clean[field] = clean_legal_entity(errors, value) if isinstance(value, LegalEntityData) else None
    return clean


async def _check_password(customer: Customer, password: str | None, errors: FieldErrors) -> None:
    if not customer.password_hash:
        return  # a bot-only account: Telegram authenticated the person
    if not password:
        errors.add("password", PASSWORD_NEEDED)
        return
    ok, _ = await verify_password(customer.password_hash, password)
    if not ok:
        errors.add("password", WRONG_PASSWORD)


async def update_profile(customer: Customer, changes: dict[str, Any], *, password: str | None = None,
                         ip: str | None = None, channel: str = "web") -> Customer:
    """Apply `changes` (field -> new value; `legal_entity` takes LegalEntityData or None).

    Raises ValidationError with every bad field; then nothing is changed.
    """
    if not isinstance(changes, dict):
        raise TypeError("changes must be a dict")
    errors = FieldErrors()
    clean = _clean_changes(customer, changes, errors)
    contact_changes = [f for f in ("email", "phone") if f in clean and clean[f] and clean[f] != getattr(customer, f)]
    await check_unique(errors, clean.get("email", ""), clean.get("phone", ""), exclude_id=customer.id)
    if contact_changes and not errors:
        await _check_password(customer, password, errors)
    if contact_changes and "password" in errors.fields:
        await record_event(customer, "profile_change_refused", channel=channel, ip=ip, fields=contact_changes)
    errors.raise_if_any()
    async with in_transaction():
        changed = await _apply(customer, clean, contact_changes, channel)
        if changed:
            await record_event(customer, "profile_changed", channel=channel, ip=ip, fields=changed)
    return customer


async def _apply(customer: Customer, clean: dict[str, Any], contact_changes: list[str], channel: str) -> list[str]:
    old = {"email": customer.email, "phone": customer.phone}
    changed = []
    if "legal_entity" in clean:
        changed += await _apply_legal_entity(customer, clean.pop("legal_entity"))
    if "phone" in contact_changes:
        holder = await release_phone(clean["phone"], exclude_id=customer.id)
        if holder is not None:
            await record_event(holder, "phone_moved_to_web_account", actor="system", channel=channel)
    for field, value in clean.items():
        if getattr(customer, field) != value:
            setattr(customer, field, value)
            changed.append(field)
    if changed:
        await customer.save(update_fields=[f for f in changed if f != "legal_entity"] + ["updated_at"])
    # The customer hears of the change on the current channels, and also at the old address.
    if "email" in contact_changes:
        await notify("email_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={})
        if old["email"]:
            await notify("email_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={},
                         recipient=old["email"], channels=["email"])
    if "phone" in contact_changes:
        await notify("phone_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={})
        if old["phone"]:
            await notify("phone_changed", purpose=Purpose.ACCOUNT, customer=customer, payload={},
                         recipient=old["phone"], channels=["sms"])
    return changed


async def _apply_legal_entity(customer: Customer, data: LegalEntityData | None) -> list[str]:
    current = await LegalEntity.get_or_none(customer_id=customer.id)
    if data is None:
        if current is None:
            return []
        await current.delete()
        return ["legal_entity"]
    values = {"name": data.name, "country": data.country, "tax_id": data.tax_id, "kpp": data.kpp}
    if current is None:
        await LegalEntity.create(customer_id=customer.id, **values)
    elif any(getattr(current, k) != v for k, v in values.items()):
        await LegalEntity.filter(id=current.id).update(**values)
    else:
        return []
    return ["legal_entity"]

