"""Signing in and out, registration, password reset, password change and the session list.

Sign-in gives the same answer for an unknown email and a wrong password (core.customers.auth)
and always starts a new session (web.sessions.sign_in), so a planted session id is worthless.
Sign-in, registration and reset requests are throttled per IP by the core services through
the app's limiter. `next=` only ever leads back into the shop (safe_next).
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.carts.service import MergeResult
from core.customers import accounts, auth
from core.customers.accounts import AddressData, LegalEntityData, RegistrationData
from core.customers.credentials import check_reset_link
from core.customers.models import Customer
from core.errors import Throttled, ValidationError
from web import keys, sessions
from web.forms import Form
from web.render import render, url_for
from web.security import client_ip, no_store, safe_next

# Registration's optional groups: typing into any of their fields means "I want this one".
# (The country lists always send a value, so a country alone does not count.)
ADDRESS_FIELDS = ("address_region", "address_city", "address_street", "address_postcode")
LEGAL_FIELDS = ("legal_name", "tax_id", "kpp")
PASSWORDS_DIFFER = "The two passwords are not the same."
EMAIL_REQUIRED = "Enter your email address."
MERGE_LISTED = 5  # part names listed in the "your cart now has" message


# ---------------------------------------------------------------- helpers shared by the account pages


def page(request: web.Request, template: str, context: dict[str, Any] | None = None, *,
         status: int = 200) -> web.Response:
    """A private page: rendered with the shared context and never cached."""
    return no_store(render(request, template, context, status=status))


async def signed_in(request: web.Request) -> Customer:
    """The signed-in customer, or a redirect to the sign-in page that comes back here."""
    customer = await sessions.current_customer(request)
    if customer is None:
        back = request.path_qs if request.method in ("GET", "HEAD") else request.path
        raise web.HTTPSeeOther(url_for(request, "sign_in", query={"next": back}))
    return customer


def gettext_of(request: web.Request):
    return request[keys.GETTEXT]


def throttled(request: web.Request, template: str, form: Form, exc: Throttled, context: dict | None = None):
    """The form again with the throttling message, 429 and Retry-After."""
    form.message = exc.localized(gettext_of(request))
    response = page(request, template, {"form": form, **(context or {})}, status=429)
    response.headers["Retry-After"] = str(exc.retry_after)
    return response


def flash_merge(request: web.Request, merged: MergeResult) -> None:
    """Tell the customer what the anonymous cart added (part names only: nothing personal)."""
    for message, labels in (("Your cart now also has: {parts}.", merged.added),
                            ("Your cart now has more of: {parts}.", merged.increased),
                            ("Limited by the stock left: {parts}.", merged.capped)):
        if labels:
            shown = ", ".join(labels[:MERGE_LISTED]) + (" …" if len(labels) > MERGE_LISTED else "")
            sessions.flash(request, message, parts=shown)


def next_or_account(request: web.Request, form: Form) -> str:
    return safe_next(request, form.get("next"), default=url_for(request, "account"))


# ---------------------------------------------------------------- sign in and out


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    form = Form(values={"next": request.query.get("next", "")})
    context = {"form": form, "cookies_enabled": sessions.cookies_enabled(request)}
    return page(request, "auth/sign_in.html", context)


async def sign_in_submit(request: web.Request) -> web.StreamResponse:
    form = await Form.read(request)
    limits = request.app[keys.SETTINGS].web
    try:
        customer = await auth.authenticate(
            form.get("email"), form.get("password"), ip=client_ip(request), limiter=request.app[keys.LIMITER],
            failures_per_hour_per_account=limits.login_failures_per_hour_per_account,
            attempts_per_hour_per_ip=limits.login_attempts_per_hour_per_ip)
    except Throttled as exc:
        return throttled(request, "auth/sign_in.html", form, exc, {"cookies_enabled": True})
    except ValidationError as exc:  # InvalidCredentials: one message for every kind of mistake
        form.fail(exc, gettext_of(request))
        return page(request, "auth/sign_in.html", {"form": form, "cookies_enabled": True}, status=422)
    flash_merge(request, await sessions.sign_in(request, customer))
    sessions.flash(request, "You are signed in.")
    raise web.HTTPSeeOther(next_or_account(request, form))


async def sign_out(request: web.Request) -> web.StreamResponse:
    await sessions.sign_out(request)
    sessions.flash(request, "You are signed out. Thank you for visiting.")
    raise web.HTTPSeeOther(url_for(request, "index"))


# ---------------------------------------------------------------- registration


def registration_from(form: Form, locale: str) -> RegistrationData:
    """What the registration form says, as the core's RegistrationData (P3 fields only)."""
    address = None
    if any(form.get(name) for name in ADDRESS_FIELDS):
        address = AddressData(city=form.get("address_city"), street=form.get("address_street"),
                              country=form.get("address_country"), region=form.get("address_region"),
                              postcode=form.get("address_postcode"), is_default=True)
    legal = None
    if form.checked("is_legal_entity") or any(form.get(name) for name in LEGAL_FIELDS):
        legal = LegalEntityData(name=form.get("legal_name"), country=form.get("legal_country"),
                                tax_id=form.get("tax_id"), kpp=form.get("kpp"))
    return RegistrationData(
        last_name=form.get("last_name"), first_name=form.get("first_name"), patronymic=form.get("patronymic"),
        phone=form.get("phone"), email=form.get("email"), password=form.get("password"),
        car_make=form.get("car_make"), car_model=form.get("car_model"), address=address, legal_entity=legal,
        age_confirmed=form.checked("age_confirmed"), privacy_accepted=form.checked("privacy_accepted"),
        marketing_opt_in=form.checked("marketing_opt_in"), locale=locale)


