"""Templates (aiohttp-jinja2, autoescaped), their helpers, static files with content-hashed names.

Template globals: `_(msgid, **params)`, `csrf_token()`, `static_url(name)`, `format_price(minor,
currency)`, `format_day(date)`, `format_moment(datetime)`, `url(name, query_=..., **parts)`,
`has_route(name)`, `current_path()`, `country_name(code)`, `category_name(category)`,
`card_category(card)`. They read the request being served from a context
variable, so they also work inside imported macros. Dates and times are shown on the shop's clock
(`[shop] timezone`).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
from pathlib import Path
from typing import Any, NoReturn

import aiohttp_jinja2
import jinja2
from aiohttp import web

from core import i18n as core_i18n
from web import keys

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
CURRENT_REQUEST: contextvars.ContextVar[web.Request] = contextvars.ContextVar("gearshop_request")


def _request() -> web.Request:
    return CURRENT_REQUEST.get()


def _locale() -> str:
    request = _request()
    return request.get(keys.LOCALE) or request.app[keys.SETTINGS].shop.default_locale


def translate(message: str, **params: Any) -> str:
    text = core_i18n.gettext(_locale(), message)
    return text.format(**params) if params else text


def _csrf_token() -> str:
    from web.security import csrf_token

    request = _request()
    # A page rendered for the page cache gets a marker; each visitor's token replaces it.
    return request.get(keys.CSRF_MARKER) or csrf_token(request)


def _static_url(name: str) -> str:
    request = _request()
    return "/static/" + request.app[keys.STATIC_NAMES].get(name, name)


def _format_price(amount_minor: int, currency: str | None = None) -> str:
    currency = currency or _request().app[keys.SETTINGS].shop.currency
    return core_i18n.format_price(amount_minor, currency, _locale())


def _format_day(value: dt.date | dt.datetime) -> str:
    return core_i18n.format_day(value, _locale(), zone=_request().app[keys.SETTINGS].shop.timezone)


def _format_moment(value: dt.datetime) -> str:
    return core_i18n.format_moment(value, _locale(), zone=_request().app[keys.SETTINGS].shop.timezone)


def _country_name(code: str) -> str:
    """`UA` -> `Ukraine` / `Україна` / `Ucrania` in the page's language (the code when unknown)."""
    from babel import Locale

    return Locale.parse(_locale()).territories.get(code, code)


def _category_name(category: Any) -> str:
    """A category's name in the page's language (the name as imported when it has no translation)."""
    return category.name_in(_locale())


def _card_category(card: Any) -> str:
    """A part card's category name in the page's language."""
    return card.category_in(_locale())


def _has_route(name: str) -> bool:
    return name in _request().app.router.named_resources()


def _current_path() -> str:
    return _request().path_qs


def _url(name: str, query_: dict[str, Any] | None = None, **parts: Any) -> str:
    """`url(name, query_=..., **parts)` for templates: a route's path as text; any query value
    (another url(), a number) becomes text and None leaves the parameter out, so building a
    link can never fail a page."""
    url = _request().app.router[name].url_for(**{k: str(v) for k, v in parts.items()})
    if query_:
        url = url.with_query({k: v if isinstance(v, str) else str(v) for k, v in query_.items() if v is not None})
    return str(url)


def setup_templates(app: web.Application) -> jinja2.Environment:
    env = aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
        trim_blocks=True, lstrip_blocks=True)
    env.globals.update(
        _=translate, csrf_token=_csrf_token, static_url=_static_url, format_price=_format_price,
        format_day=_format_day, format_moment=_format_moment,
        has_route=_has_route, current_path=_current_path, url=_url, country_name=_country_name,
        category_name=_category_name, card_category=_card_category)
    return env


def render(request: web.Request, template: str, context: dict[str, Any] | None = None, *,
           status: int = 200) -> web.Response:
    """Render a page with the shared context: request, customer, locale, languages, flashes."""
    from web.i18n import LANGUAGE_NAMES
    from web.sessions import pop_flashes

    CURRENT_REQUEST.set(request)
    settings = request.app[keys.SETTINGS]
    locale = request.get(keys.LOCALE) or settings.shop.default_locale
    base = {
        "request": request,
        "settings": settings,
        "shop_name": settings.shop.name,
        "customer": request.get(keys.CUSTOMER),
        "locale": locale,
        "languages": [(code, LANGUAGE_NAMES[code]) for code in settings.shop.locales],
        "flashes": [translate(message, **params) for message, params in pop_flashes(request)],
    }
    base.update(context or {})
    return aiohttp_jinja2.render_template(template, request, base, status=status)


def url_for(request: web.Request, name: str, *, query: dict[str, Any] | None = None, **parts: Any) -> str:
    url = request.app.router[name].url_for(**{k: str(v) for k, v in parts.items()})
    if query:
        url = url.with_query({k: str(v) for k, v in query.items() if v is not None and v != ""})
    return str(url)


def redirect(request: web.Request, name: str, *, query: dict[str, Any] | None = None, **parts: Any) -> NoReturn:
    """303 See Other to a named route (after a POST, the browser GETs the page)."""
    raise web.HTTPSeeOther(url_for(request, name, query=query, **parts))


# ---------------------------------------------------------------- static files


def hashed_name(path: Path, relative: str) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{relative}.{digest}"


def setup_static(app: web.Application) -> None:
    """Serve web/static under content-hashed names, cached for a year (the name changes with it)."""
    names, files = {}, {}
    for path in sorted(STATIC.rglob("*")):
        if path.is_file():
            relative = path.relative_to(STATIC).as_posix()
            hashed = hashed_name(path, relative)
            names[relative] = hashed
            files[hashed] = (path, True)
            files[relative] = (path, False)
    app[keys.STATIC_NAMES] = names
    app[keys.STATIC_FILES] = files
    app.router.add_get("/static/{name:.+}", static_file, name="static")


async def static_file(request: web.Request) -> web.StreamResponse:
    found = request.app[keys.STATIC_FILES].get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    path, immutable = found
    response = web.FileResponse(path)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if immutable else "no-cache"
    return response
