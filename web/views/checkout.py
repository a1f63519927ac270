"""Checkout: from the cart to an order in three steps — choose, confirm, place.

1. GET /checkout: the cart; sign in or register right here when anonymous (the forms come back
   to checkout); then delivery (courier to a saved or a new address, pickup, carrier branch)
   and payment (cash on delivery, or card through each configured provider).
2. POST /checkout: the choices are checked and shown for confirmation; a new address goes into
   the address book first. The confirmation form carries a fresh idempotency key.
3. POST /checkout/place: core.orders.checkout.place_order builds the order from stored data;
   the form sends only choices and the key, never a name or a phone (P5). The same key twice
   gives the one order. Card payment continues on the provider's page.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from core.catalogue.selector import as_id
from core.customers import addresses
from core.customers.models import Customer
from core.customers.validation import AddressData
from core.errors import Conflict, NotFound, ValidationError
from core.orders.checkout import DeliveryChoice, PaymentChoice, place_order
from core.orders.models import DeliveryMethod, PaymentMethod, PaymentState
from core.orders.shipping import shipping_price
from web import keys, sessions
from web.forms import Form
from web.render import url_for
from web.security import client_ip
from web.views.account import country_choices
from web.views.auth import gettext_of, page, register_context, signed_in
from web.views.cart import cart_view
from web.views.payments import pay_by_card

NEW_ADDRESS = "new"
ADDRESS_PREFIX = "address_"
NEW_ADDRESS_FIELDS = ("label", "country", "region", "city", "street", "postcode")
# The core's own sentences, so they are translated once (commerce.po).
CHOOSE_DELIVERY = "Choose how the order should be delivered."
CHOOSE_ADDRESS = "Choose one of your saved addresses for courier delivery."
CARRIER_CITY = "Enter the city of the carrier's branch."
CARRIER_BRANCH = "Enter the branch number (digits only)."
CHOOSE_PAYMENT = "Choose how you will pay."
CORRECT_FIELDS = "Please correct the marked fields."
DELIVERY_LABELS = {
    DeliveryMethod.COURIER: "Courier delivery to your address",
    DeliveryMethod.PICKUP: "Pickup at the shop",
    DeliveryMethod.CARRIER: "Carrier branch (city and branch number)",
}
PROVIDER_LABELS = {"sandbox": "Card, on the test bank's page (sandbox)", "liqpay": "Card, on the LiqPay page"}


# ---------------------------------------------------------------- what the page offers


def delivery_options(request: web.Request, subtotal: int) -> list[tuple[str, str, int]]:
    """(method, label msgid, shipping price for this cart)."""
    shipping = request.app[keys.SETTINGS].shipping
    return [(str(method), label, shipping_price(method, subtotal, shipping))
            for method, label in DELIVERY_LABELS.items()]


def payment_options(request: web.Request) -> list[tuple[str, str]]:
    """("cash", label) and ("card:<provider>", label) for each configured provider."""
    options = [(str(PaymentMethod.CASH), "Cash on delivery")]
    for name in request.app[keys.PAYMENT_PROVIDERS]:
        options.append((f"{PaymentMethod.CARD}:{name}", PROVIDER_LABELS.get(name, "Card")))
    return options


def default_choices(saved: list) -> Form:
    if saved:
        return Form(values={"delivery": str(DeliveryMethod.COURIER), "address_id": str(saved[0].id),
                            "payment": str(PaymentMethod.CASH)})
    return Form(values={"delivery": str(DeliveryMethod.PICKUP), "address_id": NEW_ADDRESS,
                        "payment": str(PaymentMethod.CASH), "address_country": "UA"})


async def checkout_context(request: web.Request, form: Form | None) -> dict[str, Any]:
    customer = await sessions.current_customer(request)
    cart = await cart_view(request)
    context: dict[str, Any] = {"cart": cart, "step": "choose",
                               "cookies_enabled": sessions.cookies_enabled(request)}
    if customer is None:  # sign in or register here, then come back
        back = {"next": url_for(request, "checkout")}
        return context | {"sign_in_form": Form(values=dict(back)),
                          "register": register_context(request, Form(values=dict(back)))}
    saved = await addresses.list_addresses(customer)
    return context | {
        "form": form or default_choices(saved), "addresses": saved, "countries": country_choices(request),
        "deliveries": delivery_options(request, cart.subtotal), "payments": payment_options(request),
    }


async def checkout_page(request: web.Request, form: Form | None = None, *, status: int = 200) -> web.Response:
    return page(request, "checkout/checkout.html", await checkout_context(request, form), status=status)


# ---------------------------------------------------------------- step 2: confirm


def _payment_of(request: web.Request, form: Form, errors: dict[str, str]) -> str:
    value = form.get("payment")
    if value not in dict(payment_options(request)):
        errors["payment"] = CHOOSE_PAYMENT
    return value


async def _address_of(customer: Customer, form: Form, errors: dict[str, str], ip: str):
    """The chosen saved address, or the new one saved to the address book now."""
    if form.get("address_id") == NEW_ADDRESS:
        data = AddressData(**{name: form.get(ADDRESS_PREFIX + name) for name in NEW_ADDRESS_FIELDS})
        try:
            return await addresses.add_address(customer, data, ip=ip)
        except ValidationError as exc:
            errors.update({ADDRESS_PREFIX + name: text for name, text in exc.fields.items()})
            if not exc.fields:
                errors["address_id"] = exc.message
            return None
    try:
        return await addresses.get_address(customer, form.get("address_id"))
    except NotFound:
        errors["address_id"] = CHOOSE_ADDRESS
        return None


async def read_choices(request: web.Request, customer: Customer, form: Form) -> dict[str, Any]:
    """The delivery and payment choices, or ValidationError with a message by each bad field."""
    errors: dict[str, str] = {}
    method = form.get("delivery")
    choices: dict[str, Any] = {"delivery": method, "address": None,
                               "payment": _payment_of(request, form, errors)}
    if method == DeliveryMethod.COURIER:
        choices["address"] = await _address_of(customer, form, errors, client_ip(request))
    elif method == DeliveryMethod.CARRIER:
        if not form.get("carrier_city"):
            errors["carrier_city"] = CARRIER_CITY
        if not form.get("carrier_branch"):
            errors["carrier_branch"] = CARRIER_BRANCH
    elif method != DeliveryMethod.PICKUP:
        errors["delivery"] = CHOOSE_DELIVERY
    if errors:
        raise ValidationError(CORRECT_FIELDS, fields=errors)
    return choices


async def checkout_confirm(request: web.Request) -> web.StreamResponse:
    customer = await signed_in(request)
    form = await Form.read(request)
    try:
        choices = await read_choices(request, customer, form)
    except ValidationError as exc:
        form.fail(exc, gettext_of(request))
        return await checkout_page(request, form, status=422)
    if choices["address"] is not None:
        form.values["address_id"] = str(choices["address"].id)
    cart = await cart_view(request)
    if not cart.lines:
        return await checkout_page(request, status=422)
    shipping = shipping_price(choices["delivery"], cart.subtotal, request.app[keys.SETTINGS].shipping)
    context = {
        "cart": cart, "step": "confirm", "form": form, "address": choices["address"],
        "delivery_label": DELIVERY_LABELS[DeliveryMethod(choices["delivery"])],
        "payment_label": dict(payment_options(request))[choices["payment"]],
        "shipping": shipping, "total": cart.subtotal + shipping,
        # A fresh key per rendered confirmation: submitting it twice still gives one order.
        "idempotency_key": secrets.token_urlsafe(24),
    }
    return page(request, "checkout/confirm.html", context)


# ---------------------------------------------------------------- step 3: place


async def checkout_place(request: web.Request) -> web.StreamResponse:
    customer = await sessions.current_customer(request)
    if customer is None:
        raise web.HTTPSeeOther(url_for(request, "checkout"))
    form = await Form.read(request)
    method, _, provider = form.get("payment").partition(":")
    try:
        order = await place_order(
            customer,
            delivery=DeliveryChoice(method=form.get("delivery"), address_id=as_id(form.get("address_id")),
                                    carrier_city=form.get("carrier_city"),
                                    carrier_branch=form.get("carrier_branch")),
            payment=PaymentChoice(method=method, provider=provider),
            idempotency_key=form.get("idempotency_key"), channel="web", settings=request.app[keys.SETTINGS],
            locale=request[keys.LOCALE], ip=client_ip(request))
    except (ValidationError, Conflict) as exc:
        form.fail(exc, gettext_of(request))
        return await checkout_page(request, form, status=exc.status)
    if order.payment_method == PaymentMethod.CARD and order.payment_state != PaymentState.PAID:
        try:
            await pay_by_card(request, order)
        except ValidationError as exc:
            sessions.flash(request, exc.message, **exc.params)
    else:
        sessions.flash(request, "Thank you! Your order {number} is placed.", number=order.number)
    raise web.HTTPSeeOther(url_for(request, "order", number=order.number))


def add_routes(router: web.UrlDispatcher) -> None:
    resource = router.add_resource("/checkout", name="checkout")
    resource.add_route("GET", checkout_page)
    resource.add_route("POST", checkout_confirm)
    router.add_post("/checkout/place", checkout_place, name="checkout_place")
