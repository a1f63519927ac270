"""A small form helper: read a posted form, keep what was typed, put an error by each field.

    form = await Form.read(request)
    quantity = form.integer("quantity", minimum=1)
    try:
        ... call a core service ...
    except ValidationError as exc:
        form.fail(exc, request[keys.GETTEXT])
    if form.errors:
        return render(request, "page.html", {"form": form}, status=422)

In templates: `{% import "macros.html" as m %}` then `{{ m.field(form, "email", _("Email"), type="email") }}`.
Password fields are never sent back to the browser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from core.errors import ShopError
from web import keys
from web.security import read_post

SECRET_MARKERS = ("password", "csrf_token")
MAX_FIELD_LENGTH = 4000
# Control characters (NUL breaks PostgreSQL text) go; tab and line breaks stay.
_CONTROL = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_CONTROL[127] = None


def clean_text(value: str, limit: int = MAX_FIELD_LENGTH) -> str:
    """Typed text as the shop keeps it: no control characters, trimmed, bounded."""
    return value.translate(_CONTROL).strip()[:limit]


@dataclass
class Form:
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # A message for the whole form (shown above it).
    message: str = ""
    _raw: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    async def read(cls, request: web.Request) -> Form:
        data = await read_post(request) if request.method in ("POST", "PUT", "PATCH") else request.query
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping) -> Form:
        raw = {}
        for name in data:
            value = data.get(name)
            if isinstance(value, str) and name not in raw:
                raw[name] = clean_text(value)
        kept = {k: v for k, v in raw.items() if not any(m in k for m in SECRET_MARKERS)}
        return cls(values=kept, _raw=raw)

    def get(self, name: str, default: str = "") -> str:
        """The submitted text (passwords included: they are only kept out of re-rendering)."""
        return self._raw.get(name, default)

    def checked(self, name: str) -> bool:
        return self._raw.get(name, "") in ("1", "on", "true", "yes")

    def error(self, name: str) -> str:
        return self.errors.get(name, "")

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def integer(self, name: str, *, minimum: int | None = None, maximum: int | None = None,
                default: int | None = None, gettext: Callable[[str], str] = str) -> int | None:
        """The field as a whole number, or None with an error by the field."""
        text = self.get(name)
        if not text and default is not None:
            return default
        try:
            value = int(text)
        except ValueError:
            self.add_error(name, gettext("Enter a whole number."))
            return None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.add_error(name, gettext("Enter a number from {low} to {high}.").format(
                low=minimum if minimum is not None else "", high=maximum if maximum is not None else ""))
            return None
        return value

    def fail(self, exc: ShopError, gettext: Callable[[str], str]) -> None:
        """Take a core ValidationError's field messages (translated) and its summary."""
        for name, text in exc.localized_fields(gettext).items():
            self.add_error(name, text)
        self.message = exc.localized(gettext)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.message


def form_gettext(request: web.Request) -> Callable[[str], str]:
    return request[keys.GETTEXT]
