"""Messages through the Telegram Bot API (sendMessage), to customers who linked Telegram.

The Bot API answers JSON {ok, result | error_code, description, parameters}:
- 429 carries `parameters.retry_after`: a transient failure, retried after exactly that delay;
- 5xx and network trouble are transient;
- 403 (`Forbidden: bot was blocked by the user`, `Forbidden: user is deactivated`, ...) and
  400 `Bad Request: chat not found`: the chat cannot be reached (`RecipientUnreachable`);
- 400 with `parameters.migrate_to_chat_id` (a group upgraded to a supergroup): `ChatMigrated`,
  which says the chat's new id;
- other errors (a bad token, a malformed request) are permanent.
"""

from __future__ import annotations

from typing import Any

from core.adapters.http import HttpClient
from core.notifications.personal import check_declaration
from core.notifications.ports import (
    DeliveryError,
    Outgoing,
    PermanentError,
    RecipientUnreachable,
    SendResult,
    TransientError,
)

TEXT_LIMIT = 4096
# 400 descriptions that mean the chat is gone or was never opened, like a 403.
_UNREACHABLE_400 = ("chat not found", "PEER_ID_INVALID")


class ChatMigrated(PermanentError):
    """The group was upgraded to a supergroup: the same chat now has the id `new_chat_id`."""

    def __init__(self, message: str, new_chat_id: int):
        super().__init__(message)
        self.new_chat_id = new_chat_id


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
        raise _refusal(reply.status, self.http.scrub(str(data.get("description") or reply.text[:200])),
                       data.get("parameters") if isinstance(data.get("parameters"), dict) else {})

    async def close(self) -> None:
        await self.http.close()


def _refusal(status: int, description: str, parameters: dict[str, Any]) -> DeliveryError:
    """The error for a Bot API answer that is not ok (see the module docstring)."""
    text = f"Telegram {status}: {description}"
    if status == 429:
        retry_after = parameters.get("retry_after")
        return TransientError(text, retry_after=float(retry_after) if retry_after is not None else None)
    if status >= 500:
        return TransientError(text)
    if parameters.get("migrate_to_chat_id") is not None:
        return ChatMigrated(text, int(parameters["migrate_to_chat_id"]))
    if status == 403 or (status == 400 and any(d.lower() in description.lower() for d in _UNREACHABLE_400)):
        return RecipientUnreachable(text)
    return PermanentError(text)


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
