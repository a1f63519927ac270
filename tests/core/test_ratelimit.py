"""core.ratelimit: fixed windows in the database (SQLite, PostgreSQL) and in Redis."""

import asyncio
import datetime as dt

import pytest

from core.customers.models import RateCounter
from core.ratelimit import DatabaseRateLimiter, RedisRateLimiter, limit_key


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


async def test_database_limiter_allows_up_to_the_limit_then_refuses(db):
    limiter = DatabaseRateLimiter()
    results = [await limiter.hit("login:test", 3, 3600) for _ in range(5)]
    assert results == [True, True, True, False, False]
    assert await limiter.count("login:test") == 5
    assert await limiter.hit("login:other", 3, 3600) is True  # keys are independent
    assert await limiter.count("login:never") == 0


async def test_database_limiter_opens_a_new_window_when_the_old_one_ends(db):
    clock = Clock()
    limiter = DatabaseRateLimiter(clock=clock)
    assert [await limiter.hit("reset:x", 2, 60) for _ in range(3)] == [True, True, False]
    clock.now += dt.timedelta(seconds=59)
    assert await limiter.hit("reset:x", 2, 60) is False
    clock.now += dt.timedelta(seconds=2)
    assert await limiter.count("reset:x") == 0
    assert await limiter.hit("reset:x", 2, 60) is True
    assert await limiter.count("reset:x") == 1
    row = await RateCounter.get(key="reset:x")
    assert row.window_ends_at == clock.now + dt.timedelta(seconds=60)


async def test_database_limiter_is_exact_under_concurrency(db):
    limiter = DatabaseRateLimiter()
    results = await asyncio.gather(*(limiter.hit("burst", 10, 3600) for _ in range(40)))
    assert results.count(True) == 10
    assert await limiter.count("burst") == 40


def test_limit_keys_do_not_hold_the_value_in_clear():
    key = limit_key("login:email", "Olena@Example.com")
    assert key.startswith("login:email:") and "olena" not in key.lower() and "example" not in key
    assert key == limit_key("login:email", " olena@example.com ")
    assert len(key) <= 160


@pytest.fixture
async def redis_client(redis_url):
    import redis.asyncio as aioredis

    client = aioredis.from_url(redis_url)
    yield client
    await client.aclose()


async def test_redis_limiter_allows_up_to_the_limit_and_expires_the_window(redis_client):
    limiter = RedisRateLimiter(redis_client)
    assert [await limiter.hit("login:test", 3, 30) for _ in range(5)] == [True, True, True, False, False]
    assert await limiter.count("login:test") == 5
    assert await limiter.count("login:none") == 0
    ttl = await redis_client.ttl("gearshop:rate:login:test")
    assert 0 < ttl <= 30  # the window was set by the first hit and not extended by later ones


async def test_redis_limiter_window_really_ends(redis_client):
    limiter = RedisRateLimiter(redis_client)
    assert await limiter.hit("short", 1, 1) is True
    assert await limiter.hit("short", 1, 1) is False
    await asyncio.sleep(1.1)
    assert await limiter.hit("short", 1, 1) is True


async def test_redis_limiter_is_exact_under_concurrency(redis_client):
    limiter = RedisRateLimiter(redis_client)
    results = await asyncio.gather(*(limiter.hit("burst", 10, 60) for _ in range(40)))
    assert results.count(True) == 10