def register_context(request: web.Request, form: Form) -> dict[str, Any]:
    from web.views.account import country_choices

    return {"form": form, "countries": country_choices(request),
            "cookies_enabled": sessions.cookies_enabled(request)}


async def register_page(request: web.Request) -> web.StreamResponse:
    form = Form(values={"next": request.query.get("next", "")})
    return page(request, "auth/register.html", register_context(request, form))


async def register_submit(request: web.Request) -> web.StreamResponse:
    form = await Form.read(request)
    settings = request.app[keys.SETTINGS]
    try:
        customer = await accounts.register_customer(
            registration_from(form, request[keys.LOCALE]), channel="web", ip=client_ip(request),
            policy_version=settings.shop.policy_version, limiter=request.app[keys.LIMITER],
            registrations_per_hour=settings.web.registrations_per_hour_per_ip)
    except Throttled as exc:
        return throttled(request, "auth/register.html", form, exc, register_context(request, form))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return page(request, "auth/register.html", register_context(request, form), status=422)
    flash_merge(request, await sessions.sign_in(request, customer))
    sessions.flash(request, "Welcome! Your account is ready and you are signed in.")
    raise web.HTTPSeeOther(next_or_account(request, form))


# ---------------------------------------------------------------- password reset


async def password_reset_page(request: web.Request) -> web.StreamResponse:
    return page(request, "auth/password_reset.html", {"form": Form(), "sent": False})


async def password_reset_submit(request: web.Request) -> web.StreamResponse:
    """Always the same answer, whether or not the email has an account."""
    form = await Form.read(request)
    settings = request.app[keys.SETTINGS]
    if not form.get("email"):
        form.add_error("email", gettext_of(request)(EMAIL_REQUIRED))
        return page(request, "auth/password_reset.html", {"form": form, "sent": False}, status=422)
    confirm_url = settings.shop.base_url.rstrip("/") + url_for(request, "password_reset_confirm")
    try:
        await accounts.request_password_reset(
            form.get("email"), ip=client_ip(request), base_url=confirm_url, limiter=request.app[keys.LIMITER],
            resets_per_hour_per_ip=settings.web.resets_per_hour_per_ip)
    except Throttled as exc:
        return throttled(request, "auth/password_reset.html", form, exc, {"sent": False})
    return page(request, "auth/password_reset.html", {"form": Form(), "sent": True})


