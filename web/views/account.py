"""The personal cabinet (P9): everything stored about the customer, to see, change, export, delete.

Every page needs a signed-in customer (else sign-in with `next=` back here) and is never
cached. Each form calls one core service of core.customers; a bad field comes back with what
was typed and an error by it, and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from typing import Any

import phonenumbers
from aiohttp import web
from babel import Locale

from core.catalogue import selector
from core.customers import addresses, consents, data_rights, garage, telegram_link
from core.customers.accounts import update_profile
from core.customers.models import Customer, LegalEntity
from core.customers.passwords import verify_password
from core.customers.profile import WRONG_PASSWORD
from core.customers.validation import AddressData, LegalEntityData
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import local_moment
from core.reviews import service as review_service
from web import keys, sessions
from web.forms import Form
from web.render import url_for
from web.security import client_ip, safe_next
from web.views.auth import gettext_of, page, signed_in

SHOP_COUNTRIES = ("UA", "ES", "RU", "KZ")  # first in the lists; tax ids are checked for these
PROFILE_FIELDS = ("last_name", "first_name", "patronymic", "email", "phone", "car_make", "car_model",
                  "display_name")
ADDRESS_FIELDS = ("label", "country", "region", "city", "street", "postcode")
CONFIRM_DELETE = "Tick the box to confirm that you want to delete your account."
PASSWORD_FOR_DELETE = "Enter your password to delete your account."



@lru_cache(maxsize=8)
def _countries(locale: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(locale).territories
    known = [code for code in phonenumbers.SUPPORTED_REGIONS if code in names and code not in SHOP_COUNTRIES]
    rest = sorted(known, key=lambda code: names[code].casefold())
    return tuple((code, names.get(code, code)) for code in (*SHOP_COUNTRIES, *rest))


def country_choices(request: web.Request) -> tuple[tuple[str, str], ...]:
    """(code, name in the visitor's language) for address and legal-entity country lists."""
    return _countries(request[keys.LOCALE])


def legal_country_choices(request: web.Request) -> tuple[tuple[str, str], ...]:
    return country_choices(request)[:len(SHOP_COUNTRIES)]


# ---------------------------------------------------------------- overview


async def overview(request: web.Request) -> web.StreamResponse:
    """All that is stored about the customer at a glance, with a way to each section."""
    customer = await signed_in(request)
    context = {
        "section": "account",
        "legal": await LegalEntity.get_or_none(customer_id=customer.id),
        "addresses": await addresses.list_addresses(customer),
        "garage": await garage_entries(request, customer),
        "marketing": await consents.current_marketing_consent(customer),
        "telegram_available": bool(request.app[keys.SETTINGS].bot.username),
        "my_reviews": await review_service.reviews_of(customer),
    }
    return page(request, "account/overview.html", context)


# ---------------------------------------------------------------- profile


async def profile_form(customer: Customer) -> Form:
    legal = await LegalEntity.get_or_none(customer_id=customer.id)
    values = {name: getattr(customer, name) or "" for name in PROFILE_FIELDS}
    if legal is not None:
        values.update(legal_name=legal.name, legal_country=legal.country, tax_id=legal.tax_id, kpp=legal.kpp)
    if await consents.current_marketing_consent(customer):
        values["marketing_opt_in"] = "1"
    return Form(values=values)


def profile_context(request: web.Request, form: Form) -> dict[str, Any]:
    return {"form": form, "section": "account_profile", "legal_countries": legal_country_choices(request)}


async def profile_page(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    return page(request, "account/profile.html", profile_context(request, await profile_form(customer)))


async def profile_submit(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    form = await Form.read(request)
    changes: dict[str, Any] = {name: form.get(name) for name in PROFILE_FIELDS}
    legal = None
    if any(form.get(name) for name in ("legal_name", "tax_id", "kpp")):
        legal = LegalEntityData(name=form.get("legal_name"), country=form.get("legal_country"),
                                tax_id=form.get("tax_id"), kpp=form.get("kpp"))
    changes["legal_entity"] = legal
    try:
        await update_profile(customer, changes, password=form.get("password") or None, ip=client_ip(request))
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return page(request, "account/profile.html", profile_context(request, form), status=422)
    wanted = form.checked("marketing_opt_in")
    if wanted != await consents.current_marketing_consent(customer):
        await consents.set_marketing(customer, wanted, "web", ip=client_ip(request))
    sessions.flash(request, "Your profile was saved.")
    raise web.HTTPSeeOther(url_for(request, "account_profile"))


# ---------------------------------------------------------------- addresses


def address_from(form: Form) -> AddressData:
    return AddressData(city=form.get("city"), street=form.get("street"), country=form.get("country"),
                       region=form.get("region"), postcode=form.get("postcode"), label=form.get("label"),
                       is_default=form.checked("is_default"))


async def addresses_context(request: web.Request, customer: Customer, form: Form,
                            editing: int | None) -> dict[str, Any]:
    return {"form": form, "section": "account_addresses", "editing": editing,
            "addresses": await addresses.list_addresses(customer), "countries": country_choices(request)}


async def addresses_page(request: web.Request) -> web.StreamResponse:
    """The address book; `?edit=<id>` fills the form with one address to change it."""
    customer = await signed_in(request)
    editing = None
    form = Form(values={"country": SHOP_COUNTRIES[0]})
    if request.query.get("edit"):
        address = await addresses.get_address(customer, request.query["edit"])  # 404 for anyone else's
        editing = address.id
        form = Form(values={name: getattr(address, name) for name in ADDRESS_FIELDS})
        if address.is_default:
            form.values["is_default"] = "1"
    return page(request, "account/addresses.html", await addresses_context(request, customer, form, editing))


async def addresses_submit(request: web.Request) -> web.StreamResponse:
    """POST action=add | update (address_id) | delete (address_id)."""
    customer = await signed_in(request)
    form = await Form.read(request)
    action, ip = form.get("action", "add"), client_ip(request)
    editing = None
    try:
        if action == "delete":
            await addresses.delete_address(customer, form.get("address_id"), ip=ip)
            sessions.flash(request, "The address was deleted.")
        elif action == "update":
            editing = (await addresses.get_address(customer, form.get("address_id"))).id
            await addresses.update_address(customer, editing, address_from(form), ip=ip)
            sessions.flash(request, "The address was saved.")
        else:
            await addresses.add_address(customer, address_from(form), ip=ip)
            sessions.flash(request, "The address was added to your address book.")
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        context = await addresses_context(request, customer, form, editing)
        return page(request, "account/addresses.html", context, status=422)
    raise web.HTTPSeeOther(url_for(request, "account_addresses"))


# ---------------------------------------------------------------- garage


async def garage_entries(request: web.Request, customer: Customer) -> list[tuple[Any, str]]:
    locale = request[keys.LOCALE]
    return [(entry, selector.vehicle_label(entry.vehicle, locale)) for entry in await garage.list_garage(customer)]


async def garage_context(request: web.Request, customer: Customer, form: Form) -> dict[str, Any]:
    """The saved vehicles and the make → model → vehicle selector (GET steps, no script needed)."""
    make_id = selector.as_id(request.query.get("make") or form.get("make"))
    model_id = selector.as_id(request.query.get("model") or form.get("model"))
    models = await selector.list_models(make_id) if make_id else []
    vehicles = await selector.list_vehicles(model_id) if model_id else []
    if vehicles and vehicles[0].model.make_id != make_id:
        vehicles, model_id = [], None
    return {
        "form": form, "section": "account_garage", "garage": await garage_entries(request, customer),
        "makes": await selector.list_makes(), "models": models, "vehicles": vehicles,
        "make_id": make_id, "model_id": model_id,
        "vehicle_labels": {v.id: selector.vehicle_label(v, request[keys.LOCALE]) for v in vehicles},
    }


async def garage_page(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    return page(request, "account/garage.html", await garage_context(request, customer, Form()))


async def garage_submit(request: web.Request) -> web.StreamResponse:
    """POST vehicle_id (+ nickname) adds a vehicle; action=remove removes it; `next` leads back."""
    customer = await signed_in(request)
    form = await Form.read(request)
    ip = client_ip(request)
    try:
        if form.get("action") == "remove":
            await garage.remove_vehicle(customer, form.get("vehicle_id"), ip=ip)
            sessions.flash(request, "The vehicle was removed from your garage.")
        else:
            await garage.add_vehicle(customer, form.get("vehicle_id"), form.get("nickname"), ip=ip)
            sessions.flash(request, "The vehicle was saved to your garage.")
    except (ValidationError, NotFound) as exc:  # NotFound: no vehicle chosen, or not in the catalogue
        form.fail(exc, gettext_of(request))
        return page(request, "account/garage.html", await garage_context(request, customer, form), status=422)
    raise web.HTTPSeeOther(safe_next(request, form.get("next"), default=url_for(request, "account_garage")))


# ---------------------------------------------------------------- data export and deletion


async def data_export_page(request: web.Request) -> web.StreamResponse:
    await signed_in(request)
    return page(request, "account/data_export.html", {"section": "account_data_export"})


async def data_export_download(request: web.Request) -> web.StreamResponse:
    """Everything stored about the customer as a JSON file (P9)."""
    customer = await signed_in(request)
    data = await data_rights.export_customer_data(customer)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    response = web.Response(text=body, content_type="application/json", charset="utf-8")
    day = local_moment(dt.datetime.now(dt.UTC), request.app[keys.SETTINGS].shop.timezone).date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


async def delete_page(request: web.Request) -> web.StreamResponse:
    await signed_in(request)
    return page(request, "account/delete.html", {"form": Form(), "section": "account_delete"})


async def delete_submit(request: web.Request) -> web.StreamResponse:
    """The password and a tick confirm it; then the account is anonymised and signed out."""
    customer = await signed_in(request)
    form = await Form.read(request)
    gettext = gettext_of(request)
    if not form.checked("confirm"):
        form.add_error("confirm", gettext(CONFIRM_DELETE))
    if not form.get("password"):
        form.add_error("password", gettext(PASSWORD_FOR_DELETE))
    elif not await password_is_right(customer, form.get("password")):
        form.add_error("password", gettext(WRONG_PASSWORD))
    if not form.errors:
        try:
            await data_rights.delete_account(customer, actor="customer", ip=client_ip(request))
        except Conflict as exc:  # orders still on their way
            form.message = exc.localized(gettext)
    if form.errors or form.message:
        return page(request, "account/delete.html", {"form": form, "section": "account_delete"}, status=422)
    await end_all_sessions_quietly(request, customer)
    sessions.flash(request, "Your account was deleted. Your orders are kept only as accounting requires.")
    raise web.HTTPSeeOther(url_for(request, "index"))


async def password_is_right(customer: Customer, password: str) -> bool:
    """Re-authentication before an irreversible step."""
    if not customer.password_hash:
        return False
    ok, _ = await verify_password(customer.password_hash, password)
    return ok


async def end_all_sessions_quietly(request: web.Request, customer: Customer) -> None:
    """End every session of a deleted account without writing a new audit row or access-log IP."""
    await request.app[keys.SESSION_STORE].delete_for_customer(customer.id)
    request[keys.CUSTOMER] = None  # so sign_out records nothing about the erased customer
    await sessions.sign_out(request)


# ---------------------------------------------------------------- Telegram link


def bot_username(request: web.Request) -> str:
    username = request.app[keys.SETTINGS].bot.username.lstrip("@")
    if not username:
        raise web.HTTPNotFound()  # no bot configured: there is nothing to link
    return username


def telegram_view(request: web.Request, customer: Customer, *, link: str | None) -> web.Response:
    context = {"section": "account_telegram", "linked": customer.telegram_user_id, "link": link}
    return page(request, "account/telegram.html", context)


async def telegram_page(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    bot_username(request)
    return telegram_view(request, customer, link=None)


async def telegram_submit(request: web.Request) -> web.StreamResponse:
    """action=link shows a one-time deep link (never stored in a cookie); action=unlink detaches."""
    customer = await signed_in(request)
    username = bot_username(request)
    form = await Form.read(request)
    if form.get("action") == "unlink":
        await telegram_link.unlink_telegram(customer, ip=client_ip(request))
        sessions.flash(request, "Your Telegram account is no longer linked.")
        raise web.HTTPSeeOther(url_for(request, "account_telegram"))
    token = await telegram_link.create_link_token(customer)
    link = f"https://t.me/{username}?start={token}"
    return telegram_view(request, customer, link=link)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/account", overview, name="account")
    for path, name, get, post in (
        ("/account/profile", "account_profile", profile_page, profile_submit),
        ("/account/addresses", "account_addresses", addresses_page, addresses_submit),
        ("/account/garage", "account_garage", garage_page, garage_submit),
        ("/account/data", "account_data_export", data_export_page, data_export_download),
        ("/account/delete", "account_delete", delete_page, delete_submit),
        ("/account/telegram", "account_telegram", telegram_page, telegram_submit),
    ):
        resource = router.add_resource(path, name=name)
        resource.add_route("GET", get)
        resource.add_route("POST", post)
