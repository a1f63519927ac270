"""Helpers for tests in a real headless Chromium: the shop on a real TCP port, the browser.

Debian's `chromium` is driven through the Playwright package with `executable_path`; Playwright's
own browser downloads are never used. Without the binary (or the package) the tests skip with
the reason, and fail when GEARSHOP_REQUIRE_SERVICES=1.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

from core import db as core_db
from core.config import Settings
from tests.conftest import replace_settings, service_missing
from web.app import init_app

CHROMIUM = os.environ.get("GEARSHOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def require_chromium() -> str:
    """The Chromium binary, or skip (fail when services are required) saying what is missing."""
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        service_missing(f"headless Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError as exc:
        service_missing(f"the playwright package is not installed: {exc}")
    return CHROMIUM


async def fresh_sqlite(settings: Settings, directory: Path) -> Settings:
    """Settings on a new SQLite file with the full schema."""
    url = f"sqlite://{directory}/browser.sqlite3"
    await core_db.create_schema(url)
    return replace_settings(settings, database={"url": url})


@asynccontextmanager
async def running_shop(settings: Settings) -> AsyncIterator[str]:
    """`init_app` served on 127.0.0.1 at a free port; yields the base URL."""
    app = init_app(settings, start_background=False)
    runner = web.AppRunner(app, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)  # the OS picks a free port
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def chromium(**context_options: Any) -> AsyncIterator[Any]:
    """A new browser context (its own cookies) in headless Chromium."""
    from playwright.async_api import async_playwright

    executable = require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = await browser.new_context(**context_options)
            try:
                yield context
            finally:
                await context.close()
        finally:
            await browser.close()


def watch_for_server_errors(page: Any) -> list[str]:
    """Collect every 5xx answer and JavaScript error the page meets (the test asserts none)."""
    problems: list[str] = []
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    return problems
