"""`python -m core worker` runs alone, sends what is due and stops cleanly on SIGTERM / Ctrl-C;
`python -m core requeue` gives a dead message another chance."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from core.db import create_schema
from core.notifications.dead_letters import requeue
from core.notifications.models import OutboxMessage, OutboxStatus
from core.notifications.worker import OutboxWorker
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path, url: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{url}"\n\n[notifications]\npoll_seconds = 0.1\n', encoding="utf-8")
    return config


async def run_core(config: Path, *args: str) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    env["GEARSHOP_CONFIG"] = str(config)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "core", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


# Starting a Python process costs seconds; the worker itself runs on both engines in-process
# (test_notifications_worker.py, test_notifications_process.py), so the command line is checked
# on SQLite only.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_the_worker_runs_alone_and_stops_cleanly(db, tmp_path, stop_signal):
    order = await make_order(await make_customer())
    row = await queue("order_placed", "staff_email", order=order)
    worker = await run_core(write_config(tmp_path, db.url), "worker", "--name", "cli-test")
    try:
        for _ in range(200):
            await row.refresh_from_db()
            if row.status == OutboxStatus.SENT:
                break
            await asyncio.sleep(0.05)
        assert row.status == OutboxStatus.SENT
        worker.send_signal(stop_signal)
        out, err = await asyncio.wait_for(worker.communicate(), 20)
    finally:
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
    assert worker.returncode == 0, err.decode()
    printed = out.decode()
    assert "outbox worker cli-test/" in printed and "stopped" in printed
    assert f"New order {order.number}" in printed
    assert "Traceback" not in err.decode()


async def test_requeue_gives_a_dead_message_another_chance(db, settings):
    row = await queue("order_placed", "staff_email", order=await make_order(await make_customer()))
    await OutboxMessage.filter(id=row.id).update(status=OutboxStatus.DEAD, attempts=8, last_error="SMTP 550")
    assert await requeue(row.id) is True
    await row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 0, "")
    assert await requeue(row.id) is False  # pending: nothing to requeue
    await OutboxWorker(settings, console_adapters(), "requeued").run_once()
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


async def test_requeue_of_an_unknown_message_is_a_one_line_error(tmp_path):
    url = f"sqlite://{tmp_path}/gearshop.sqlite3"
    await create_schema(url)
    done = await run_core(write_config(tmp_path, url), "requeue", "999")
    out, err = await done.communicate()
    assert done.returncode == 2
    assert err.decode().strip() == "error: no dead or refused outbox message with id 999"


@sqlite_only
async def test_worker_once_sends_what_is_due_and_exits(db, tmp_path):
    rows = [await queue(kind, "staff_email", order=await make_order(await make_customer()))
            for kind in ("order_placed", "order_placed")]
    done = await run_core(write_config(tmp_path, db.url), "worker", "--once")
    out, err = await asyncio.wait_for(done.communicate(), 30)
    assert done.returncode == 0, err.decode()
    assert "2 message(s)" in out.decode()
    assert {r.status for r in await OutboxMessage.filter(id__in=[r.id for r in rows])} == {OutboxStatus.SENT}

