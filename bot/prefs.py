"""What the bot remembers about a Telegram user outside any conversation.

Kept in the FSM storage under its own destiny, so `/cancel` (which clears the conversation)
leaves it alone: the chosen language, the chosen vehicle, the last search and the opaque token of
an anonymous cart (P1: no personal data before checkout).
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.storage.base import BaseStorage, StorageKey

DESTINY = "prefs"


class Prefs:
    def __init__(self, storage: BaseStorage, bot_id: int, user_id: int) -> None:
        self._storage = storage
        self._key = StorageKey(bot_id=bot_id, chat_id=user_id, user_id=user_id, destiny=DESTINY)
        self._cache: dict[str, Any] | None = None

    async def get(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = dict(await self._storage.get_data(self._key))
        return self._cache

    async def value(self, name: str, default: Any = None) -> Any:
        return (await self.get()).get(name, default)

    async def update(self, **values: Any) -> None:
        """Set values; a value of None removes the key."""
        data = dict(await self.get())
        for name, value in values.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        await self._storage.set_data(self._key, data)
        self._cache = data

    async def clear(self) -> None:
        await self._storage.set_data(self._key, {})
        self._cache = {}
