"""A local Bot API server for tests: speaks the methods gearshop uses and records every call.

A real aiogram `Bot` talks to it over HTTP exactly as it talks to api.telegram.org:

    async with FakeBotAPI() as api:
        # make_bot: Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
        bot = api.make_bot()
        await bot.send_message(42, "hi")
        assert api.calls_of("sendMessage")[0].params["text"] == "hi"
        await bot.session.close()

It keeps the messages it "delivered" (and edits them like Telegram does, refusing an edit that
changes nothing), queues updates for getUpdates, answers 401 for a wrong token, and can be told to
answer the next call(s) of a method with 429 + retry_after (`api.flood("sendMessage", 1)`).
Chats can refuse the bot as Telegram's do: `block_bot(user_id)` (403, the user blocked the bot),
`deactivate_user(user_id)` (403), `forget_chat(chat_id)` (400 chat not found) and
`upgrade_group(chat_id, new_chat_id)` (400 with parameters.migrate_to_chat_id; the new id works).
`flood_chat(chat_id, seconds)` is Telegram's per-chat flood control: every call to the chat
answers 429 with the seconds left as retry_after until the time has passed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import itertools
import json
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import urlsplit

from aiohttp import web

DEFAULT_TOKEN = "123456789:AAFakeTokenForGearshopTests-0123456789"
BOT_USER = {"id": 123456789, "is_bot": True, "first_name": "Gearshop", "username": "gearshop_test_bot"}

# Fields whose value is text even when it looks like a number ("0986452041" stays a string).
_TEXT_FIELDS = {
    "text",
    "caption",
    "query",
    "callback_query_id",
    "inline_query_id",
    "pre_checkout_query_id",
    "shipping_query_id",
    "title",
    "description",
    "payload",
    "provider_token",
    "currency",
    "url",
    "secret_token",
    "parse_mode",
    "next_offset",
    "error_message",
    "start_parameter",
    "inline_message_id",
    "button_text",
    "switch_pm_text",
    "switch_pm_parameter",
    "ip_address",
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)

    def document(self) -> bytes:
        """The uploaded bytes of a sendDocument call."""
        ref = str(self.params.get("document", ""))
        return self.files[ref.removeprefix("attach://")]


@dataclass
class Delivered:
    chat_id: int | str
    message_id: int
    text: str
    reply_markup: dict | None
    history: list[str] = field(default_factory=list)


class FakeBotAPI:
    def __init__(
        self, token: str = DEFAULT_TOKEN, bot_user: dict | None = None, *, poll_cap_seconds: float = 0.5
    ):
        self.token = token
        self.bot_user = dict(bot_user or BOT_USER)
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, int], Delivered] = {}
        self.webhook: dict[str, Any] | None = None
        self.poll_cap_seconds = poll_cap_seconds
        # Payment providers' smallest invoice per currency (Telegram: about one US dollar).
        self.invoice_minimum: dict[str, int] = {"EUR": 100, "UAH": 4000}
        self._message_ids = itertools.count(1)
        self._update_ids = itertools.count(1)
        self._updates: list[dict] = []
        self._new_update = asyncio.Event()
        self._floods: dict[str, list[int]] = {}
        # chat id -> (error_code, description, parameters) for every call addressed to that chat.
        self._chat_refusals: dict[str, tuple[int, str, dict | None]] = {}
        # chat id -> time.monotonic() when its flood control ends.
        self._chat_floods: dict[str, float] = {}
        self._runner: web.AppRunner | None = None
        self.url = ""

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> FakeBotAPI:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def make_bot(self, **kwargs: Any):
        """A real aiogram Bot whose session talks to this server (close its session when done)."""
        from aiogram import Bot
        from aiogram.client.session.aiohttp import AiohttpSession
        from aiogram.client.telegram import TelegramAPIServer

        session = AiohttpSession(api=TelegramAPIServer.from_base(self.url))
        return Bot(self.token, session=session, **kwargs)

    # ------------------------------------------------------------ what tests use

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent_to(self, chat_id: int | str) -> list[Delivered]:
        """Messages delivered to a chat, oldest first, with their current (edited) text."""
        return [
            m
            for (chat, _), m in sorted(self.messages.items(), key=lambda kv: kv[0][1])
            if chat == str(chat_id)
        ]

    def last_to(self, chat_id: int | str) -> Delivered:
        sent = self.sent_to(chat_id)
        if not sent:
            raise AssertionError(f"nothing was sent to chat {chat_id}")
        return sent[-1]

    def texts_to(self, chat_id: int | str) -> list[str]:
        return [m.text for m in self.sent_to(chat_id)]

    def callback_answers(self) -> list[dict[str, Any]]:
        return [c.params for c in self.calls_of("answerCallbackQuery")]

    def forget_calls(self) -> None:
        self.calls.clear()

    def flood(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 Too Many Requests with retry_after."""
        self._floods.setdefault(method.lower(), []).extend([retry_after] * times)

    def flood_chat(self, chat_id: int | str, seconds: float) -> None:
        """Calls to the chat answer 429 (retry_after: the seconds left) for `seconds` from now."""
        self._chat_floods[str(chat_id)] = time.monotonic() + seconds

    def block_bot(self, user_id: int) -> None:
        """The user blocked the bot: calls to their private chat answer 403 until `reopen_chat`."""
        self._chat_refusals[str(user_id)] = (403, "Forbidden: bot was blocked by the user", None)

    def deactivate_user(self, user_id: int) -> None:
        """The user deleted their Telegram account."""
        self._chat_refusals[str(user_id)] = (403, "Forbidden: user is deactivated", None)

    def forget_chat(self, chat_id: int | str) -> None:
        """Telegram does not know the chat (never opened with the bot, or gone)."""
        self._chat_refusals[str(chat_id)] = (400, "Bad Request: chat not found", None)

    def upgrade_group(self, chat_id: int | str, new_chat_id: int) -> None:
        """The group became a supergroup: the old id answers 400 with migrate_to_chat_id."""
        self._chat_refusals[str(chat_id)] = (
            400, "Bad Request: group chat was upgraded to a supergroup chat", {"migrate_to_chat_id": new_chat_id})

    def reopen_chat(self, chat_id: int | str) -> None:
        """The chat takes the bot's messages again (the user unblocked the bot)."""
        self._chat_refusals.pop(str(chat_id), None)

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates; an update_id is assigned when missing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._new_update.set()
        return update

    # ------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        call = await _read_call(request, method)
        self.calls.append(call)
        floods = self._floods.get(method.lower())
        if floods:
            retry = floods.pop(0)
            return _error(429, f"Too Many Requests: retry after {retry}", parameters={"retry_after": retry})
        left = math.ceil(self._chat_floods.get(str(call.params.get("chat_id")), 0.0) - time.monotonic())
        if left > 0 and "chat_id" in call.params:
            return _error(429, f"Too Many Requests: retry after {left}", parameters={"retry_after": left})
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            return _error(404, "Not Found")
        refusal = self._chat_refusals.get(str(call.params.get("chat_id")))
        if refusal is not None and "chat_id" in call.params:
            return _error(*refusal)
        problem = _formatting_problem(call.params)
        if problem:
            return _error(400, f"Bad Request: can't parse entities: {problem}")
        problem = _markup_problem(call.params.get("reply_markup"))
        if problem:
            return _error(400, f"Bad Request: {problem}")
        return await handler(call.params, call)

    # ------------------------------------------------------------ methods

    async def _m_getme(self, params: dict, call: Call) -> web.Response:
        return _ok(self.bot_user)

    async def _m_sendmessage(self, params: dict, call: Call) -> web.Response:
        if not str(params.get("text", "")).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(params["text"])) > 4096:
            return _error(400, "Bad Request: message is too long")
        return _ok(self._deliver(params, str(params["text"])))

    async def _m_senddocument(self, params: dict, call: Call) -> web.Response:
        message = self._deliver(params, str(params.get("caption", "")))
        ref = str(params.get("document", "")).removeprefix("attach://")
        message["document"] = {
            "file_id": f"doc-{message['message_id']}",
            "file_unique_id": f"u{message['message_id']}",
            "file_name": call.file_names.get(ref, "document"),
        }
        return _ok(message)

    async def _m_sendinvoice(self, params: dict, call: Call) -> web.Response:
        # Telegram's checks: a provider token (except for Telegram Stars), sizes, a positive total.
        prices = params.get("prices")
        if not isinstance(prices, list) or not prices or any(p.get("amount", 0) <= 0 for p in prices):
            return _error(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        total = sum(p.get("amount", 0) for p in prices)
        if total < self.invoice_minimum.get(str(params.get("currency")), 1):
            return _error(400, "Bad Request: CURRENCY_TOTAL_AMOUNT_INVALID")
        if params.get("currency") != "XTR" and not params.get("provider_token"):
            return _error(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
        if not 1 <= len(str(params.get("title", ""))) <= 32:
            return _error(400, "Bad Request: INVOICE_TITLE_INVALID")
        if not 1 <= len(str(params.get("description", ""))) <= 255:
            return _error(400, "Bad Request: INVOICE_DESCRIPTION_INVALID")
        if not 1 <= len(str(params.get("payload", "")).encode()) <= 128:
            return _error(400, "Bad Request: INVOICE_PAYLOAD_INVALID")
        message = self._deliver(params, str(params.get("title", "")))
        message["invoice"] = {
            "title": params.get("title", ""),
            "description": params.get("description", ""),
            "start_parameter": params.get("start_parameter", ""),
            "currency": params.get("currency", ""),
            "total_amount": sum(p["amount"] for p in params.get("prices", [])),
        }
        return _ok(message)

    async def _m_editmessagetext(self, params: dict, call: Call) -> web.Response:
        if len(str(params.get("text", ""))) > 4096:
            return _error(400, "Bad Request: MESSAGE_TOO_LONG")
        return self._edit(params, text=str(params.get("text", "")))

    async def _m_editmessagereplymarkup(self, params: dict, call: Call) -> web.Response:
        return self._edit(params, text=None)

    async def _m_deletemessage(self, params: dict, call: Call) -> web.Response:
        key = (str(params.get("chat_id")), int(params.get("message_id", 0)))
        if self.messages.pop(key, None) is None:
            return _error(400, "Bad Request: message to delete not found")
        return _ok(True)

    async def _m_answercallbackquery(self, params: dict, call: Call) -> web.Response:
        if len(str(params.get("text", ""))) > 200:
            return _error(400, "Bad Request: MESSAGE_TOO_LONG")
        return _ok(True)

    async def _m_answerinlinequery(self, params: dict, call: Call) -> web.Response:
        if len(params.get("results", [])) > 50:
            return _error(400, "Bad Request: too many inline query results")
        return _ok(True)

    async def _m_answerprecheckoutquery(self, params: dict, call: Call) -> web.Response:
        return _ok(True)

    async def _m_setmycommands(self, params: dict, call: Call) -> web.Response:
        return _ok(True)

    async def _m_sendchataction(self, params: dict, call: Call) -> web.Response:
        return _ok(True)

    async def _m_setwebhook(self, params: dict, call: Call) -> web.Response:
        if not str(params.get("url", "")).startswith("https://"):
            return _error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return _ok(True)

    async def _m_deletewebhook(self, params: dict, call: Call) -> web.Response:
        self.webhook = None
        return _ok(True)

    async def _m_getwebhookinfo(self, params: dict, call: Call) -> web.Response:
        url = (self.webhook or {}).get("url", "")
        return _ok({"url": url, "has_custom_certificate": False, "pending_update_count": len(self._updates)})

    async def _m_getupdates(self, params: dict, call: Call) -> web.Response:
        if self.webhook is not None:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset", 0) or 0)
        # Telegram forgets updates below the offset: they were confirmed.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout", 0) or 0), self.poll_cap_seconds)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                pass
        limit = int(params.get("limit", 100) or 100)
        return _ok(self._updates[:limit])

    # ------------------------------------------------------------ helpers

    def _deliver(self, params: dict, text: str) -> dict:
        chat_id = params.get("chat_id")
        message_id = next(self._message_ids)
        markup = params.get("reply_markup") if isinstance(params.get("reply_markup"), dict) else None
        self.messages[(str(chat_id), message_id)] = Delivered(chat_id, message_id, text, markup, [text])
        return self._message_json(chat_id, message_id, text, markup)

    def _edit(self, params: dict, text: str | None) -> web.Response:
        if params.get("inline_message_id"):
            return _ok(True)
        key = (str(params.get("chat_id")), int(params.get("message_id", 0) or 0))
        message = self.messages.get(key)
        if message is None:
            return _error(400, "Bad Request: message to edit not found")
        markup = params.get("reply_markup") if isinstance(params.get("reply_markup"), dict) else None
        new_text = message.text if text is None else text
        if new_text == message.text and markup == message.reply_markup:
            return _error(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.text, message.reply_markup = new_text, markup
        message.history.append(new_text)
        return _ok(self._message_json(message.chat_id, message.message_id, new_text, markup))

    def _message_json(self, chat_id: Any, message_id: int, text: str, markup: dict | None) -> dict:
        chat_number = int(chat_id) if str(chat_id).lstrip("-").isdigit() else -1000
        chat = (
            {"id": chat_number, "type": "private", "first_name": "Customer"}
            if chat_number > 0
            else {"id": chat_number, "type": "supergroup", "title": "Staff desk"}
        )
        body: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": text,
        }
        if markup and "inline_keyboard" in markup:
            body["reply_markup"] = markup
        return body


# Telegram's HTML: these tags only; every other "<", ">" and "&" must be an entity.
_HTML_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z-]*)((?:\s+[a-z-]+(?:=\"[^\"<>]*\"|='[^'<>]*')?)*)\s*>")
_ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#\d{1,7}|#x[0-9a-fA-F]{1,6});")


def html_problem(text: str) -> str:
    """Why Telegram would refuse `text` with parse_mode HTML, or "" when it parses."""
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            tag = _TAG.match(text, position)
            if tag is None:
                return f"Unexpected '<' at byte offset {position}"
            closing, name = tag.group(1), tag.group(2).lower()
            if name not in _HTML_TAGS:
                return f'Unsupported start tag "{name}" at byte offset {position}'
            if closing:
                if not open_tags or open_tags.pop() != name:
                    return f'Unmatched end tag at byte offset {position}, expected "</{name}>"'
            else:
                open_tags.append(name)
            position = tag.end()
        elif char == "&":
            entity = _ENTITY.match(text, position)
            if entity is None:
                return f"Unsupported HTML entity at byte offset {position}"
            position = entity.end()
        elif char == ">":
            return f"Unexpected '>' at byte offset {position}"
        else:
            position += 1
    return f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"' if open_tags else ""


def _formatting_problem(params: dict) -> str:
    texts = []
    if params.get("parse_mode") == "HTML":
        texts += [params.get(key) for key in ("text", "caption") if key in params]
    for result in params.get("results", []) if isinstance(params.get("results"), list) else []:
        content = result.get("input_message_content") or {}
        if content.get("parse_mode") == "HTML":
            texts.append(content.get("message_text"))
    return next((problem for problem in map(html_problem, map(str, texts)) if problem), "")


def _button_url_ok(url: str) -> bool:
    # Telegram takes http(s) links to a public host name, and tg:// links; not localhost or an IP.
    if url.startswith("tg://"):
        return True
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or "." not in host:
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return True
    return False


def _markup_problem(markup: Any) -> str:
    """Telegram's checks on inline buttons: a text, 1-64 bytes of callback data, a usable URL."""
    if not isinstance(markup, dict):
        return ""
    if sum(len(row) for row in markup.get("inline_keyboard", [])) > 100:
        return "BUTTONS_TOO_MUCH"
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not str(button.get("text", "")).strip():
                return "BUTTON_TEXT_INVALID"
            if "callback_data" in button and not 1 <= len(str(button["callback_data"]).encode()) <= 64:
                return "BUTTON_DATA_INVALID"
            if "url" in button and not _button_url_ok(str(button["url"])):
                return "BUTTON_URL_INVALID"
    for row in markup.get("keyboard", []):
        if any(not str(button.get("text", "")).strip() for button in row):
            return "BUTTON_TEXT_INVALID"
    return ""


async def _read_call(request: web.Request, method: str) -> Call:
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    if request.content_type == "application/json":
        params = await request.json() if request.can_read_body else {}
        return Call(method, params)
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value.file.read()
            names[key] = value.filename
        else:
            params[key] = _decode(key, str(value))
    return Call(method, params, files, names)


def _decode(key: str, value: str) -> Any:
    if key in _TEXT_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


# ------------------------------------------------------------ building updates (what Telegram would send)

_USER_DEFAULTS = {"is_bot": False, "first_name": "Olena", "language_code": "en"}


def user(user_id: int, language_code: str = "en", first_name: str = "Olena", **extra: Any) -> dict:
    return {
        **_USER_DEFAULTS,
        "id": user_id,
        "language_code": language_code,
        "first_name": first_name,
        **extra,
    }


def private_message(from_user: dict, text: str | None = None, *, message_id: int = 1, **extra: Any) -> dict:
    """A `message` update body (without update_id) in the private chat with `from_user`."""
    message: dict[str, Any] = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": from_user["id"], "type": "private", "first_name": from_user["first_name"]},
        "from": from_user,
        **extra,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def group_message(chat_id: int, from_user: dict, text: str, *, message_id: int = 1, **extra: Any) -> dict:
    message = {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": "supergroup", "title": "Staff desk"},
        "from": from_user,
        "text": text,
        **extra,
    }
    return {"message": message}


def callback(
    from_user: dict, data: str, message: Delivered | dict | None = None, *, query_id: str = "cb1"
) -> dict:
    """A `callback_query` update pressing a button with `data` under a delivered message."""
    body: dict[str, Any] = {"id": query_id, "from": from_user, "chat_instance": "ci", "data": data}
    if isinstance(message, Delivered):
        chat_number = int(message.chat_id)
        chat = (
            {"id": chat_number, "type": "private", "first_name": "Customer"}
            if chat_number > 0
            else {"id": chat_number, "type": "supergroup", "title": "Staff desk"}
        )
        body["message"] = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": message.text,
        }
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            body["message"]["reply_markup"] = message.reply_markup
    elif message is not None:
        body["message"] = message
    return {"callback_query": body}


def inline_query(from_user: dict, query: str, *, query_id: str = "iq1", offset: str = "") -> dict:
    return {"inline_query": {"id": query_id, "from": from_user, "query": query, "offset": offset}}


def pre_checkout_query(
    from_user: dict, payload: str, total_amount: int, currency: str, *, query_id: str = "pcq1"
) -> dict:
    """What Telegram sends when the customer presses Pay in the invoice's payment form."""
    return {
        "pre_checkout_query": {
            "id": query_id,
            "from": from_user,
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        }
    }


def successful_payment(
    from_user: dict, payload: str, total_amount: int, currency: str, charge_id: str, *, message_id: int = 1
) -> dict:
    """The service message Telegram sends to the bot once the money is taken."""
    paid = {
        "currency": currency,
        "total_amount": total_amount,
        "invoice_payload": payload,
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": "provider-" + charge_id,
    }
    return private_message(from_user, message_id=message_id, successful_payment=paid)