async def password_reset_confirm_page(request: web.Request) -> web.StreamResponse:
    """The emailed link: a used, expired or made-up one says so at once (410), with a way to ask
    for a new one; a good one's token moves into a hidden field of the form."""
    token = request.query.get("token", "")[:200]
    form = Form(values={"token": token})
    try:
        await check_reset_link(token)
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return page(request, "auth/password_reset_confirm.html", {"form": form}, status=410)
    return page(request, "auth/password_reset_confirm.html", {"form": form})


async def password_reset_confirm_submit(request: web.Request) -> web.StreamResponse:
    form = await Form.read(request)
    form.values["token"] = form.get("token")[:200]
    gettext = gettext_of(request)
    try:
        if form.get("new_password") != form.get("new_password_repeat"):
            raise ValidationError(PASSWORDS_DIFFER, fields={"new_password_repeat": PASSWORDS_DIFFER})
        await accounts.reset_password(form.get("token"), form.get("new_password"), ip=client_ip(request))
    except ValidationError as exc:
        form.fail(exc, gettext)
        if "password" in form.errors:  # the core names the new password "password" here
            form.errors["new_password"] = form.errors.pop("password")
        return page(request, "auth/password_reset_confirm.html", {"form": form}, status=422)
    await sessions.sign_out(request)
    sessions.flash(request, "Your password was changed. Please sign in with the new one.")
    raise web.HTTPSeeOther(url_for(request, "sign_in"))


# ---------------------------------------------------------------- password change and sessions (account)


async def password_page(request: web.Request) -> web.StreamResponse:
    await signed_in(request)
    return page(request, "account/password.html", {"form": Form(), "section": "account_password"})


async def password_submit(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    form = await Form.read(request)
    try:
        if form.get("new_password") != form.get("new_password_repeat"):
            raise ValidationError(PASSWORDS_DIFFER, fields={"new_password_repeat": PASSWORDS_DIFFER})
        await accounts.change_password(customer, form.get("old_password"), form.get("new_password"),
                                       ip=client_ip(request))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        context = {"form": form, "section": "account_password"}
        return page(request, "account/password.html", context, status=422)
    sessions.flash(request, "Your password was changed.")
    raise web.HTTPSeeOther(url_for(request, "account"))


async def sessions_page(request: web.Request) -> web.StreamResponse:
    await signed_in(request)
    context = {"sessions": await sessions.list_sessions(request), "section": "account_sessions"}
    return page(request, "account/sessions.html", context)


async def sessions_submit(request: web.Request) -> web.StreamResponse:
    """Sign out everywhere: every session of the customer ends on the server, this one too."""
    await signed_in(request)
    ended = await sessions.sign_out_everywhere(request)
    sessions.flash(request, "You are signed out on all devices ({count} sessions ended).", count=ended)
    raise web.HTTPSeeOther(url_for(request, "sign_in"))


def add_routes(router: web.UrlDispatcher) -> None:
    for path, name, get, post in (
        ("/sign-in", "sign_in", sign_in_page, sign_in_submit),
        ("/register", "register", register_page, register_submit),
        ("/password-reset", "password_reset", password_reset_page, password_reset_submit),
        ("/password-reset/confirm", "password_reset_confirm", password_reset_confirm_page,
         password_reset_confirm_submit),
        ("/account/password", "account_password", password_page, password_submit),
        ("/account/sessions", "account_sessions", sessions_page, sessions_submit),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", get)
        resource.add_route("POST", post)
    router.add_post("/sign-out", sign_out, name="sign_out")
