"""Rendering a message for a channel from its Jinja2 template in the recipient's language.

One file per message and locale holds every part as a block. Text parts are rendered by an
environment without escaping; the HTML part by one with autoescape on, so a part name like
`<b>` arrives as text in the HTML mail. Missing variables are errors (StrictUndefined): a broken
template fails its test instead of sending "None" to a customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from core.i18n import SUPPORTED, format_price, gettext, normalise_locale
from core.notifications.messages import BLOCKS, template_name

TEMPLATES = Path(__file__).parent / "templates"
LAYOUT = "_layout.html.j2"


def _environment(autoescape: bool) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )


_TEXT = _environment(autoescape=False)
_HTML = _environment(autoescape=True)


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str = ""
    text: str = ""
    html: str = ""


class TemplateProblem(Exception):
    """A message that cannot be rendered (missing template or variable): it never will be."""


def render(kind: str, channel: str, locale: str, context: dict[str, Any]) -> Rendered:
    name = template_name(kind, channel)
    if name is None:
        return Rendered()
    locale = normalise_locale(locale, SUPPORTED)
    variables = {**context, "locale": locale, "_": lambda msg: gettext(locale, msg),
                 "price": lambda minor, currency: format_price(minor, currency, locale)}
    try:
        parts = {block: _block(name, locale, block, variables) for block in BLOCKS[channel]}
        if "html" in parts:
            layout = _HTML.get_template(LAYOUT)
            parts["html"] = layout.render(variables, title=_one_line(parts["subject"]), body=Markup(parts["html"]))
    except (jinja2.TemplateError, LookupError, TypeError, ValueError) as exc:
        raise TemplateProblem(f"{kind}/{channel}/{locale}: {exc}") from exc
    if "subject" in parts:
        parts["subject"] = _one_line(parts["subject"])
    text = parts.get("text") or parts.get("sms") or parts.get("chat") or ""
    return Rendered(subject=parts.get("subject", ""), text=_tidy(text), html=parts.get("html", ""))


def _block(name: str, locale: str, block: str, variables: dict[str, Any]) -> str:
    env = _HTML if block == "html" else _TEXT
    template = env.get_template(f"{locale}/{name}")
    if block not in template.blocks:
        raise TemplateProblem(f"{locale}/{name} has no block {block!r}")
    context = template.new_context(variables)
    return "".join(template.blocks[block](context))


def _one_line(text: str) -> str:
    # A subject is one line whatever the template or the data hold (no header folding tricks).
    return " ".join(text.split())


def _tidy(text: str) -> str:
    # At most one empty line in a row, no trailing spaces.
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
