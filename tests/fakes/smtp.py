"""A real SMTP server for tests (aiosmtpd) that keeps what it receives.

    with SmtpServer() as smtp:          # 127.0.0.1 on a free port (port 0 does not work)
        ... send to smtp.port ...
        mail = smtp.messages[0].message  # email.message.EmailMessage

It can require a login, offer STARTTLS or speak TLS from the first byte, refuse recipients or
data with a given reply (`smtp.refuse_recipients("550 5.1.1 no such user")`), and be stopped
and started again on the same port (the "SMTP down, then up" fault).
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.server._rcpt_replies:
            return self.server._rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.server._data_replies:
            return self.server._data_replies.pop(0)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.server.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message))
        return "250 Message accepted for delivery"


class _SMTP(SMTP):
    def connection_made(self, transport):
        super().connection_made(transport)
        if transport.get_extra_info("sslcontext") is not None:
            # aiosmtpd counts only STARTTLS as encryption for AUTH; a TLS-from-the-start
            # connection is encrypted too.
            self._tls_protocol = True


class _Controller(Controller):
    def factory(self):
        return _SMTP(self.handler, **self.SMTP_kwargs)


class SmtpServer:
    def __init__(self, *, login: tuple[str, str] | None = None, starttls: ssl.SSLContext | None = None,
                 implicit_tls: ssl.SSLContext | None = None, port: int | None = None):
        self.port = port or free_port()
        self.messages: list[Received] = []
        self._login = login
        self._starttls = starttls
        self._implicit = implicit_tls
        self._rcpt_replies: list[str] = []
        self._data_replies: list[str] = []
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self._login == (
            auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535 itself

    def start(self) -> SmtpServer:
        options = {}
        if self._login:
            options.update(authenticator=self._authenticate, auth_required=True,
                           auth_require_tls=bool(self._starttls or self._implicit))
        if self._starttls:
            options.update(tls_context=self._starttls, require_starttls=True)
        if self._implicit:
            options.update(ssl_context=self._implicit)
        self._controller = _Controller(_Handler(self), hostname="127.0.0.1", port=self.port, **options)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse_recipients(self, reply: str, times: int = 1) -> None:
        self._rcpt_replies.extend([reply] * times)

    def refuse_data(self, reply: str, times: int = 1) -> None:
        self._data_replies.extend([reply] * times)

    def __enter__(self) -> SmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def self_signed_certificate(directory: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """(server context, client context trusting it) for 127.0.0.1, made with the openssl tool."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-keyout", str(key),
         "-out", str(cert), "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client
