"""Message filters checked in the event loop.

aiogram runs a bare magic filter (`F.text`) as a sync callable in a worker thread, one thread hop
per check; wrapped in a `Filter` it is resolved in place. The bot checks these on every update.
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import TelegramObject
from magic_filter import MagicFilter


class Magic(Filter):
    def __init__(self, rule: MagicFilter) -> None:
        self.rule = rule

    async def __call__(self, event: TelegramObject) -> Any:
        return self.rule.resolve(event)


PRIVATE = Magic(F.chat.type == "private")
# A button under a message in the private chat (not in a group, not under an inline message).
PRIVATE_BUTTON = Magic(F.message.chat.type == "private")
NOT_PRIVATE = Magic(F.chat.type != "private")
IN_GROUP = Magic(F.chat.type.in_({"group", "supergroup"}))
HAS_TEXT = Magic(F.text)
HAS_CONTACT = Magic(F.contact)
HAS_PAYMENT = Magic(F.successful_payment)
COMMAND_LIKE = Magic(F.text.startswith("/"))
NOT_COMMAND = Magic(~F.text.startswith("/"))
PLAIN_TEXT = Magic(F.text & ~F.text.startswith("/"))
