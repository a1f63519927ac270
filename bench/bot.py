"""Bot benchmark: updates per second through the real dispatcher and its whole middleware stack.

The dispatcher is the one `bot.app.build_dispatcher` builds for `python -m bot` (update
de-duplication, customer loading, language, throttling, FSM storage, every router), over the
demo catalogue on SQLite. The Bot is a real aiogram Bot whose session serialises each call as
the aiohttp session would and parses a canned Bot API answer, but never touches the network (as
aiogram's own tests do). Many users go through a customer's usual path, each in order, many at
once: /start, the vehicle selector (make → model → vehicle → categories), a typed search (a part
number or a word), the next page of results, a part card, /help. Raw updates are fed with
`Dispatcher.feed_raw_update` (parsing included), as the webhook and polling do.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import logging
import random
import time
from collections import Counter
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.methods import EditMessageText, GetMe, SendMessage, TelegramMethod

from bench import BenchContext, Result, benchmark
from bench.catalogue import catalogue_database
from bot.app import build_dispatcher, shop_session
from bot.callbacks import Menu, MenuCb, PartAction, PartCb, SearchCb, VehicleCb, VehicleStep
from core.catalogue import sql
from core.config import load_settings
from core.db import database

TARGET = 1_000  # updates per second (DESIGN.md)
TOKEN = "424242:BENCH-gearshop-not-a-real-token"
USERS = {"tiny": 60, "small": 300, "large": 600}
CONCURRENT_USERS = 64
BOT_USER = {"id": 424242, "is_bot": True, "first_name": "gearshop", "username": "gearshop_bench_bot"}


class CannedSession(AiohttpSession):
    """Serialises each call like the aiohttp session and parses a canned answer; no network."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self._message_ids = itertools.count(1)

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None) -> Any:
        self.build_form_data(bot=bot, method=method)  # the request body, built and thrown away
        self.calls[method.__api_method__] += 1
        result = json.dumps({"ok": True, "result": self._answer(method)})
        return self.check_response(bot=bot, method=method, status_code=200, content=result).result

    def _answer(self, method: TelegramMethod) -> Any:
        if isinstance(method, GetMe):
            return BOT_USER
        if isinstance(method, SendMessage | EditMessageText):
            chat_id = getattr(method, "chat_id", None) or 1
            return {"message_id": next(self._message_ids), "date": int(time.time()), "from": BOT_USER,
                    "chat": {"id": chat_id, "type": "private", "first_name": "Customer"}, "text": method.text}  # fmt: skip
        return True


class FailureCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


# ---------------------------------------------------------------- what users send


async def _paths(count: int) -> list[dict]:
    """Per user: a vehicle (with its model and make), a part that fits it, and what to type."""
    rng = random.Random(11)
    vehicles = await sql.fetch(
        "SELECT v.id AS id, v.model_id AS model, m.make_id AS make FROM vehicle v "
        "JOIN vehicle_model m ON m.id = v.model_id ORDER BY v.id"
    )
    chosen = rng.sample(vehicles, min(count, len(vehicles)))
    marks = sql.marks(len(chosen))
    fitting: dict[int, list[dict]] = {}
    for row in await sql.fetch(
        f"SELECT f.vehicle_id AS v, p.id AS id, p.article AS article, p.name AS name FROM fitment f "
        f"JOIN part p ON p.id = f.part_id WHERE f.vehicle_id IN ({marks}) ORDER BY f.vehicle_id, p.id",
        [v["id"] for v in chosen],
    ):
        fitting.setdefault(row["v"], []).append(row)
    paths = []
    for vehicle in chosen:
        if vehicle["id"] not in fitting:
            continue
        part = rng.choice(fitting[vehicle["id"]])
        query = part["article"] if rng.random() < 0.5 else part["name"].split()[0].lower()
        paths.append({**vehicle, "part": part["id"], "query": query})
    return paths


