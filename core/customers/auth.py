"""Signing in and out (P4, P12, P21).

An unknown email and a wrong password give the same error and cost the same time: for an
unknown account the password is checked against a dummy hash with the current parameters.
Failed attempts are limited per account (per email, whether or not it exists, so the limit
reveals nothing) and all attempts per IP. Hashes made with outdated argon2 parameters are
replaced at a successful sign-in.
"""

from __future__ import annotations

from core.config import WebSettings
from core.customers.audit import record_event
from core.customers.models import Customer, CustomerStatus
from core.customers.passwords import MAX_LENGTH, dummy_hash, verify_password
from core.customers.validation import email_for_lookup, normalise_email
from core.errors import Throttled, ValidationError
from core.privacy.access_log import record_access
from core.ratelimit import RateLimiter, enforce, limit_key

WRONG_CREDENTIALS = "The email or password is not correct."
TOO_MANY_FAILURES = "Too many failed sign-in attempts for this account. Please try again in an hour or reset your password."
WINDOW_SECONDS = 3600

_WEB = WebSettings()


class InvalidCredentials(ValidationError):
    code = "invalid_credentials"

    def __init__(self) -> None:
        super().__init__(WRONG_CREDENTIALS)


async def authenticate(email: str, password: str, *, ip: str | None = None, limiter: RateLimiter,
                       channel: str = "web",
                       failures_per_hour_per_account: int = _WEB.login_failures_per_hour_per_account,
                       attempts_per_hour_per_ip: int = _WEB.login_attempts_per_hour_per_ip) -> Customer:
    """The customer whose email and password these are; raises InvalidCredentials or Throttled.

    Web doors pass the limits from settings.web (login_failures_per_hour_per_account,
    login_attempts_per_hour_per_ip); the defaults are the shipped ones.
    """
    await enforce(limiter, "login:ip", ip, attempts_per_hour_per_ip)
    address = email_for_lookup(email or "")
    failures_key = limit_key("login:failures", address)
    if await limiter.count(failures_key) >= failures_per_hour_per_account:
        raise Throttled(TOO_MANY_FAILURES, retry_after=WINDOW_SECONDS)
    # Text that is no email address (a NUL byte, which PostgreSQL refuses) has no account to look up.
    has_account = bool(address) and normalise_email(address) == address
    customer = await Customer.get_or_none(email=address, status=CustomerStatus.ACTIVE) if has_account else None
    stored = customer.password_hash if customer is not None else None
    if not isinstance(password, str) or len(password) > 4 * MAX_LENGTH:
        password = ""  # can never be right (see the policy); still checked, so it costs the same time
    ok, new_hash = await verify_password(stored or await dummy_hash(), password)
    if not ok or stored is None:
        await limiter.hit(failures_key, failures_per_hour_per_account, WINDOW_SECONDS)
        if customer is not None:
            await record_event(customer, "sign_in_failed", channel=channel, ip=ip)
        raise InvalidCredentials()
    if new_hash:  # argon2 parameters changed since this hash was made
        await Customer.filter(id=customer.id, password_hash=stored).update(password_hash=new_hash)
        customer.password_hash = new_hash
    await record_event(customer, "signed_in", channel=channel, ip=ip)
    await record_access(customer.id, "sign_in", ip)
    return customer


async def record_sign_out(customer: Customer, ip: str | None = None, *, channel: str = "web") -> None:
    """Audit a sign-out (the door ends the session itself)."""
    await record_event(customer, "signed_out", channel=channel, ip=ip)
    await record_access(customer.id, "sign_out", ip)
