"""Which adapter serves each channel, chosen in config.toml; and the processors they make (P8).

Console adapters are the default for every channel, so the shop runs with nothing configured;
each real adapter is switched on by its own setting, and any number can be on at once. The
privacy page lists `processors(settings)`: exactly the external adapters configured here, with
the personal fields each may receive. There is no other way for data to leave.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.adapters.console import ConsoleAdapter
from core.adapters.delivery import NovaPoshtaAdapter
from core.adapters.email import EmailAdapter
from core.adapters.sms import TwilioSmsAdapter
from core.adapters.staff_email import StaffEmailAdapter
from core.adapters.staff_telegram import StaffTelegramAdapter
from core.adapters.telegram import TelegramAdapter
from core.config import Settings
from core.notifications.messages import ALL_CHANNELS
from core.notifications.personal import FIELD_LABELS
from core.notifications.ports import Adapter, Outgoing
from core.notifications.staff_buttons import staff_reply_markup


def build_adapters(
    settings: Settings, bot: Any = None, *, reply_markup_builder: Callable[[Outgoing], dict | None] | None = None,
) -> dict[str, Adapter]:
    """One adapter per channel. New orders posted to the staff group carry the order desk's
    buttons (core/notifications/staff_buttons.py) in every process; `reply_markup_builder`, or a
    `staff_reply_markup(message)` method of the `bot` hook object, replaces them."""
    n = settings.notifications
    builder = reply_markup_builder or getattr(bot, "staff_reply_markup", None) or staff_reply_markup
    adapters: dict[str, Adapter] = {channel: ConsoleAdapter(channel) for channel in ALL_CHANNELS}
    if n.email.adapter == "smtp":
        adapters["email"] = EmailAdapter(n.email)
        if n.staff.emails:
            adapters["staff_email"] = StaffEmailAdapter(n.email, n.staff.emails)
    if n.sms.adapter == "twilio":
        adapters["sms"] = TwilioSmsAdapter(n.sms)
    if n.delivery.adapter == "novaposhta":
        adapters["delivery"] = NovaPoshtaAdapter(n.delivery)
    if settings.bot.token:
        adapters["telegram"] = TelegramAdapter(settings.bot.token, settings.bot.api_server)
    if n.staff.telegram:
        adapters["staff_telegram"] = StaffTelegramAdapter(
            settings.bot.token, settings.bot.api_server, settings.bot.staff_chat_id, reply_markup_builder=builder,
        )
    return adapters


async def close_adapters(adapters: Mapping[str, Adapter]) -> None:
    for adapter in adapters.values():
        await adapter.close()


def processors(settings: Settings) -> list[dict[str, Any]]:
    """The external processors this configuration uses: name, purpose and field labels (gettext
    msgids), the field keys, and the channel. Console adapters are not processors."""
    listed = []
    for channel, adapter in build_adapters(settings).items():
        if adapter.external:
            fields = sorted(adapter.fields)
            listed.append({"name": adapter.processor, "purpose": adapter.purpose, "fields": fields,
                           "field_labels": [FIELD_LABELS[f] for f in fields], "channel": channel})
    return listed
