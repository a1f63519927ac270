"""Real `python -m core worker` processes sending SMS to a local Twilio-protocol server.

- killed with SIGKILL while a send is in flight: nothing is lost, nothing is sent twice; another
  worker takes the rows once their lease has run out;
- stopped with SIGTERM while a send is in flight: that row is finished, the others are given back
  at once, the process exits 0;
- three processes at once on PostgreSQL over hundreds of rows: every row sent exactly once, and
  every process did part of the work.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core import db as core_db
from core.adapters.sms import TwilioSmsAdapter
from core.config import SmsSettings
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.worker import OutboxWorker
from tests.conftest import PG_ADMIN_DSN, Database, _truncate_postgres, service_missing
from tests.core.notifications_factories import console_adapters, make_customer, make_order
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
SENDER = "+15005550006"


@pytest.fixture
async def twilio() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio() as server:
        yield server


@pytest.fixture
async def postgres(postgres_template) -> AsyncIterator[Database]:
    """PostgreSQL only: several workers at once is what PostgreSQL deployments do."""
    if postgres_template is None:
        service_missing(f"PostgreSQL not reachable at {PG_ADMIN_DSN}")
    await _truncate_postgres(postgres_template)
    await core_db.open_database(postgres_template)
    try:
        yield Database("postgres", postgres_template)
    finally:
        await core_db.close_database()


def write_config(tmp_path: Path, url: str, twilio: FakeTwilio, *, batch_size: int = 20) -> Path:
    config = tmp_path / "worker.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n'
        f"[notifications]\npoll_seconds = 0.1\nbatch_size = {batch_size}\n\n"
        f'[notifications.sms]\nadapter = "twilio"\napi_base = "{twilio.url}"\n'
        f'account_sid = "{ACCOUNT_SID}"\nauth_token = "{AUTH_TOKEN}"\nsender = "{SENDER}"\n',
        encoding="utf-8",
    )
    return config


async def start_worker(config: Path, *args: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    env["GEARSHOP_CONFIG"] = str(config)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core", "worker", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def queue_texts(count: int) -> list[OutboxMessage]:
    """`count` shipped-order texts, each to its own number (so the provider's log tells them apart)."""
    order = await make_order(await make_customer())
    now = dt.datetime.now(dt.UTC)
    await OutboxMessage.bulk_create([
        OutboxMessage(kind="order_shipped", purpose="order", channel="sms", order_id=order.id,
                      recipient=f"+38067{i:07d}", payload={"tracking_number": "20450000000001"}, next_attempt_at=now)
        for i in range(count)
    ])
    return await OutboxMessage.filter(order_id=order.id).order_by("id")


async def until(condition, seconds: float = 30.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():
            await asyncio.sleep(0.01)


async def states(rows: list[OutboxMessage]) -> dict[str, tuple[str, int, str]]:
    fresh = await OutboxMessage.filter(id__in=[r.id for r in rows])
    return {r.recipient: (r.status, r.attempts, r.claimed_by) for r in fresh}


async def test_a_worker_killed_mid_send_loses_nothing(db, settings, tmp_path, twilio):
    rows = await queue_texts(3)
    twilio.hang()
    killed = await start_worker(write_config(tmp_path, db.url, twilio), "--name", "killed", "--lease-seconds", "4")
    try:
        await until(lambda: twilio.requests)  # the first text is at the provider, unanswered
    finally:
        killed.kill()  # SIGKILL: no handler, no clean-up
        await killed.wait()
    assert killed.returncode == -signal.SIGKILL
    leased = await states(rows)
    assert {status for status, _, _ in leased.values()} == {OutboxStatus.SENDING}
    assert all(owner.startswith("killed/") for _, _, owner in leased.values())
    twilio.release()  # the provider notices its client is gone and sends nothing
    await asyncio.sleep(0.1)
    assert twilio.sent == []

    sms = TwilioSmsAdapter(SmsSettings(adapter="twilio", api_base=twilio.url, account_sid=ACCOUNT_SID,
                                       auth_token=AUTH_TOKEN, sender=SENDER))
    survivor = OutboxWorker(settings, {**console_adapters(), "sms": sms}, "survivor")
    try:
        assert await survivor.run_once() == 0  # still leased to the dead worker
        leases = await OutboxMessage.filter(id__in=[r.id for r in rows]).values_list("claimed_until", flat=True)
        await asyncio.sleep(max(0.0, (max(leases) - dt.datetime.now(dt.UTC)).total_seconds()) + 0.1)
        assert await survivor.run_once() == 3
    finally:
        await sms.close()
    assert Counter(m["To"] for m in twilio.sent) == Counter({row.recipient: 1 for row in rows})
    assert {state for state in (await states(rows)).values()} == {(OutboxStatus.SENT, 2, "")}


async def test_sigterm_finishes_the_send_in_flight_and_gives_back_the_rest(db, tmp_path, twilio):
    rows = await queue_texts(3)
    twilio.hang()
    worker = await start_worker(write_config(tmp_path, db.url, twilio), "--name", "stopped")
    try:
        await until(lambda: twilio.requests)
        worker.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        assert worker.returncode is None  # still waiting for the provider's answer
        twilio.release()
        out, err = await asyncio.wait_for(worker.communicate(), 30)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, err.decode()
    assert "Traceback" not in err.decode() and "stopped" in out.decode()
    in_flight = twilio.requests[0]["To"]
    assert [m["To"] for m in twilio.sent] == [in_flight]
    after = await states(rows)
    assert after.pop(in_flight) == (OutboxStatus.SENT, 1, "")
    assert set(after.values()) == {(OutboxStatus.PENDING, 0, "")}  # due again now, no attempt counted


async def test_three_worker_processes_on_postgresql_send_every_row_exactly_once(postgres, tmp_path, twilio):
    rows = await queue_texts(300)
    # Not due until every worker is up, so that all three claim at the same moments, one row at a
    # time: the most contention there can be.
    await OutboxMessage.all().update(next_attempt_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    config = write_config(tmp_path, postgres.url, twilio, batch_size=1)
    workers = [await start_worker(config, "--name", f"p{i}") for i in range(3)]
    try:
        for worker in workers:
            assert "running" in (await asyncio.wait_for(worker.stdout.readline(), 30)).decode()
        await OutboxMessage.all().update(next_attempt_at=dt.datetime.now(dt.UTC))
        await until(lambda: len(twilio.sent) >= 300, 120)
        await asyncio.sleep(0.5)  # a duplicate would arrive now
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = await asyncio.wait_for(asyncio.gather(*(w.communicate() for w in workers)), 30)
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
    handled = []
    for worker, (out, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
        handled.append(int(re.search(r"sent or settled (\d+) message", out.decode()).group(1)))
    assert sum(handled) == 300 and min(handled) > 0, handled  # all three really worked at once
    assert len(twilio.requests) == 300
    assert Counter(m["To"] for m in twilio.sent) == Counter({row.recipient: 1 for row in rows})
    assert {state for state in (await states(rows)).values()} == {(OutboxStatus.SENT, 1, "")}
