"""The customer of each update, remembering which Telegram users have none.

Most updates come from people who have bought nothing and linked nothing (browsing the catalogue),
and for them the customer lookup of every update (`bot.middlewares.LoadCustomer`) finds nothing.
Remembering that is safe because only the bot makes a Telegram user someone's customer: a
purchase in the chat creates the customer, and a deep link (/start <token>) links a web account.
Both count as changes to customers (`core.customers.changes`), and every stranger remembered
is forgotten then, so the very next update asks the database again. After `seconds` a stranger
is forgotten anyway.

A customer found is never remembered: the web shop and the notifications worker change customers
from other processes (a profile, an erasure, a blocked bot marked unreachable), and the next
update must see that. With Redis (any storage but memory) nothing is remembered at all
(`build_dispatcher`): several bot processes may share the chat, and another one may have just
linked the user.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.customers.changes import customer_changes
from core.customers.models import Customer, CustomerStatus

STRANGER_SECONDS = 60.0
MAX_STRANGERS = 50_000


async def find_customer(telegram_user_id: int) -> Customer | None:
    """The active customer linked to the Telegram user, from the database."""
    return await Customer.get_or_none(telegram_user_id=telegram_user_id, status=CustomerStatus.ACTIVE)


class Strangers:
    """Telegram users with no customer, each with the change count it was seen at and an expiry."""

    def __init__(
        self,
        seconds: float = STRANGER_SECONDS,
        max_users: int = MAX_STRANGERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self.max_users = max_users
        self._clock = clock
        self._seen: dict[int, tuple[int, float]] = {}

    async def customer_of(self, telegram_user_id: int) -> Customer | None:
        if self._known(telegram_user_id):
            return None
        changes = customer_changes()
        customer = await find_customer(telegram_user_id)
        if customer is None and changes == customer_changes():  # nothing changed while it looked
            self._remember(telegram_user_id, changes)
        return customer

    def _known(self, telegram_user_id: int) -> bool:
        seen = self._seen.get(telegram_user_id)
        if seen is None:
            return False
        changes, until = seen
        if changes == customer_changes() and self._clock() < until:
            return True
        del self._seen[telegram_user_id]
        return False

    def _remember(self, telegram_user_id: int, changes: int) -> None:
        now = self._clock()
        if len(self._seen) >= self.max_users:
            current = customer_changes()
            self._seen = {u: s for u, s in self._seen.items() if s[0] == current and s[1] > now}
            if len(self._seen) >= self.max_users:
                self._seen.clear()
        self._seen[telegram_user_id] = (changes, now + self.seconds)
