"""The outbox worker against a real database (SQLite and PostgreSQL) and a local SMS provider.

Faults: provider 500 → retried later; provider 400 → dead letter and a staff alert; too many
attempts → dead; the worker killed mid-send → the row is claimed again after its lease and
delivered once; stop() → the row in flight finishes and the rest are given back; two workers
over 200 rows → every row sent exactly once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from collections import Counter

import pytest
from tortoise import connections

from core.adapters.sms import TwilioSmsAdapter
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.worker import OutboxWorker, start_in_process
from core.privacy.models import Disclosure
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio


@pytest.fixture
async def twilio():
    async with FakeTwilio() as server:
        yield server


@pytest.fixture
def sms_settings(settings, twilio):
    return replace_settings(settings, notifications={
        "backoff_base_seconds": 60.0,
        "sms": {"adapter": "twilio", "api_base": twilio.url, "account_sid": ACCOUNT_SID,
                "auth_token": AUTH_TOKEN, "sender": "+15005550006"},
    })


@pytest.fixture
async def adapters(sms_settings):
    """Console adapters everywhere, the real Twilio-protocol adapter for SMS."""
    stream = io.StringIO()
    built = console_adapters(stream)
    built["sms"] = TwilioSmsAdapter(sms_settings.notifications.sms)
    built["stream"] = stream  # type: ignore[assignment]
    yield built
    await built["sms"].close()


def worker_of(settings, adapters, name="w", **kwargs) -> OutboxWorker:
    return OutboxWorker(settings, {k: v for k, v in adapters.items() if k != "stream"}, name, **kwargs)


async def make_due(*rows: OutboxMessage) -> None:
    await OutboxMessage.filter(id__in=[r.id for r in rows]).update(next_attempt_at=dt.datetime.now(dt.UTC))


async def test_due_rows_are_sent_once_on_every_channel(db, sms_settings, adapters, twilio):
    customer = await make_customer()
    order = await make_order(customer)
    rows = [await queue("order_placed", channel, customer=customer, order=order)
            for channel in ("email", "sms", "staff_telegram")]
    worker = worker_of(sms_settings, adapters)

    assert await worker.run_once() == 3
    assert await worker.run_once() == 0
    for row in rows:
        await row.refresh_from_db()
        assert (row.status, row.attempts, row.claimed_by, row.claimed_until) == (OutboxStatus.SENT, 1, "", None)
        assert row.sent_at is not None
    assert [m["To"] for m in twilio.sent] == [customer.phone]
    assert order.number in twilio.sent[0]["Body"]
    printed = adapters["stream"].getvalue()
    assert f"Order {order.number} received" in printed and f"New order {order.number}" in printed


async def test_provider_500_is_retried_later_with_backoff(db, sms_settings, adapters, twilio):
    order = await make_order(await make_customer())
    row = await queue("order_confirmed", "sms", customer=order.customer, order=order)
    twilio.fail(500, None, "Internal Server Error")
    worker = worker_of(sms_settings, adapters)
    before = dt.datetime.now(dt.UTC)

    assert await worker.run_once() == 1
    await row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert before < row.next_attempt_at <= before + dt.timedelta(seconds=61)
    assert "500" in row.last_error
    assert await worker.run_once() == 0  # not due yet
    assert not await OutboxMessage.filter(kind="dead_letter").exists()

    await make_due(row)
    assert await worker.run_once() == 1
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(twilio.sent) == 1
    assert await Disclosure.filter(order_id=order.id).count() == 1  # one message, one record


async def test_retries_wait_a_full_jitter_exponential_backoff(db, sms_settings, adapters, twilio):
    # uniform(0, min(cap, base * 2 ** (attempt - 1))): spread over the whole window, which doubles
    # with each attempt until the cap.
    settings = replace_settings(sms_settings, notifications={
        "batch_size": 50, "backoff_base_seconds": 60.0, "backoff_cap_seconds": 200.0})
    order = await make_order(await make_customer())
    rows = [await queue("order_confirmed", "sms", customer=order.customer, order=order) for _ in range(40)]
    twilio.fail(503, None, "Service Unavailable", times=40 * 3)
    worker = worker_of(settings, adapters)
    for attempt, window in ((1, 60.0), (2, 120.0), (3, 200.0)):
        await make_due(*rows)
        before = dt.datetime.now(dt.UTC)
        assert await worker.run_once() == 40
        after = dt.datetime.now(dt.UTC)
        waits = []
        for row in await OutboxMessage.filter(id__in=[r.id for r in rows]):
            assert (row.status, row.attempts) == (OutboxStatus.PENDING, attempt)
            waits.append((row.next_attempt_at - before).total_seconds())
            assert row.next_attempt_at - after <= dt.timedelta(seconds=window)
        assert min(waits) < window / 4 and max(waits) > window * 3 / 4, (attempt, sorted(waits))
    assert twilio.sent == []


async def test_provider_400_dead_letters_the_row_and_alerts_staff(db, sms_settings, adapters, twilio):
    customer = await make_customer()
    order = await make_order(customer)
    row = await queue("order_shipped", "sms", customer=customer, order=order)
    twilio.fail(400, 21211, f"The 'To' number {customer.phone} is not a valid phone number.")
    worker = worker_of(sms_settings, adapters)

    assert await worker.run_once() == 1
    await row.refresh_from_db()
    assert row.status == OutboxStatus.DEAD and "21211" in row.last_error
    assert customer.phone not in row.last_error  # error texts keep numbers out
    # The provider did receive the number before refusing it: that is a disclosure too (P7).
    assert [(d.processor, d.fields_sent, d.order_id) for d in await Disclosure.all()] == [
        ("SMS gateway 127.0.0.1", ["phone"], order.id)]
    alerts = await OutboxMessage.filter(kind="dead_letter").order_by("channel")
    assert [a.channel for a in alerts] == ["staff_email", "staff_telegram"]
    assert alerts[0].payload["message_id"] == row.id and alerts[0].payload["order_number"] == order.number

    assert await worker.run_once() == 2  # the alerts go out on the staff channels
    printed = adapters["stream"].getvalue()
    assert f"Message {row.id} could not be delivered" in printed and "21211" in printed
    assert printed.count(f"python -m core requeue {row.id}") == 2  # how to send it again, on both channels
    assert customer.phone not in printed


async def test_too_many_transient_failures_end_as_a_dead_letter(db, sms_settings, adapters, twilio):
    settings = replace_settings(sms_settings, notifications={"max_attempts": 2})
    order = await make_order(await make_customer())
    row = await queue("order_delivered", "sms", customer=order.customer, order=order)
    twilio.fail(503, None, "Service Unavailable", times=5)
    worker = worker_of(settings, adapters)

    await worker.run_once()
    await make_due(row)
    await worker.run_once()
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 2)
    assert await OutboxMessage.filter(kind="dead_letter").count() == 2


async def test_a_dead_alert_raises_no_further_alert(db, sms_settings, adapters):
    alert = await queue("dead_letter", "staff_telegram", purpose="service",
                        payload={"message_id": 7, "kind": "order_placed", "channel": "sms", "error": "x"})
    without_staff_telegram = {k: v for k, v in adapters.items() if k != "staff_telegram"}
    worker = worker_of(sms_settings, without_staff_telegram)  # no adapter for the channel: permanent

    assert await worker.run_once() == 1
    await alert.refresh_from_db()
    assert alert.status == OutboxStatus.DEAD
    assert await OutboxMessage.all().count() == 1


async def test_a_worker_killed_mid_send_loses_nothing_and_repeats_nothing(db, sms_settings, adapters, twilio):
    order = await make_order(await make_customer())
    row = await queue("order_confirmed", "sms", customer=order.customer, order=order)
    twilio.hang()
    first = worker_of(sms_settings, adapters, "first", lease_seconds=0.6)
    killed = asyncio.create_task(first.run_once())
    while not twilio.requests:
        await asyncio.sleep(0.01)
    killed.cancel()
    with pytest.raises(asyncio.CancelledError):
        await killed

    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENDING and row.claimed_by == first.name
    second = worker_of(sms_settings, adapters, "second", lease_seconds=5)
    assert await second.run_once() == 0  # still leased to the dead worker
    twilio.release()
    await asyncio.sleep(0.7)
    assert await second.run_once() == 1
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(twilio.sent) == 1 and len(twilio.requests) == 2


async def test_a_slow_batch_does_not_send_rows_another_worker_took_over(db, sms_settings, adapters, twilio):
    order = await make_order(await make_customer())
    first, second = [await queue(kind, "sms", customer=order.customer, order=order)
                     for kind in ("order_placed", "order_confirmed")]
    twilio.hang()
    # Forced: the send may outlast the lease (normally send_timeout is half the lease).
    slow = worker_of(sms_settings, adapters, "slow", lease_seconds=0.5, send_timeout=10)
    slow_round = asyncio.create_task(slow.run_once())
    while not twilio.requests:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.6)  # both leases ran out while the first send hangs

    async with FakeTwilio() as other_provider:
        fast_sms = TwilioSmsAdapter(replace_settings(sms_settings, notifications={"sms": {"api_base": other_provider.url}}).notifications.sms)
        fast = worker_of(sms_settings, {**adapters, "sms": fast_sms}, "fast")
        try:
            assert await fast.run_once() == 2
        finally:
            await fast_sms.close()
        twilio.release()
        await asyncio.wait_for(slow_round, 5)
    assert len(other_provider.sent) == 2
    assert len(twilio.requests) == 1  # the slow worker did not go on to the second row
    for row in (first, second):
        await row.refresh_from_db()
        assert row.status == OutboxStatus.SENT


async def test_stop_finishes_the_row_in_flight_and_gives_back_the_rest(db, sms_settings, adapters, twilio):
    order = await make_order(await make_customer())
    rows = [await queue(kind, "sms", customer=order.customer, order=order)
            for kind in ("order_placed", "order_confirmed", "order_shipped")]
    twilio.hang()
    worker = worker_of(sms_settings, adapters)
    running = asyncio.create_task(worker.run_forever())
    while not twilio.requests:
        await asyncio.sleep(0.01)
    worker.stop()
    twilio.release()
    await asyncio.wait_for(running, 5)

    states = [(r.status, r.attempts, r.claimed_by) for r in await OutboxMessage.filter(id__in=[r.id for r in rows]).order_by("id")]
    assert states == [(OutboxStatus.SENT, 1, ""), (OutboxStatus.PENDING, 0, ""), (OutboxStatus.PENDING, 0, "")]
    assert len(twilio.sent) == 1


@pytest.fixture
async def disclosure_log_refusing(db):
    """The database refuses every new disclosure row (a real refusal: trigger or CHECK constraint)."""
    conn = connections.get("default")
    if db.kind == "sqlite":
        await conn.execute_script("CREATE TRIGGER refuse_disclosure BEFORE INSERT ON disclosure "
                                  "BEGIN SELECT RAISE(ABORT, 'disclosure log unavailable'); END;")
        undo = "DROP TRIGGER refuse_disclosure"
    else:
        await conn.execute_script("ALTER TABLE disclosure ADD CONSTRAINT refuse_disclosure CHECK (false) NOT VALID")
        undo = "ALTER TABLE disclosure DROP CONSTRAINT refuse_disclosure"
    yield
    await conn.execute_script(undo)


async def test_a_send_whose_outcome_cannot_be_recorded_is_not_repeated_at_once(
        db, disclosure_log_refusing, sms_settings, adapters, twilio):
    settings = replace_settings(sms_settings, notifications={"poll_seconds": 0.02})
    order = await make_order(await make_customer())
    row = await queue("order_shipped", "sms", customer=order.customer, order=order)
    worker = worker_of(settings, adapters, lease_seconds=30)
    running = asyncio.create_task(worker.run_forever())
    await asyncio.sleep(0.5)  # ~25 rounds: a row given back at once would be sent in each
    worker.stop()
    await asyncio.wait_for(running, 5)
    assert len(twilio.sent) == 1
    await row.refresh_from_db()
    # Still leased: sent again (once) only when the lease runs out, while the database recovers.
    assert (row.status, row.attempts) == (OutboxStatus.SENDING, 1)
    assert row.claimed_until > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)


async def test_every_send_to_a_processor_is_recorded_as_a_disclosure(db, sms_settings, adapters, twilio):
    customer = await make_customer()
    order = await make_order(customer)
    await queue("order_placed", "sms", customer=customer, order=order)
    await queue("order_placed", "email", customer=customer, order=order)  # console: not a processor
    await worker_of(sms_settings, adapters).run_once()

    disclosures = await Disclosure.all()
    assert [(d.processor, d.fields_sent, d.customer_id, d.order_id, d.purpose) for d in disclosures] == [
        ("SMS gateway 127.0.0.1", ["phone"], customer.id, order.id, "order")]


async def test_a_message_with_nobody_to_send_to_is_refused_not_dead(db, sms_settings, adapters):
    customer = await make_customer(email=None)
    row = await queue("password_reset", "email", customer=customer, purpose="account",
                      payload={"reset_url": "http://127.0.0.1:8080/reset/abc"})
    await worker_of(sms_settings, adapters).run_once()
    await row.refresh_from_db()
    assert (row.status, row.last_error) == (OutboxStatus.REFUSED, "no email to send to")
    assert not await OutboxMessage.filter(kind="dead_letter").exists()


async def test_a_broken_message_is_dead_lettered(db, sms_settings, adapters):
    customer = await make_customer()
    no_link = await queue("password_reset", "email", customer=customer, purpose="account", payload={})
    unknown = await queue("birthday_greeting", "email", customer=customer, purpose="service")
    await worker_of(sms_settings, adapters).run_once()
    for row in (no_link, unknown):
        await row.refresh_from_db()
        assert row.status == OutboxStatus.DEAD
    assert "reset_url" in no_link.last_error and "birthday_greeting" in unknown.last_error
    assert await OutboxMessage.filter(kind="dead_letter").count() == 4


async def test_two_workers_send_every_row_exactly_once(db, sms_settings, adapters, twilio):
    settings = replace_settings(sms_settings, notifications={"batch_size": 10})
    order = await make_order(await make_customer())
    now = dt.datetime.now(dt.UTC)
    await OutboxMessage.bulk_create([
        OutboxMessage(kind="order_shipped", purpose="order", channel="sms", order_id=order.id,
                      recipient=f"+38067{i:07d}", payload={}, next_attempt_at=now)
        for i in range(200)
    ])
    workers = [worker_of(settings, adapters, f"w{i}") for i in range(2)]

    async def drain(worker) -> int:
        total = 0
        while handled := await worker.run_once():
            total += handled
        return total

    handled = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(handled) == 200 and min(handled) > 0  # both really worked at the same time
    sends = Counter(m["To"] for m in twilio.sent)
    assert len(sends) == 200 and set(sends.values()) == {1}
    assert await OutboxMessage.filter(status=OutboxStatus.SENT).count() == 200


async def test_in_process_worker_starts_and_stops_with_its_task(db, settings):
    order = await make_order(await make_customer())
    row = await queue("order_placed", "staff_email", order=order)
    stream = io.StringIO()
    task = start_in_process(replace_settings(settings, notifications={"poll_seconds": 0.05}),
                            console_adapters(stream))
    for _ in range(100):
        await row.refresh_from_db()
        if row.status == OutboxStatus.SENT:
            break
        await asyncio.sleep(0.02)
    assert row.status == OutboxStatus.SENT
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert f"New order {order.number}" in stream.getvalue()
