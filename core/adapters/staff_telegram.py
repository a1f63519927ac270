"""New orders and dead letters to the staff Telegram group (settings.bot.staff_chat_id).

The bot area adds buttons (confirm, ship, cancel) through `reply_markup_builder(message)`, which
returns a Bot API reply_markup for an outgoing message: a dict, an object with `model_dump()`
(an aiogram InlineKeyboardMarkup), or None.

When the staff group is upgraded to a supergroup, Telegram refuses messages to the old id and
names the new one (`migrate_to_chat_id`). The message is sent again at once to the new id, which
this adapter keeps for the rest of the process's life, and one warning line asks the operator to
put the new id into `bot.staff_chat_id` (config.toml is not written at run time). Until then each
process learns the new id again on its first staff message, so nothing is lost after a restart;
the bot's order desk, which checks the configured id, refuses its buttons in the new group.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from core.adapters.telegram import BotApi, ChatMigrated
from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, SendResult

ReplyMarkupBuilder = Callable[[Outgoing], Any]

log = logging.getLogger("gearshop.notifications")


class StaffTelegramAdapter:
    channel = "staff_telegram"
    processor = "Telegram"
    purpose = "Posts new orders to the staff Telegram group (customer name, phone and delivery branch)."
    external = True
    contact_field = None

    def __init__(self, token: str, api_server: str, chat_id: int, *,
                 reply_markup_builder: ReplyMarkupBuilder | None = None):
        self.fields = check_declaration({"name", "phone", "city", "branch"})
        self.api = BotApi(token, api_server)
        self.chat_id = chat_id
        self.reply_markup_builder = reply_markup_builder

    async def send(self, message: Outgoing) -> SendResult:
        markup = _as_dict(self.reply_markup_builder(message) if self.reply_markup_builder else None)
        try:
            sent = await self.api.send_message(self.chat_id, message.text, markup)
        except ChatMigrated as moved:
            log.warning("the staff Telegram group %s is now the supergroup %s: staff messages go there until "
                        "this process stops; set bot.staff_chat_id = %s in the config file and restart "
                        "(until then the order desk's buttons in the new group are refused)",
                        self.chat_id, moved.new_chat_id, moved.new_chat_id)
            self.chat_id = moved.new_chat_id
            sent = await self.api.send_message(self.chat_id, message.text, markup)
        return SendResult(provider_id=str(sent.get("message_id", "")))

    async def close(self) -> None:
        await self.api.close()


def _as_dict(markup: Any) -> dict | None:
    if markup is None or isinstance(markup, dict):
        return markup
    if hasattr(markup, "model_dump"):  # a pydantic model (aiogram types), without importing aiogram here
        return markup.model_dump(mode="json", exclude_none=True)
    raise TypeError(f"reply_markup_builder returned {type(markup).__name__}, not a dict")
