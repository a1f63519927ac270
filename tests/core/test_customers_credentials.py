"""P4: password change and reset by a single-use, hashed, 30-minute token; sessions end on reset."""

import datetime as dt
import hashlib
from urllib.parse import parse_qs, urlparse

import pytest

from core.customers.accounts import change_password, request_password_reset, reset_password
from core.customers.auth import InvalidCredentials, authenticate
from core.customers.models import AccountToken, AuditEvent, Customer, Session, TokenPurpose
from core.errors import Throttled, ValidationError
from core.notifications.models import OutboxMessage, Purpose
from core.ratelimit import DatabaseRateLimiter
from tests.core.test_customers_registration import PASSWORD, register

EMAIL = "olena.shevchenko@example.com"
NEW_PASSWORD = "violet harbour morning"
RESET_PAGE = "https://shop.example/password/reset"


async def requested_token(customer: Customer) -> str:
    message = await OutboxMessage.filter(customer_id=customer.id, kind="password_reset").order_by("-id").first()
    url = message.payload["reset_url"]
    assert url.startswith(RESET_PAGE + "?token=")
    return parse_qs(urlparse(url).query)["token"][0]


async def test_reset_link_is_sent_and_the_token_is_stored_only_hashed(db):
    customer = await register()
    await request_password_reset("Olena.Shevchenko@example.com", ip="192.0.2.1", base_url=RESET_PAGE)
    message = await OutboxMessage.get(customer_id=customer.id, kind="password_reset")
    assert (message.purpose, message.channel) == (Purpose.ACCOUNT, "email")
    token = await requested_token(customer)
    row = await AccountToken.get(customer_id=customer.id, purpose=TokenPurpose.PASSWORD_RESET)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    lifetime = row.expires_at - row.created_at
    assert dt.timedelta(minutes=29) < lifetime <= dt.timedelta(minutes=30)
    assert await AuditEvent.filter(customer_id=customer.id, event="password_reset_requested", ip="192.0.2.1").exists()


async def test_unknown_email_gets_the_same_silent_answer(db):
    await register()
    assert await request_password_reset("nobody@example.com", ip="192.0.2.1", base_url=RESET_PAGE) is None
    assert await request_password_reset("not an email", ip="192.0.2.1", base_url=RESET_PAGE) is None
    # A NUL byte in the form (PostgreSQL refuses it in a query) is just another unknown address.
    assert await request_password_reset(EMAIL + "\x00", ip="192.0.2.1", base_url=RESET_PAGE) is None
    assert not await OutboxMessage.exists() and not await AccountToken.exists()


async def test_reset_sets_the_password_once_and_ends_every_session(db):
    customer = await register()
    for n in range(2):
        await Session.create(token_hash=f"{n}" * 64, customer=customer,
                             expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    await request_password_reset(EMAIL, ip="192.0.2.1", base_url=RESET_PAGE)
    token = await requested_token(customer)

    await reset_password(token, NEW_PASSWORD, ip="192.0.2.1")
    assert not await Session.filter(customer_id=customer.id).exists()
    limiter = DatabaseRateLimiter()
    assert (await authenticate(EMAIL, NEW_PASSWORD, limiter=limiter)).id == customer.id
    with pytest.raises(InvalidCredentials):
        await authenticate(EMAIL, PASSWORD, limiter=limiter)
    with pytest.raises(ValidationError) as caught:  # single use
        await reset_password(token, "another fine passphrase", ip="192.0.2.1")
    assert "token" in caught.value.fields
    assert await AuditEvent.filter(customer_id=customer.id, event="password_reset", ip="192.0.2.1").exists()


async def test_expired_or_forged_tokens_change_nothing(db):
    customer = await register()
    await request_password_reset(EMAIL, ip=None, base_url=RESET_PAGE)
    token = await requested_token(customer)
    await AccountToken.filter(customer_id=customer.id).update(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    before = (await Customer.get(id=customer.id)).password_hash
    for bad in (token, "forged-token", ""):
        with pytest.raises(ValidationError):
            await reset_password(bad, NEW_PASSWORD, ip=None)
    assert (await Customer.get(id=customer.id)).password_hash == before


async def test_a_weak_new_password_keeps_the_token_usable(db):
    customer = await register()
    await request_password_reset(EMAIL, ip=None, base_url=RESET_PAGE)
    token = await requested_token(customer)
    with pytest.raises(ValidationError) as caught:
        await reset_password(token, "password1234", ip=None)
    assert list(caught.value.fields) == ["password"]
    await reset_password(token, NEW_PASSWORD, ip=None)


async def test_a_new_request_voids_the_previous_link(db):
    customer = await register()
    await request_password_reset(EMAIL, ip=None, base_url=RESET_PAGE)
    first = await requested_token(customer)
    await request_password_reset(EMAIL, ip=None, base_url=RESET_PAGE)
    second = await requested_token(customer)
    with pytest.raises(ValidationError):
        await reset_password(first, NEW_PASSWORD, ip=None)
    await reset_password(second, NEW_PASSWORD, ip=None)


async def test_reset_requests_are_throttled_per_ip_and_per_address(db):
    customer = await register()
    limiter = DatabaseRateLimiter()
    for _ in range(7):  # per address: at most 5 links an hour, then silence
        await request_password_reset(EMAIL, ip=None, base_url=RESET_PAGE, limiter=limiter)
    assert await OutboxMessage.filter(customer_id=customer.id, kind="password_reset").count() == 5
    for n in range(3):
        await request_password_reset(f"x{n}@example.com", ip="198.51.100.3", base_url=RESET_PAGE, limiter=limiter,
                                     resets_per_hour_per_ip=3)
    with pytest.raises(Throttled):
        await request_password_reset("x9@example.com", ip="198.51.100.3", base_url=RESET_PAGE, limiter=limiter,
                                     resets_per_hour_per_ip=3)


async def test_change_password_needs_the_current_one(db):
    customer = await register()
    with pytest.raises(ValidationError) as caught:
        await change_password(customer, "wrong current one", NEW_PASSWORD, ip="192.0.2.4")
    assert list(caught.value.fields) == ["old_password"]
    with pytest.raises(ValidationError) as caught:
        await change_password(customer, PASSWORD, "qwertyuiop123", ip="192.0.2.4")
    assert list(caught.value.fields) == ["new_password"]
    await change_password(customer, PASSWORD, NEW_PASSWORD, ip="192.0.2.4")
    assert (await authenticate(EMAIL, NEW_PASSWORD, limiter=DatabaseRateLimiter())).id == customer.id
    events = await AuditEvent.filter(customer_id=customer.id, event__startswith="password_change").values_list("event", "ip")
    assert events == [("password_change_failed", "192.0.2.4"), ("password_changed", "192.0.2.4")]
    assert NEW_PASSWORD not in str(await AuditEvent.all().values())
