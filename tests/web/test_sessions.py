"""Server-side sessions: new id at sign-in, sign-out ends it, idle/absolute timeouts, Redis store."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest

from core.customers.models import Session
from tests.web.conftest import make_customer, sign_in_as, whoami


def session_token(client, name: str = "session") -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == name:
            return cookie.value
    return None


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def test_sign_in_always_starts_a_new_session(app_client, catalogue):
    client = await app_client()
    customer = await make_customer()
    planted = "A" * 43  # a session id an attacker planted before sign-in
    response = await client.post(f"/_test/sign-in/{customer.id}", headers={"Cookie": f"session={planted}"})
    first = response.cookies["session"].value
    assert first != planted and len(first) == 43
    assert await whoami(client) == str(customer.id)
    assert await Session.filter(token_hash=digest(planted)).count() == 0
    row = await Session.get(token_hash=digest(first))  # the table holds only the hash
    assert row.customer_id == customer.id and first not in json.dumps(row.data)
    await sign_in_as(client, customer)
    second = session_token(client)
    assert second != first
    assert await Session.filter(token_hash=digest(first)).count() == 0  # the old id is dead


async def test_sign_out_ends_the_session_on_the_server(app_client, catalogue):
    client = await app_client()
    customer = await make_customer()
    await sign_in_as(client, customer)
    token = session_token(client)
    await client.post("/_test/sign-out/this")
    assert await whoami(client) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0
    replay = await client.get("/_test/whoami", headers={"Cookie": f"session={token}"})
    assert await replay.text() == "anonymous"  # the old cookie is worthless now
    from core.privacy.models import AccessLog

    assert await AccessLog.filter(customer_id=customer.id, event="sign_in").count() == 1


async def test_sign_out_everywhere_ends_every_session(app_client, catalogue):
    phone = await app_client()
    laptop = await app_client()
    customer = await make_customer()
    await sign_in_as(phone, customer)
    await sign_in_as(laptop, customer)
    response = await laptop.post("/_test/sign-out/everywhere")
    assert await response.text() == "ended 2"
    assert await whoami(phone) == "anonymous" and await whoami(laptop) == "anonymous"


async def test_idle_timeout(app_client, catalogue):
    client = await app_client(web={"session_idle_minutes": 30})
    customer = await make_customer()
    await sign_in_as(client, customer)
    now = dt.datetime.now(dt.UTC)
    await Session.filter(customer_id=customer.id).update(last_seen_at=now - dt.timedelta(minutes=29))
    assert await whoami(client) == str(customer.id)  # still within 30 minutes: and refreshed
    row = await Session.get(customer_id=customer.id)
    assert row.last_seen_at > now - dt.timedelta(minutes=1)
    await Session.filter(customer_id=customer.id).update(last_seen_at=now - dt.timedelta(minutes=31))
    assert await whoami(client) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0


async def test_absolute_timeout(app_client, catalogue):
    client = await app_client(web={"session_absolute_hours": 12})
    customer = await make_customer()
    await sign_in_as(client, customer)
    now = dt.datetime.now(dt.UTC)
    await Session.filter(customer_id=customer.id).update(created_at=now - dt.timedelta(hours=11, minutes=50))
    assert await whoami(client) == str(customer.id)
    await Session.filter(customer_id=customer.id).update(created_at=now - dt.timedelta(hours=12, minutes=1),
                                                         last_seen_at=now)
    assert await whoami(client) == "anonymous"


async def test_a_deleted_account_has_no_session(app_client, catalogue):
    from core.customers.models import CustomerStatus

    client = await app_client()
    customer = await make_customer()
    await sign_in_as(client, customer)
    customer.status = CustomerStatus.DELETED
    await customer.save()
    assert await whoami(client) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0


@pytest.mark.redis
async def test_sessions_in_redis(app_client, catalogue, redis_url):
    import redis.asyncio as aioredis

    client = await app_client(redis={"url": redis_url})
    other = await app_client(redis={"url": redis_url})
    customer = await make_customer()
    await sign_in_as(client, customer)
    await sign_in_as(other, customer)
    token = session_token(client)
    assert await Session.all().count() == 0  # nothing in the database table
    store = aioredis.from_url(redis_url)
    try:
        key = f"gearshop:session:{digest(token)}"
        value = json.loads(await store.get(key))
        assert value["customer_id"] == customer.id
        assert 0 < await store.ttl(key) <= 30 * 60 + 1
        assert await whoami(client) == str(customer.id)
        value["last_seen_at"] -= 31 * 60  # idle for 31 minutes
        await store.set(key, json.dumps(value))
        assert await whoami(client) == "anonymous"
        assert await store.get(key) is None
        assert await whoami(other) == str(customer.id)
        await other.post("/_test/sign-out/everywhere")
        assert await whoami(other) == "anonymous"
        assert await store.keys("gearshop:session:*") == []
    finally:
        await store.aclose()


async def test_password_sign_in_through_the_real_page(app_client, catalogue):
    from core.customers.passwords import hash_password
    from core.privacy.models import AccessLog
    from tests.web.conftest import csrf_from

    client = await app_client()
    customer = await make_customer(password_hash=await hash_password("correct horse battery staple"))
    before = await client.get("/sign-in", headers={"Cookie": "session=" + "B" * 43})
    token = await csrf_from(client, "/sign-in")
    response = await client.post("/sign-in", data={"csrf_token": token, "email": "olena@example.com",
                                                   "password": "correct horse battery staple"},
                                 allow_redirects=False)
    assert before.status == 200 and response.status == 303
    assert response.cookies["session"].value != "B" * 43
    assert await whoami(client) == str(customer.id)
    assert await AccessLog.filter(customer_id=customer.id, event="sign_in").count() == 1  # logged once
