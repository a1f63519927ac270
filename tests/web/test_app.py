"""The app factory, /healthz, static files, visit statistics and `python -m web`."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

from core import db as core_db
from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, sqlite_only
from web import keys

ROOT = Path(__file__).resolve().parents[2]


async def test_home_page_renders_with_the_selector_and_a_csrf_token(app_client, catalogue: Catalogue):
    client = await app_client()
    response = await client.get("/")
    assert response.status == 200
    assert response.content_type == "text/html"
    text = await response.text()
    assert "Volkswagen" in text and 'name="make"' in text
    assert await csrf_from(client)


@sqlite_only
async def test_a_template_link_takes_any_query_value(app_client, catalogue: Catalogue):
    """`url()` in a template returns text and accepts another url(), a number or None as a query
    value: a link a template builds can never turn a page into a server error."""
    import aiohttp_jinja2
    from aiohttp import web

    def link_page(app: web.Application) -> None:
        async def link(request: web.Request) -> web.Response:
            template = aiohttp_jinja2.get_env(request.app).from_string(
                "{{ url('sign_in', query_={'next': url('part', part_id=7), 'page': 2, 'gone': none}) }}|"
                "{{ url('part', part_id=7) ~ '#reviews' }}")
            return web.Response(text=template.render())
        app.router.add_get("/_test/link", link)

    client = await app_client(setup=link_page)
    response = await client.get("/_test/link")
    assert response.status == 200
    assert await response.text() == "/sign-in?next=/part/7&amp;page=2|/part/7#reviews"


@sqlite_only
async def test_app_keys_and_resources(app_client, catalogue: Catalogue):
    client = await app_client()
    app = client.server.app
    assert app[keys.SETTINGS].database.url.startswith(("sqlite://", "postgres://"))
    assert app[keys.REDIS] is None
    assert "sandbox" in app[keys.PAYMENT_PROVIDERS]
    assert app[keys.LIMITER] is not None and app[keys.SESSION_STORE] is not None
    assert not app[keys.HTTP_CLIENT].closed


@sqlite_only
async def test_static_files_have_content_hashed_names_and_long_caching(app_client, catalogue: Catalogue):
    client = await app_client()
    html = await (await client.get("/")).text()
    css = re.search(r'href="(/static/css/app\.([0-9a-f]{12})\.css)"', html)
    js = re.search(r'src="(/static/js/app\.[0-9a-f]{12}\.js)"', html)
    assert css and js
    import hashlib

    content = (ROOT / "web/static/css/app.css").read_bytes()
    assert hashlib.sha256(content).hexdigest()[:12] == css.group(2)  # the name changes with the content
    response = await client.get(css.group(1))
    assert response.status == 200 and "immutable" in response.headers["Cache-Control"]
    assert response.content_type == "text/css"
    assert (await client.get("/static/css/app.000000000000.css")).status == 404
    assert (await client.get("/static/../config.py")).status == 404


async def test_healthz_says_when_the_database_is_down(app_client, catalogue: Catalogue):
    client = await app_client()
    await core_db.close_database()  # the database goes away under the running app
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["database"] == "unavailable"
    await core_db.open_database(client.server.app[keys.SETTINGS].database.url)


async def test_visits_are_counted_without_personal_data(app_client, catalogue: Catalogue):
    from core.privacy.models import VisitStat

    client = await app_client(web={"behind_proxy": True})
    await sign_in_as(client, await make_customer())
    headers = {"X-Forwarded-For": "203.0.113.77", "Referer": "https://www.example.org/cars?id=5",
               "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"}
    await client.get("/search?q=brake", headers=headers)
    await client.get("/search?q=filter", headers=headers)
    await client.get("/missing", headers=headers)  # not a page view
    rows = await VisitStat.all()
    assert [(r.ip_prefix, r.browser, r.os, r.referrer_host, r.visits) for r in rows] == [
        ("203.0.113.0", "Firefox", "Linux", "www.example.org", 2)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def run_web(env: dict[str, str], *, until: str | None = None, timeout: float = 20) -> tuple[int | None, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web", cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output = ""
    try:
        async with asyncio.timeout(timeout):
            while line := await process.stdout.readline():
                output += line.decode()
                if until and until in output:
                    return None, output
        return await process.wait(), output
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()


async def test_python_m_web_refuses_a_bad_config_in_one_line(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[web]\nport = 'eighty'\n")
    code, output = await run_web({"GEARSHOP_CONFIG": str(bad)})
    assert code == 2
    assert output.strip().count("\n") == 0 and "web.port" in output and "Traceback" not in output


async def test_python_m_web_serves_the_shop_without_a_bot(tmp_path):
    url = f"sqlite://{tmp_path}/shop.sqlite3"
    await core_db.create_schema(url)
    port = free_port()
    env = {"GEARSHOP_DATABASE__URL": url, "GEARSHOP_WEB__PORT": str(port), "GEARSHOP_BOT__TOKEN": "",
           "GEARSHOP_NOTIFICATIONS__WORKER_IN_PROCESS": "false"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "web", cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        first = (await asyncio.wait_for(process.stdout.readline(), 20)).decode()
        assert first.strip() == "Telegram bot: not configured (set GEARSHOP_BOT__TOKEN) — serving the web shop only"
        import aiohttp

        async with aiohttp.ClientSession() as session:
            for _ in range(100):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                        assert response.status == 200
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the web shop did not start")
    finally:
        process.terminate()
        await process.wait()


@sqlite_only
async def test_background_tasks_run_in_the_web_process_and_stop_with_it(app_client, catalogue: Catalogue):
    from core.privacy.models import VisitStat

    client = await app_client(background=True, notifications={"worker_in_process": True, "poll_seconds": 0.05})
    app = client.server.app
    worker = app[keys.OUTBOX_WORKER]
    assert worker.name.startswith("web-")
    await client.get("/search?q=filter")  # the visit is written by the background task
    for _ in range(50):
        if await VisitStat.exists():
            break
        await asyncio.sleep(0.02)
    assert await VisitStat.filter(visits=1).count() == 1
    await client.close()  # cleanup stops the worker; a warning about a pending task fails the suite


@sqlite_only
async def test_bot_webhook_is_mounted_when_configured(app_client, catalogue: Catalogue):
    from tests.fakes.bot_api import DEFAULT_TOKEN, FakeBotAPI

    async with FakeBotAPI() as api:
        secret = "s" * 24
        client = await app_client(bot={"token": DEFAULT_TOKEN, "mode": "webhook", "webhook_secret": secret,
                                       "api_server": api.url})
        path = client.server.app[keys.SETTINGS].bot.webhook_path
        assert [c.params["url"] for c in api.calls_of("setWebhook")] == [f"http://127.0.0.1:8080{path}"]
        update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"},
                                              "from": {"id": 42, "is_bot": False, "first_name": "A"}, "text": "/start"}}
        forged = await client.post(path, json=update)
        assert forged.status == 401
        genuine = await client.post(path, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})
        assert genuine.status == 200  # no CSRF token: Telegram proves itself with the secret
        await client.close()


def test_the_web_process_refuses_an_unknown_argument_and_takes_a_config_file(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    bogus = subprocess.run([sys.executable, "-m", "web", "--bogus"], capture_output=True, text=True, cwd=root,
                           env=env, timeout=60, check=False)
    assert bogus.returncode == 2 and "unrecognized arguments: --bogus" in bogus.stderr
    missing = tmp_path / "nowhere.toml"
    named = subprocess.run([sys.executable, "-m", "web", "--config", str(missing)], capture_output=True, text=True,
                           cwd=root, env=env, timeout=60, check=False)
    assert named.returncode == 2
    assert named.stderr.strip() == f"configuration error: {missing}: file not found"