def _script(path: dict) -> list[tuple[str, str]]:
    """The updates of one user's visit, in order: ("text", ...) or ("button", callback data)."""
    return [
        ("text", "/start"),
        ("button", MenuCb(item=Menu.VEHICLE).pack()),
        ("button", VehicleCb(step=VehicleStep.MAKE, id=path["make"]).pack()),
        ("button", VehicleCb(step=VehicleStep.MODEL, id=path["model"]).pack()),
        ("button", VehicleCb(step=VehicleStep.PICK, id=path["id"]).pack()),
        ("button", VehicleCb(step=VehicleStep.CATEGORIES, id=path["id"]).pack()),
        ("text", path["query"]),
        ("button", SearchCb(page=1).pack()),
        ("button", PartCb(action=PartAction.SHOW, part_id=path["part"]).pack()),
        ("text", "/help"),
    ]


class Users:
    """Raw updates as Telegram sends them, with unique update ids."""

    def __init__(self) -> None:
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1)

    def update(self, user_id: int, kind: str, value: str) -> dict:
        person = {
            "id": user_id,
            "is_bot": False,
            "first_name": "Olena",
            "language_code": "uk" if user_id % 3 else "en",
        }
        chat = {"id": user_id, "type": "private", "first_name": "Olena"}
        now = int(time.time())
        if kind == "text":
            message = {
                "message_id": next(self.message_ids),
                "date": now,
                "chat": chat,
                "from": person,
                "text": value,
            }
            if value.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(value.split()[0])}]
            return {"update_id": next(self.update_ids), "message": message}
        under = {
            "message_id": next(self.message_ids),
            "date": now,
            "chat": chat,
            "from": BOT_USER,
            "text": "…",
        }
        query = {"id": f"q{next(self.update_ids)}", "from": person, "chat_instance": "ci", "data": value,
                 "message": under}  # fmt: skip
        return {"update_id": next(self.update_ids), "callback_query": query}


# ---------------------------------------------------------------- the benchmark


async def _run(settings, paths: list[dict]) -> dict:
    session = shop_session(CannedSession())  # the session middlewares of build_bot
    bot = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    dispatcher = build_dispatcher(settings)
    users, gate = Users(), asyncio.Semaphore(CONCURRENT_USERS)
    outcome: Counter[str] = Counter()

    async def visit(user_id: int, path: dict) -> None:
        async with gate:
            for kind, value in _script(path):
                handled = await dispatcher.feed_raw_update(bot, users.update(user_id, kind, value))
                outcome["unhandled" if handled is UNHANDLED else "handled"] += 1

    failures = FailureCounter()
    logging.getLogger().addHandler(failures)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        await asyncio.gather(*(visit(1_000_000 + n, path) for n, path in enumerate(paths)))
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        logging.getLogger().removeHandler(failures)
        await dispatcher.storage.close()
        await bot.session.close()
    return {"updates": sum(outcome.values()), "seconds": seconds, "cpu": cpu, "outcome": outcome,
            "calls": session.calls, "failures": failures.records}  # fmt: skip


@benchmark("bot-updates")
async def bot_updates(ctx: BenchContext) -> list[Result]:
    url = await catalogue_database(ctx)
    base = load_settings(environ={})
    settings = dataclasses.replace(
        base,
        database=dataclasses.replace(base.database, url=url),
        bot=dataclasses.replace(base.bot, token=TOKEN, username=BOT_USER["username"]),
        web=dataclasses.replace(base.web, session_key="bench-" * 8),
    )
    async with database(url):
        paths = await _paths(USERS[ctx.size])
        await _run(
            settings, paths[: max(1, len(paths) // 10)]
        )  # warm-up: imports, templates, first cache fills
        figures = await _run(settings, paths)
    rate = figures["updates"] / figures["seconds"]
    failures = figures["failures"]
    calls = figures["calls"]
    problem = f"; {len(failures)} FAILED, first: {failures[0].getMessage()}" if failures else ""
    return [
        Result("updates through the dispatcher and all middlewares", rate, "updates/s", f"≥ {TARGET:,}",
               rate >= TARGET and not failures,
               f"{figures['updates']:,} updates from {len(paths):,} users ({CONCURRENT_USERS} at a time) in "
               f"{figures['seconds']:.1f} s; in-memory FSM; cache warm for 1/10 of the users{problem}"),
        Result("  CPU per update (steadier on a busy machine)", figures["cpu"] / figures["updates"] * 1000, "ms", "",
               None, f"{figures['outcome']['unhandled']} unhandled; Bot API calls made: "
               + ", ".join(f"{name} {n:,}" for name, n in calls.most_common())),
    ]  # fmt: skip
