"""P4, P12: sign-in gives one error for unknown email and wrong password, is throttled and audited."""

import statistics
import time

import argon2
import pytest

from core.customers.auth import InvalidCredentials, authenticate, record_sign_out
from core.customers.models import AuditEvent, Customer
from core.customers.passwords import configure_hasher
from core.errors import Throttled
from core.privacy.models import AccessLog
from core.ratelimit import DatabaseRateLimiter
from tests.core.test_customers_registration import PASSWORD, register

EMAIL = "olena.shevchenko@example.com"


@pytest.fixture
def limiter():
    return DatabaseRateLimiter()


async def test_sign_in_is_audited_with_ip_and_logged(db, limiter):
    customer = await register()
    signed_in = await authenticate(" Olena.Shevchenko@EXAMPLE.com ", PASSWORD, ip="203.0.113.9", limiter=limiter)
    assert signed_in.id == customer.id
    event = await AuditEvent.get(customer_id=customer.id, event="signed_in")
    assert (event.ip, event.channel) == ("203.0.113.9", "web") and event.created_at is not None
    log = await AccessLog.get(customer_id=customer.id)
    assert (log.event, log.ip) == ("sign_in", "203.0.113.9")

    await record_sign_out(customer, "203.0.113.9")
    assert await AuditEvent.filter(customer_id=customer.id, event="signed_out", ip="203.0.113.9").exists()


async def test_unknown_email_and_wrong_password_give_the_same_error(db, limiter):
    customer = await register()
    with pytest.raises(InvalidCredentials) as unknown:
        await authenticate("nobody@example.com", PASSWORD, ip="203.0.113.9", limiter=limiter)
    with pytest.raises(InvalidCredentials) as wrong:
        await authenticate(EMAIL, "not the password at all", ip="203.0.113.9", limiter=limiter)
    with pytest.raises(InvalidCredentials) as garbled:  # a NUL byte, which PostgreSQL refuses in a query
        await authenticate(EMAIL + "\x00", PASSWORD, ip="203.0.113.9", limiter=limiter)
    assert str(unknown.value) == str(wrong.value) == str(garbled.value) and unknown.value.code == wrong.value.code
    assert unknown.value.fields == wrong.value.fields == {}
    failed = await AuditEvent.get(customer_id=customer.id, event="sign_in_failed")
    assert failed.ip == "203.0.113.9"
    assert not await AccessLog.exists()


async def test_unknown_email_takes_as_long_as_a_wrong_password(db, limiter):
    await register()
    configure_hasher(time_cost=2, memory_cost=16384, parallelism=1)  # tens of ms, like production
    # A hash with the new parameters for the known account, so both paths verify the same way.
    await authenticate(EMAIL, PASSWORD, limiter=limiter)

    async def timed(email: str) -> float:
        started = time.perf_counter()
        with pytest.raises(InvalidCredentials):
            await authenticate(email, "wrong password attempt", limiter=limiter)
        return time.perf_counter() - started

    await timed("warm-up@example.com")
    unknown, wrong = [], []
    for _ in range(5):  # interleaved, so a busy machine slows both alike
        unknown.append(await timed("nobody@example.com"))
        wrong.append(await timed(EMAIL))
    # Without the dummy check an unknown email would answer ~20x faster than a wrong password.
    assert statistics.median(unknown) > 0.5 * statistics.median(wrong)


async def test_hash_is_replaced_at_sign_in_when_parameters_change(db, limiter):
    customer = await register()
    before = (await Customer.get(id=customer.id)).password_hash
    configure_hasher(time_cost=2, memory_cost=2048, parallelism=1)
    await authenticate(EMAIL, PASSWORD, limiter=limiter)
    after = (await Customer.get(id=customer.id)).password_hash
    assert after != before
    params = argon2.extract_parameters(after)
    assert (params.type, params.time_cost, params.memory_cost) == (argon2.Type.ID, 2, 2048)
    assert (await authenticate(EMAIL, PASSWORD, limiter=limiter)).id == customer.id
    assert (await Customer.get(id=customer.id)).password_hash == after  # no needless rehash


async def test_failed_attempts_per_account_are_limited(db, limiter, settings):
    assert settings.web.login_failures_per_hour_per_account == 100  # the shipped limit
    await register()
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await authenticate(EMAIL, "guessing away here", limiter=limiter, failures_per_hour_per_account=5)
    with pytest.raises(Throttled):  # even the right password waits now
        await authenticate(EMAIL, PASSWORD, limiter=limiter, failures_per_hour_per_account=5)
    # An unknown email is limited the same way, so the limit tells nothing about accounts.
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await authenticate("ghost@example.com", "guessing away here", limiter=limiter,
                               failures_per_hour_per_account=5)
    with pytest.raises(Throttled):
        await authenticate("ghost@example.com", "guessing away here", limiter=limiter, failures_per_hour_per_account=5)


async def test_default_account_limit_is_one_hundred_failures(db, limiter):
    await register()
    for _ in range(100):
        with pytest.raises(InvalidCredentials):
            await authenticate(EMAIL, "guessing away here", limiter=limiter)
    with pytest.raises(Throttled):
        await authenticate(EMAIL, PASSWORD, limiter=limiter)


async def test_attempts_per_ip_are_limited(db, limiter):
    await register()
    for n in range(3):
        with pytest.raises(InvalidCredentials):
            await authenticate(f"user{n}@example.com", "guessing away here", ip="198.51.100.7", limiter=limiter,
                               attempts_per_hour_per_ip=3)
    with pytest.raises(Throttled):
        await authenticate(EMAIL, PASSWORD, ip="198.51.100.7", limiter=limiter, attempts_per_hour_per_ip=3)
    signed_in = await authenticate(EMAIL, PASSWORD, ip="198.51.100.8", limiter=limiter, attempts_per_hour_per_ip=3)
    assert signed_in.email == EMAIL
