"""A per-process count of changes to customers, for whoever remembers something about them.

The bot remembers which Telegram users have no customer (`bot.strangers`), so that a stranger's
updates do not each ask the database, and forgets all of it whenever this count moves. Saves and
deletes through the ORM count themselves (tortoise signals, as `Customer.create` in a purchase
in the chat); a service that changes customers with a bulk UPDATE calls `customers_changed()`
after it (`core.customers.telegram_link`).
"""

from __future__ import annotations

from tortoise.signals import Signals

from core.customers.models import Customer

_changes = 0


def customers_changed() -> None:
    global _changes
    _changes += 1


def customer_changes() -> int:
    """Grows with every change to a customer made in this process."""
    return _changes


async def _counted(*_args, **_kwargs) -> None:
    customers_changed()


Customer.register_listener(Signals.post_save, _counted)
Customer.register_listener(Signals.post_delete, _counted)
