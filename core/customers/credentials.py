"""Changing and resetting a password (P4).

A reset link carries a random single-use token; only its sha256 is stored, it expires after
30 minutes, and using it signs the customer out everywhere. Asking for a link says the same
thing whether or not the email has an account, and is throttled per IP and per address.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from tortoise.transactions import in_transaction

from core.config import WebSettings
from core.customers.audit import record_event
from core.customers.models import AccountToken, Customer, CustomerStatus, Session, TokenPurpose
from core.customers.passwords import check_password_policy, hash_password, verify_password
from core.customers.tokens import find_valid_token, issue_token, use_token
from core.customers.validation import email_for_lookup, normalise_email
from core.errors import ValidationError
from core.notifications.models import Purpose
from core.notifications.outbox import notify
from core.privacy.access_log import record_access
from core.ratelimit import DatabaseRateLimiter, RateLimiter, enforce, limit_key

RESET_LIFETIME = dt.timedelta(minutes=30)
RESETS_PER_HOUR_PER_EMAIL = 5
WRONG_CURRENT_PASSWORD = "The current password is not correct."
RESET_LINK_INVALID = "This password reset link is invalid, was already used or has expired. Please ask for a new one."

_WEB = WebSettings()


async def change_password(customer: Customer, old: str, new: str, *, ip: str | None = None,
                          channel: str = "web") -> None:
    """Replace the password after checking the current one; audited either way."""
    ok = False
    if customer.password_hash and old:
        ok, _ = await verify_password(customer.password_hash, old)
    if not ok:
        await record_event(customer, "password_change_failed", channel=channel, ip=ip)
        raise ValidationError(WRONG_CURRENT_PASSWORD, fields={"old_password": WRONG_CURRENT_PASSWORD})
    check_password_policy(new, field="new_password")
    new_hash = await hash_password(new)
    async with in_transaction():
        await Customer.filter(id=customer.id).update(password_hash=new_hash)
        await record_event(customer, "password_changed", channel=channel, ip=ip)
    customer.password_hash = new_hash


def reset_link(base_url: str, token: str) -> str:
    """`base_url` is the page that asks for the new password; '{token}' in it is replaced,
    otherwise the token is added as the `token` query parameter."""
    if "{token}" in base_url:
        return base_url.replace("{token}", quote(token))
    return f"{base_url}{'&' if '?' in base_url else '?'}token={quote(token)}"


async def request_password_reset(email: str, *, ip: str | None = None, base_url: str,
                                 limiter: RateLimiter | None = None,
                                 resets_per_hour_per_ip: int = _WEB.resets_per_hour_per_ip) -> None:
    """Send a reset link if the email has an account; silent otherwise (no account enumeration)."""
    limiter = limiter or DatabaseRateLimiter()
    await enforce(limiter, "reset:ip", ip, resets_per_hour_per_ip)
    address = email_for_lookup(email)
    # Per address too, so nobody can flood a mailbox; past the limit we stay silent.
    if not address or not await limiter.hit(limit_key("reset:email", address), RESETS_PER_HOUR_PER_EMAIL, 3600):
        return
    if normalise_email(address) != address:
        return  # not an email address (a NUL byte, which PostgreSQL refuses): no account has it
    customer = await Customer.get_or_none(email=address, status=CustomerStatus.ACTIVE)
    if customer is None:
        return
    async with in_transaction():
        token = await issue_token(customer, TokenPurpose.PASSWORD_RESET, RESET_LIFETIME)
        await notify("password_reset", purpose=Purpose.ACCOUNT, customer=customer,
                     payload={"reset_url": reset_link(base_url, token), "valid_minutes": 30}, channels=["email"])
        await record_event(customer, "password_reset_requested", ip=ip)


async def check_reset_link(token: str) -> None:
    """ValidationError (by the token) unless the reset link can still be used: the page says so
    before the customer types a new password twice."""
    if await find_valid_token(token, TokenPurpose.PASSWORD_RESET) is None:
        raise ValidationError(RESET_LINK_INVALID, fields={"token": RESET_LINK_INVALID})


async def reset_password(token: str, new_password: str, *, ip: str | None = None, channel: str = "web") -> Customer:
    """Set a new password with a reset token; the token is spent and all sessions end."""
    row = await find_valid_token(token, TokenPurpose.PASSWORD_RESET)
    if row is None:
        raise ValidationError(RESET_LINK_INVALID, fields={"token": RESET_LINK_INVALID})
    check_password_policy(new_password)
    new_hash = await hash_password(new_password)
    async with in_transaction():
        if not await use_token(row):  # another request used it in the meantime
            raise ValidationError(RESET_LINK_INVALID, fields={"token": RESET_LINK_INVALID})
        customer = await Customer.get(id=row.customer_id)
        if customer.status != CustomerStatus.ACTIVE:
            raise ValidationError(RESET_LINK_INVALID, fields={"token": RESET_LINK_INVALID})
        await Customer.filter(id=customer.id).update(password_hash=new_hash)
        await Session.filter(customer_id=customer.id).delete()
        await AccountToken.filter(customer_id=customer.id, purpose=TokenPurpose.PASSWORD_RESET,
                                  used_at=None).delete()
        await record_event(customer, "password_reset", channel=channel, ip=ip)
        await record_access(customer.id, "password_reset", ip)
    customer.password_hash = new_hash
    return customer
