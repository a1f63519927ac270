"""Commands of this area: `worker` (send the outbox alone) and `requeue` (retry a dead message)."""

from __future__ import annotations

import argparse
import asyncio
import signal

from core.cli import row_id
from core.config import Settings
from core.notifications.claims import DEFAULT_LEASE_SECONDS


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="send queued notifications until stopped (Ctrl-C / SIGTERM)")
    worker.add_argument("--name", default="", help="worker name in claims (default: host:pid)")
    worker.add_argument("--once", action="store_true", help="send what is due now, then exit")
    worker.add_argument("--lease-seconds", type=_positive_seconds, default=DEFAULT_LEASE_SECONDS,
                        help="how long a claimed message stays with this worker; when the worker dies, "
                             f"another one sends it after that long (default: {DEFAULT_LEASE_SECONDS:g})")
    worker.set_defaults(run=run_worker)
    requeue = commands.add_parser("requeue", help="send a dead or refused outbox message again")
    requeue.add_argument("message_id", type=row_id)
    requeue.set_defaults(run=run_requeue)


async def run_worker(settings: Settings, args: argparse.Namespace) -> int:
    from core.db import database
    from core.notifications.registry import build_adapters, close_adapters
    from core.notifications.worker import OutboxWorker

    async with database(settings.database.url):
        adapters = build_adapters(settings)
        worker = OutboxWorker(settings, adapters, args.name, lease_seconds=args.lease_seconds)
        try:
            if args.once:
                total = 0
                while handled := await worker.run_once():
                    total += handled
                print(f"sent or settled {total} message(s)")
                return 0
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, worker.stop)
            print(f"outbox worker {worker.name} running; Ctrl-C stops it", flush=True)
            await worker.run_forever()
            print(f"outbox worker {worker.name} stopped; it sent or settled {worker.handled} message(s)", flush=True)
            return 0
        finally:
            await close_adapters(adapters)


async def run_requeue(settings: Settings, args: argparse.Namespace) -> int:
    from core.cli import CommandError
    from core.db import database
    from core.notifications.dead_letters import requeue

    async with database(settings.database.url):
        queued = await requeue(args.message_id)
    if not queued:
        raise CommandError(f"no dead or refused outbox message with id {args.message_id}")
    print(f"message {args.message_id} queued again")
    return 0
