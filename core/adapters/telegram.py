"""Messages through the Telegram Bot API (sendMessage), to customers who linked Telegram.

The Bot API answers JSON {ok, result | error_code, description, parameters}. 429 carries
`parameters.retry_after`: a transient failure retried after exactly that delay; 5xx and network
trouble are transient; other errors (blocked by the user, chat not found, bad token) permanent.
"""

from __future__ import annotations

from typing import Any

from core.adapters.http import HttpClient
from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, PermanentError, SendResult, TransientError

TEXT_LIMIT = 4096


class BotApi:
    def __init__(self, token: str, api_server: str, *, timeout_seconds: float = 20.0):
        self._url = f"{api_server.rstrip('/')}/bot{token}/sendMessage"
        self.http = HttpClient(timeout_seconds, secrets=(token,))

    async def send_message(self, chat_id: int | str, text: str, reply_markup: dict | None = None) -> dict[str, Any]:
        if len(text) > TEXT_LIMIT:
            text = text[: TEXT_LIMIT - 1] + "…"
        body: dict[str, Any] = {"chat_id": chat_id, "text": text, "link_preview_options": {"is_disabled": True}}
        if reply_markup:
            body["reply_markup"] = reply_markup
        reply = await self.http.request("POST", self._url, json=body)
        data = reply.body if isinstance(reply.body, dict) else {}
        if reply.status == 200 and data.get("ok"):
            return data.get("result") or {}
        description = self.http.scrub(str(data.get("description") or reply.text[:200]))
        if reply.status == 429:
            retry_after = (data.get("parameters") or {}).get("retry_after")
            raise TransientError(f"Telegram {reply.status}: {description}",
                                 retry_after=float(retry_after) if retry_after is not None else None)
        if reply.status >= 500:
            raise TransientError(f"Telegram {reply.status}: {description}")
        raise PermanentError(f"Telegram {reply.status}: {description}")

    async def close(self) -> None:
        await self.http.close()


class TelegramAdapter:
    channel = "telegram"
    processor = "Telegram"
    purpose = "Sends order and account messages to customers who linked Telegram."
    external = True
    contact_field = "telegram_user_id"

    def __init__(self, token: str, api_server: str):
        self.fields = check_declaration({"telegram_user_id"})
        self.api = BotApi(token, api_server)

    async def send(self, message: Outgoing) -> SendResult:
        sent = await self.api.send_message(message.personal["telegram_user_id"], message.text)
        return SendResult(provider_id=str(sent.get("message_id", "")))

    async def close(self) -> None:
        await self.api.close()
