"""Who holds an email or a phone number: the uniqueness rules shared by registration and profile."""

from __future__ import annotations

import phonenumbers

from core.customers.models import Customer
from core.customers.validation import DEFAULT_PHONE_REGION, FieldErrors

EMAIL_TAKEN = "An account with this email address already exists."
PHONE_TAKEN = "An account with this phone number already exists."


def is_telegram_only(customer: Customer) -> bool:
    # Created by the bot from a phone number: no email, no password, cannot sign in on the web.
    return not customer.email and not customer.password_hash


async def phone_holder(phone: str, *, exclude_id: int | None = None) -> Customer | None:
    query = Customer.filter(phone=phone)
    if exclude_id is not None:
        query = query.exclude(id=exclude_id)
    return await query.first()


async def check_unique(errors: FieldErrors, email: str, phone: str, *, exclude_id: int | None = None) -> None:
    """Field errors for an email or phone another account has.

    A phone held by a bot-only account does not block a web account: it moves to the web
    account (see release_phone), and the bot account is merged in when Telegram is linked.
    """
    if email and await Customer.filter(email=email).exclude(id=exclude_id or 0).exists():
        errors.add("email", EMAIL_TAKEN)
    holder = await phone_holder(phone, exclude_id=exclude_id) if phone else None
    if holder is not None and not is_telegram_only(holder):
        errors.add("phone", PHONE_TAKEN)


async def release_phone(phone: str, *, exclude_id: int | None = None) -> Customer | None:
    """Take the number off a bot-only account (inside the caller's transaction); returns it."""
    holder = await phone_holder(phone, exclude_id=exclude_id)
    if holder is None or not is_telegram_only(holder):
        return None
    await Customer.filter(id=holder.id).update(phone=None)
    return holder


def phone_region(customer: Customer) -> str:
    """The region of the customer's current phone: national formats of a new one are read in it."""
    if customer.phone:
        try:
            region = phonenumbers.region_code_for_number(phonenumbers.parse(customer.phone))
        except phonenumbers.NumberParseException:
            region = None
        if region:
            return region
    return DEFAULT_PHONE_REGION
