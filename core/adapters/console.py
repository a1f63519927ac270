"""Console adapters: print what would be sent, so `make run` works with nothing configured.

They declare the same personal fields as the real adapter of their channel, so what they print
is what a provider would get. They are not processors: nothing leaves the server, so no
Disclosure is recorded for them and the privacy page does not list them.
"""

from __future__ import annotations

import sys
from typing import TextIO

from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, SendResult

# Per channel: the personal fields the real adapter of that channel declares, and the contact field.
CHANNEL_FIELDS: dict[str, tuple[frozenset[str], str | None]] = {
    "email": (frozenset({"email", "name"}), "email"),
    "sms": (frozenset({"phone"}), "phone"),
    "telegram": (frozenset({"telegram_user_id"}), "telegram_user_id"),
    "staff_telegram": (frozenset({"name", "phone", "city", "branch"}), None),
    "staff_email": (frozenset({"name", "phone", "city", "branch"}), None),
    "delivery": (frozenset({"name", "phone", "city", "branch"}), None),
}


class ConsoleAdapter:
    processor = "console"
    purpose = "Prints messages on the server console (development)."
    external = False

    def __init__(self, channel: str, stream: TextIO | None = None):
        fields, contact = CHANNEL_FIELDS[channel]
        self.channel = channel
        self.fields = check_declaration(fields)
        self.contact_field = contact
        self._stream = stream

    async def send(self, message: Outgoing) -> SendResult:
        stream = self._stream or sys.stdout
        to = ", ".join(f"{key}={value}" for key, value in sorted(message.personal.items()))
        lines = [f"--- {self.channel}: {message.kind} ({message.purpose}) #{message.message_id} to [{to}]"]
        if message.subject:
            lines.append(f"Subject: {message.subject}")
        if message.text:
            lines.append(message.text)
        if self.channel == "delivery" and message.order is not None:
            lines.append(f"Shipment for order {message.order.number} ({message.order.delivery_method})")
        print("\n".join(lines), file=stream, flush=True)
        return SendResult()

    async def close(self) -> None:
        return None
