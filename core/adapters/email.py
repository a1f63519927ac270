"""Email through an SMTP server (aiosmtplib): plain connection, STARTTLS or implicit TLS, login.

Messages are built with `email.message.EmailMessage` (text part + HTML alternative) and every
header value is checked for CR/LF first, so no data can add a header (a recipient's display name
is flattened to one line instead, so an odd name does not cost the customer the email). The
envelope recipients are the addresses themselves, never re-read from the headers. SMTP failures map to the
worker's outcomes: no connection, timeouts and 4xx replies are transient; 5xx replies permanent.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from core.config import EmailSettings
from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, PermanentError, SendResult, TransientError, processor_name


def _clean(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise PermanentError(f"the {name} header would contain a line break; refused")
    return value


def _display_name(name: str) -> str:
    # A person's name is shown, never parsed: line breaks and other control characters become
    # spaces, so a name like "Olena\r\nBcc: x@example.com" stays one quoted display name.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in name).split())


def build_email(
    *, sender: str, to: Sequence[tuple[str, str]], subject: str, text: str, html: str = "", reply_to: str = "",
    language: str = "",
) -> EmailMessage:
    """A multipart/alternative message; raises PermanentError for any header value with CR/LF."""
    message = EmailMessage()
    message["From"] = _clean("From", sender)
    recipients = []
    for name, address in to:
        name = _display_name(name)
        _clean("To", address)
        local, _, domain = address.rpartition("@")
        if not local or not domain:
            raise PermanentError("the recipient address is not an email address")
        recipients.append(Address(display_name=name, username=local, domain=domain))
    message["To"] = recipients
    if reply_to:
        message["Reply-To"] = _clean("Reply-To", reply_to)
    message["Subject"] = _clean("Subject", subject)
    message["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    sender_domain = parseaddr(sender)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=sender_domain)
    # Tells auto-responders not to answer (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    if language:  # after the body: set_content() drops Content-* headers
        message["Content-Language"] = _clean("Content-Language", language)
    return message


class SmtpTransport:
    """One SMTP server as configured in [notifications.email]."""

    def __init__(self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None):
        self.settings = settings
        # None: the system's trusted certificates (tests pass a context that trusts their own).
        self._tls_context = tls_context

    @property
    def name(self) -> str:
        return processor_name(f"SMTP server {self.settings.host}")

    async def deliver(self, message: EmailMessage, recipients: Sequence[str]) -> None:
        s = self.settings
        try:
            await aiosmtplib.send(
                message,
                recipients=list(recipients),
                hostname=s.host,
                port=s.port,
                username=s.username or None,
                password=s.password or None,
                use_tls=s.tls == "implicit",
                start_tls=s.tls == "starttls",
                timeout=s.timeout_seconds,
                tls_context=self._tls_context,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [refused.code for refused in exc.recipients]
            raise _by_code(min(codes), "recipient refused: " + "; ".join(r.message for r in exc.recipients)) from exc
        except aiosmtplib.SMTPResponseException as exc:
            raise _by_code(exc.code, exc.message) from exc
        except (ssl.SSLCertVerificationError, aiosmtplib.SMTPConnectError) as exc:
            if isinstance(exc, ssl.SSLCertVerificationError) or isinstance(exc.__cause__, ssl.SSLCertVerificationError):
                # A configuration problem (or an impostor): retrying will not help.
                raise PermanentError(f"the certificate of {s.host} is not trusted", reached=False) from exc
            raise TransientError(f"cannot connect to {s.host}:{s.port}: {exc}", reached=False) from exc
        except (aiosmtplib.SMTPTimeoutError, aiosmtplib.SMTPServerDisconnected) as exc:
            raise TransientError(f"SMTP connection to {s.host}:{s.port} failed: {exc}") from exc
        except aiosmtplib.SMTPException as exc:  # e.g. STARTTLS not supported: configuration
            raise PermanentError(f"SMTP: {exc}") from exc
        except OSError as exc:
            raise TransientError(f"cannot reach {s.host}:{s.port}: {exc}", reached=False) from exc


def _by_code(code: int, text: str) -> PermanentError | TransientError:
    if 400 <= code < 500:
        return TransientError(f"SMTP {code}: {text}")
    return PermanentError(f"SMTP {code}: {text}")


class EmailAdapter:
    channel = "email"
    purpose = "Sends order and account emails to customers."
    external = True
    contact_field = "email"

    def __init__(self, settings: EmailSettings, *, tls_context: ssl.SSLContext | None = None):
        self.fields = check_declaration({"email", "name"})
        self.transport = SmtpTransport(settings, tls_context=tls_context)
        self.processor = self.transport.name

    async def send(self, message: Outgoing) -> SendResult:
        s = self.transport.settings
        email = build_email(
            sender=s.sender,
            reply_to=s.reply_to,
            to=[(message.personal.get("name", ""), message.personal["email"])],
            subject=message.subject,
            text=message.text,
            html=message.html,
            language=message.locale,
        )
        await self.transport.deliver(email, [message.personal["email"]])
        return SendResult(provider_id=str(email["Message-ID"]))

    async def close(self) -> None:
        return None
