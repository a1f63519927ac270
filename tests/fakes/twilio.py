"""A local server speaking Twilio's Messages API, for the SMS adapter's tests.

    async with FakeTwilio() as twilio:   # api_base = twilio.url
        ...
        assert twilio.sent[0]["To"] == "+380501234567"

It checks HTTP basic auth (account sid + auth token) like Twilio, answers 201 with a message sid,
and can be told to answer the next request(s) with an error (`twilio.fail(400, 21211, "...")`)
or to hang until released (`twilio.hang()` / `twilio.release()`). `twilio.delay = 0.02` makes
every answer take that long, like a provider across the internet.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
from typing import Any

from aiohttp import web

ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef"
AUTH_TOKEN = "twilio-test-auth-token"


class FakeTwilio:
    def __init__(self, account_sid: str = ACCOUNT_SID, auth_token: str = AUTH_TOKEN):
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.sent: list[dict[str, str]] = []  # accepted messages (form fields)
        self.requests: list[dict[str, str]] = []  # every request's form fields
        self._failures: list[tuple[int, dict[str, Any], dict[str, str]]] = []
        self._hanging = False
        self._released = asyncio.Event()
        self.delay = 0.0  # seconds before each answer
        self._sids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> FakeTwilio:
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._messages)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        self.release()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTwilio:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def fail(self, status: int, code: int | None = None, message: str = "error", *, times: int = 1,
             headers: dict[str, str] | None = None) -> None:
        body: dict[str, Any] = {"status": status, "message": message, "more_info": "https://www.twilio.com/docs/errors"}
        if code is not None:
            body["code"] = code
        self._failures.extend([(status, body, headers or {})] * times)

    def hang(self) -> None:
        """Requests wait (without an answer) until release()."""
        self._hanging = True
        self._released.clear()

    def release(self) -> None:
        self._hanging = False
        self._released.set()

    async def _messages(self, request: web.Request) -> web.Response:
        expected = "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if request.headers.get("Authorization") != expected or request.match_info["sid"] != self.account_sid:
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = {key: str(value) for key, value in (await request.post()).items()}
        self.requests.append(form)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._hanging:
            await self._released.wait()
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499)  # the client gave up (was killed): nothing sent
        if self._failures:
            status, body, headers = self._failures.pop(0)
            return web.json_response(body, status=status, headers=headers)
        if not form.get("To") or not form.get("Body") or not (form.get("From") or form.get("MessagingServiceSid")):
            return web.json_response({"code": 21604, "message": "A 'To' phone number is required.", "status": 400},
                                     status=400)
        self.sent.append(form)
        sid = f"SM{next(self._sids):032x}"
        return web.json_response({"sid": sid, "status": "queued", "to": form["To"], "from": form.get("From"),
                                  "body": form["Body"], "account_sid": self.account_sid}, status=201)
