"""P11 for the running process: `python -m web` keeps no per-request log of visitors (no IP,
browser, referrer or search words in its output); the visits are counted only in the daily
aggregate with a truncated IP."""

from __future__ import annotations

import asyncio
import os
import re
import sys

import aiohttp

from core import db as core_db
from tests.web.test_app import ROOT, free_port

AGENT = "PrivacyProbe/9.9 (Windows NT 10.0) Firefox/131.0"
REFERRER = "https://referrer.example/private-path?who=olena"


async def test_the_web_process_logs_no_visitor_and_counts_visits_in_aggregate(tmp_path):
    from core.privacy.models import VisitStat

    url = f"sqlite://{tmp_path}/shop.sqlite3"
    await core_db.create_schema(url)
    port = free_port()
    env = {"GEARSHOP_DATABASE__URL": url, "GEARSHOP_WEB__PORT": str(port), "GEARSHOP_BOT__TOKEN": "",
           "GEARSHOP_NOTIFICATIONS__WORKER_IN_PROCESS": "false"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web", cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    headers = {"User-Agent": AGENT, "Referer": REFERRER}
    try:
        async with aiohttp.ClientSession(headers=headers) as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the web shop did not start")
            for path in ("/", "/search?q=shevchenko+brake", "/privacy", "/no-such-page"):
                async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                    await response.read()
            await asyncio.sleep(0.3)  # the visit queue is written by a background task
    finally:
        process.terminate()
        output = (await asyncio.wait_for(process.stdout.read(), 20)).decode()
        await process.wait()

    assert "gearshop web shop:" in output  # the output was read
    for trace in ("PrivacyProbe", "referrer.example", "shevchenko", "/search", "/privacy"):
        assert trace not in output, trace
    assert not re.search(r"\d+\.\d+\.\d+\.\d+ \[", output)  # no access-log line
    async with core_db.database(url):
        rows = await VisitStat.all().values("ip_prefix", "browser", "os", "referrer_host", "visits")
    assert rows == [{"ip_prefix": "127.0.0.0", "browser": "Firefox", "os": "Windows",
                     "referrer_host": "referrer.example", "visits": 3}]
