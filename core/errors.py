"""Typed errors that every door (web, API, bot, CLI) turns into a message a person can read.

`message` is an English sentence used as the gettext msgid; `params` fill its `{placeholders}`
after translation; `fields` maps form field names to such sentences. Raising one of these
means nothing was changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class ShopError(Exception):
    code = "error"
    status = 400  # the HTTP status a web door answers with

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, code: str | None = None, **params: Any):
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params
        self.fields = dict(fields or {})
        if code:
            self.code = code

    def localized(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.message)
        return text.format(**self.params) if self.params else text

    def localized_fields(self, gettext: Callable[[str], str]) -> dict[str, str]:
        return {name: gettext(text).format(**self.params) if self.params else gettext(text) for name, text in self.fields.items()}


class ValidationError(ShopError):
    code = "invalid"
    status = 422


class NotFound(ShopError):
    code = "not_found"
    status = 404


class Conflict(ShopError):
    code = "conflict"
    status = 409


class PermissionDenied(ShopError):
    code = "forbidden"
    status = 403


class Throttled(ShopError):
    code = "throttled"
    status = 429

    def __init__(self, message: str = "Too many attempts. Please try again later.", *, retry_after: int = 60, **kw: Any):
        super().__init__(message, **kw)
        self.retry_after = retry_after
