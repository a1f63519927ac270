"""The session: who is signed in and the CSRF token; register, sign in, sign out."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.customers import accounts, auth
from core.customers.accounts import AddressData, LegalEntityData, RegistrationData
from core.errors import ValidationError
from core.i18n import normalise_locale
from web import keys, sessions
from web.api.spec import Call, Operations
from web.security import client_ip, csrf_token, no_store

operations = Operations(tag="session")


def customer_json(customer: Any) -> dict[str, Any]:
    return {
        "id": customer.id,
        "last_name": customer.last_name,
        "first_name": customer.first_name,
        "patronymic": customer.patronymic,
        "email": customer.email,
        "phone": customer.phone,
        "locale": customer.locale,
    }


def _private(body: dict[str, Any], status: int = 200) -> web.Response:
    return no_store(web.json_response(body, status=status))


@operations.get(
    "/session",
    summary="Who is signed in, the language, and the CSRF token for unsafe requests.",
    response="Session",
    description="Call this first: every POST, PATCH and DELETE needs the token in X-CSRF-Token.",
)
async def get_session(request: web.Request, call: Call) -> web.Response:
    customer = call.customer
    return _private(
        {
            "csrf_token": csrf_token(request),
            "customer": customer_json(customer) if customer else None,
            "locale": request.get(keys.LOCALE) or "en",
        }
    )


async def _signed_in(request: web.Request, customer: Any, status: int) -> web.Response:
    merged = await sessions.sign_in(request, customer)
    return _private(
        {
            "customer": customer_json(customer),
            "csrf_token": csrf_token(request),
            "cart": {"added": merged.added, "increased": merged.increased, "capped": merged.capped},
        },
        status,
    )


# Core names the nested fields of registration flat; the API names them by their JSON path.
_FIELD_PATHS = {"legal_name": "legal_entity.name", "legal_country": "legal_entity.country",
                "tax_id": "legal_entity.tax_id", "kpp": "legal_entity.kpp"}


def _json_path(field: str) -> str:
    if field.startswith("address_"):
        return "address." + field.removeprefix("address_")
    return _FIELD_PATHS.get(field, field)


def _registration(body: dict[str, Any], locale: str | None) -> RegistrationData:
    # Only the structure was checked: a missing text is "", so the service reports it as required.
    data = {"last_name": "", "first_name": "", "phone": "", "email": "", "password": "", **body}
    data["locale"] = normalise_locale(data.get("locale") or locale)
    address = data.pop("address", None)
    legal_entity = data.pop("legal_entity", None)
    return RegistrationData(
        **data,
        address=AddressData(**{"city": "", "street": "", **address}) if address is not None else None,
        legal_entity=(
            LegalEntityData(**{"name": "", "country": "", "tax_id": "", **legal_entity})
            if legal_entity is not None else None
        ),
    )


@operations.post(
    "/auth/register",
    summary="Create an account and sign in (the anonymous cart moves into it).",
    body="RegisterInput",
    response="SignedIn",
    status=201,
    errors=(409, 422, 429),
    value_checks=False,
    description=(
        "Every problem is reported at once: 422 with `fields` naming each bad field "
        "(nested ones as address.city, legal_entity.tax_id)."
    ),
)
async def register(request: web.Request, call: Call) -> web.Response:
    settings = request.app[keys.SETTINGS]
    try:
        customer = await accounts.register_customer(
            _registration(call.body, request.get(keys.LOCALE)),
            channel="web",
            ip=client_ip(request),
            policy_version=settings.shop.policy_version,
            limiter=request.app[keys.LIMITER],
            registrations_per_hour=settings.web.registrations_per_hour_per_ip,
        )
    except ValidationError as exc:
        fields = {_json_path(name): message for name, message in exc.fields.items()}
        raise ValidationError(exc.message, fields=fields, code=exc.code, **exc.params) from None
    return await _signed_in(request, customer, 201)


@operations.post(
    "/auth/login",
    summary="Sign in with email and password (the anonymous cart merges into the customer's).",
    body="LoginInput",
    response="SignedIn",
    errors=(422, 429),
    description="Unknown email and wrong password get the same answer.",
)
async def login(request: web.Request, call: Call) -> web.Response:
    limits = request.app[keys.SETTINGS].web
    customer = await auth.authenticate(
        call.body["email"],
        call.body["password"],
        ip=client_ip(request),
        limiter=request.app[keys.LIMITER],
        failures_per_hour_per_account=limits.login_failures_per_hour_per_account,
        attempts_per_hour_per_ip=limits.login_attempts_per_hour_per_ip,
    )
    return await _signed_in(request, customer, 200)


@operations.post(
    "/auth/logout",
    summary="Sign out: the session ends on the server.",
    response="SignedOut",
    description="Takes no body. Signing out when not signed in is not an error.",
)
async def logout(request: web.Request, call: Call) -> web.Response:
    await sessions.sign_out(request)
    return _private({"csrf_token": csrf_token(request)})
