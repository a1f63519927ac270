"""New orders and dead letters by email to the staff list (settings.notifications.staff.emails)."""

from __future__ import annotations

import ssl

from core.adapters.email import SmtpTransport, build_email
from core.config import EmailSettings
from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, PermanentError, SendResult


class StaffEmailAdapter:
    channel = "staff_email"
    purpose = "Emails staff about new orders (customer name, phone and delivery branch)."
    external = True
    contact_field = None

    def __init__(self, settings: EmailSettings, staff_emails: tuple[str, ...], *,
                 tls_context: ssl.SSLContext | None = None):
        # Staff need to know who ordered and where it goes; never the customer's email.
        self.fields = check_declaration({"name", "phone", "city", "branch"})
        self.transport = SmtpTransport(settings, tls_context=tls_context)
        self.processor = self.transport.name
        self.staff_emails = staff_emails

    async def send(self, message: Outgoing) -> SendResult:
        if not self.staff_emails:
            raise PermanentError("no staff email addresses are configured (notifications.staff.emails)")
        s = self.transport.settings
        email = build_email(
            sender=s.sender,
            reply_to=s.reply_to,
            to=[("", address) for address in self.staff_emails],
            subject=message.subject,
            text=message.text,
            html=message.html,
            language=message.locale,
        )
        await self.transport.deliver(email, self.staff_emails)
        return SendResult(provider_id=str(email["Message-ID"]))

    async def close(self) -> None:
        return None
