"""SMS through a Twilio-compatible REST API.

POST {api_base}/2010-04-01/Accounts/{sid}/Messages.json with form fields To, From, Body and HTTP
basic auth (account sid, auth token). A sender that is a Messaging Service SID (MG + 32 hex
digits) goes as MessagingServiceSid instead of From, and the service picks the number. Errors
come back as JSON {code, message, status}: 429, 5xx and the provider's "try later" codes are
transient; the rest (21211 invalid number, 21610 unsubscribed recipient, 20003 bad credentials,
...) permanent.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import quote, urlsplit

from core.adapters.http import HttpClient
from core.config import SmsSettings
from core.notifications.personal import check_declaration
from core.notifications.ports import Outgoing, PermanentError, SendResult, TransientError, processor_name

BODY_LIMIT = 1600
# 20429 too many requests, 20500 internal error, 20503 unavailable, 30001 queue overflow,
# 14107 send rate limit exceeded.
TRANSIENT_CODES = frozenset({20429, 20500, 20503, 30001, 14107})


class TwilioSmsAdapter:
    channel = "sms"
    purpose = "Sends order text messages to customers."
    external = True
    contact_field = "phone"

    def __init__(self, settings: SmsSettings):
        self.fields = check_declaration({"phone"})
        self.settings = settings
        self.processor = processor_name(f"SMS gateway {urlsplit(settings.api_base).hostname or settings.api_base}")
        self.http = HttpClient(secrets=(settings.auth_token,))
        credentials = f"{settings.account_sid}:{settings.auth_token}".encode()
        self._authorization = "Basic " + base64.b64encode(credentials).decode("ascii")
        base = settings.api_base.rstrip("/")
        self._url = f"{base}/2010-04-01/Accounts/{quote(settings.account_sid, safe='')}/Messages.json"

    async def send(self, message: Outgoing) -> SendResult:
        s = self.settings
        form = {"To": message.personal["phone"], _sender_field(s.sender): s.sender,
                "Body": message.text[:BODY_LIMIT]}
        reply = await self.http.request("POST", self._url, data=form, headers={"Authorization": self._authorization})
        body = reply.body if isinstance(reply.body, dict) else {}
        if reply.status in (200, 201):
            return SendResult(provider_id=str(body.get("sid", "")))
        code = body.get("code")
        text = f"SMS gateway {reply.status}" + (f" (code {code})" if code else "") + f": {body.get('message') or reply.text[:200]}"
        if reply.status == 429 or reply.status >= 500 or code in TRANSIENT_CODES:
            retry_after = reply.headers.get("Retry-After", "")
            raise TransientError(text, retry_after=float(retry_after) if retry_after.isdigit() else None)
        raise PermanentError(text)

    async def close(self) -> None:
        await self.http.close()


def _sender_field(sender: str) -> str:
    if re.fullmatch(r"MG[0-9a-fA-F]{32}", sender):
        return "MessagingServiceSid"
    return "From"
