"""Checkout: turn the customer's cart into an order, without overselling and without duplicates.

The caller sends only choices (delivery method, a saved address id, carrier city and branch,
payment method) and an idempotency key; everything else (lines, prices, names, contact and
address) is read from stored data here (P5). The pipeline:

    check the key → in ONE transaction (one pooled connection): look the key up → prepare the
    choices → take the cart → price it → create the order → write lines → empty the cart →
    record the event → queue the messages → log the access → reserve stock (last: a popular
    part's row stays locked only until commit)

Stock is reserved with a conditional UPDATE (`stock >= quantity`) whose row count is checked,
so concurrent buyers can never take more than there is, on SQLite and PostgreSQL alike. A
shortfall raises and rolls the whole order back. The same idempotency key returns the order it
first created; a concurrent double submit hits the unique index and returns the winner's order.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from core.carts.models import Cart, CartLine
from core.carts.service import part_label
from core.catalogue.cache import live_data_changed
from core.catalogue.models import Part
from core.config import Settings
from core.customers.models import Address, Customer, CustomerStatus, LegalEntity
from core.errors import Conflict, ValidationError
from core.i18n import normalise_locale
from core.notifications.models import Purpose
from core.notifications.outbox import notify
from core.orders.models import (
    Channel,
    DeliveryMethod,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    PaymentMethod,
    PaymentState,
)
from core.orders.numbers import new_order_number
from core.orders.payload import order_payload
from core.orders.shipping import shipping_price
from core.payments.telegram import TELEGRAM_PAYMENTS
from core.privacy.access_log import record_access
from core.sqlite_client import DatabaseBusy

_KEY = re.compile(r"[\x21-\x7e]{8,128}")  # printable ASCII, no spaces
_BRANCH = re.compile(r"\d{1,6}")


@dataclass(frozen=True, slots=True)
class DeliveryChoice:
    method: DeliveryMethod
    address_id: int | None = None
    carrier_city: str = ""
    carrier_branch: str = ""


@dataclass(frozen=True, slots=True)
class PaymentChoice:
    method: PaymentMethod
    provider: str = ""


@dataclass(frozen=True, slots=True)
class _Request:
    # Everything the order needs besides the cart, read and checked before the transaction.
    customer: Customer
    contact: dict[str, str]
    delivery: dict[str, str]
    payment: dict[str, str]
    channel: Channel
    locale: str
    settings: Settings


class _EmptyCart(Exception):
    pass


async def place_order(
    customer: Customer,
    *,
    delivery: DeliveryChoice,
    payment: PaymentChoice,
    idempotency_key: str,
    channel: Channel | str,
    settings: Settings,
    locale: str | None = None,
    ip: str | None = None,
) -> Order:
    """Place the customer's cart as an order; the same key returns the same order."""
    key = _check_key(idempotency_key)
    choices = (delivery, payment, channel, settings, locale)
    for _ in range(3):
        try:
            return await _place(customer, choices, key, ip)
        except IntegrityError:
            continue  # a concurrent submit with this key won (or a number clash): look again
        except DatabaseBusy:
            # SQLite: another process (a catalogue import) kept the file's write lock too long.
            raise Conflict("The shop is busy for a moment. Please try again.") from None
        except _EmptyCart:
            existing = await Order.get_or_none(idempotency_key=key)
            if existing is not None:
                return await _repeat(existing, customer)
            raise ValidationError("Your cart is empty.") from None
    raise Conflict("The order could not be placed. Please try again.")


# ---------------------------------------------------------------- idempotency


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValidationError("This order form has expired. Please reload the page and try again.")
    return key


def cart_fingerprint(lines: list[CartLine]) -> str:
    text = ";".join(f"{line.part_id}:{line.quantity}" for line in sorted(lines, key=lambda li: li.part_id))
    return hashlib.sha256(text.encode()).hexdigest()


async def _repeat(existing: Order, customer: Customer) -> Order:
    """A repeated submit: the same order, unless the key is reused for another cart."""
    if existing.customer_id != customer.id:
        raise Conflict("This order form was already used. Please reload the page and try again.")
    cart = await Cart.get_or_none(customer_id=customer.id)
    lines = await CartLine.filter(cart_id=cart.id) if cart else []
    # An empty cart is the normal retry: the first submit emptied it.
    if lines and cart_fingerprint(lines) != existing.request_fingerprint:
        raise Conflict(
            "This order was already placed and your cart has changed since. "
            "Please review your cart and order again."
        )
    return existing


# ---------------------------------------------------------------- preparing the choices (reads only, nothing locked)


async def _prepare(customer, delivery, payment, channel, settings, locale) -> _Request:
    # The stored row (the caller's object may be stale) and its legal entity, in one query.
    stored = await Customer.filter(id=getattr(customer, "id", None)).select_related("legal_entity").first()
    if stored is None or stored.status != CustomerStatus.ACTIVE:
        raise ValidationError("Please sign in to place an order.")
    if not (stored.phone or stored.email):
        raise ValidationError("Please add a phone number or an email to your account before ordering.")
    return _Request(
        customer=stored,
        contact=_contact_snapshot(stored),
        delivery=await _delivery_snapshot(stored, delivery),
        payment=_payment_choice(payment, settings, Channel(channel)),
        channel=Channel(channel),
        locale=normalise_locale(locale or stored.locale, settings.shop.locales),
        settings=settings,
    )


def _contact_snapshot(customer: Customer) -> dict[str, str]:
    contact = {
        "contact_name": customer.full_name,
        "contact_phone": customer.phone or "",
        "contact_email": customer.email or "",
    }
    legal: LegalEntity | None = customer.legal_entity  # loaded with the customer
    if legal is not None:
        contact.update(buyer_organisation=legal.name, buyer_tax_id=legal.tax_id, buyer_kpp=legal.kpp)
    return contact


async def _delivery_snapshot(customer: Customer, choice: DeliveryChoice) -> dict[str, str]:
    try:
        method = DeliveryMethod(choice.method)
    except ValueError:
        message = "Choose how the order should be delivered."
        raise ValidationError(message, fields={"delivery": message}) from None
    if method is DeliveryMethod.PICKUP:
        return {"delivery_method": method}
    if method is DeliveryMethod.COURIER:
        address = await _address_text(customer, choice.address_id)
        return {"delivery_method": method, "delivery_address": address}
    return {"delivery_method": method, **_carrier_branch(choice.carrier_city, choice.carrier_branch)}


async def _address_text(customer: Customer, address_id: object) -> str:
    address = None
    # Only ids a row can have: the databases cannot even compare larger numbers (int32 on PostgreSQL).
    if isinstance(address_id, int) and not isinstance(address_id, bool) and 0 < address_id < 2**31:
        address = await Address.get_or_none(id=address_id, customer_id=customer.id)
    if address is None:
        message = "Choose one of your saved addresses for courier delivery."
        raise ValidationError(message, fields={"address_id": message})
    town = " ".join(p for p in (address.postcode, address.city) if p)
    return ", ".join(p for p in (address.street, town, address.region, address.country) if p)[:512]


def _carrier_branch(city: object, branch: object) -> dict[str, str]:
    errors = {}
    city = " ".join(city.split()) if isinstance(city, str) else ""
    if isinstance(branch, int) and not isinstance(branch, bool):
        branch = str(branch)
    branch = branch.strip().lstrip("№#").strip() if isinstance(branch, str) else ""
    if not 2 <= len(city) <= 100:
        errors["carrier_city"] = "Enter the city of the carrier's branch."
    if not _BRANCH.fullmatch(branch):
        errors["carrier_branch"] = "Enter the branch number (digits only)."
    if errors:
        raise ValidationError("Check the carrier branch details.", fields=errors)
    return {"carrier_city": city, "carrier_branch": branch.lstrip("0") or "0"}


def _payment_choice(choice: PaymentChoice, settings: Settings, channel: Channel) -> dict[str, str]:
    try:
        method = PaymentMethod(choice.method)
    except ValueError:
        message = "Choose how you will pay."
        raise ValidationError(message, fields={"payment": message}) from None
    if method is PaymentMethod.CASH:
        return {"payment_method": method, "payment_provider": "", "payment_state": PaymentState.NOT_REQUIRED}
    providers = settings.payments.providers
    provider = choice.provider or (providers[0] if len(providers) == 1 else "")
    # Telegram Payments (an invoice in the chat) exists only in the bot, and only with its token.
    in_telegram = channel is Channel.TELEGRAM and bool(settings.bot.payments_provider_token)
    if provider not in providers and not (provider == TELEGRAM_PAYMENTS and in_telegram):
        message = "Choose one of the offered card payment services."
        raise ValidationError(message, fields={"payment": message})
    return {"payment_method": method, "payment_provider": provider, "payment_state": PaymentState.PENDING}


# ---------------------------------------------------------------- the transaction


async def _place(customer: Customer, choices: tuple, key: str, ip: str | None) -> Order:
    # One transaction from the first read to the commit: one pooled connection per checkout.
    async with in_transaction():
        existing = await Order.get_or_none(idempotency_key=key)
        if existing is not None:
            return await _repeat(existing, customer)  # changes nothing
        order = await _place_new(await _prepare(customer, *choices), key, ip)
    live_data_changed()  # committed: this process's catalogue pages show the new stock at once
    return order


async def _place_new(request: _Request, key: str, ip: str | None) -> Order:
    cart, lines = await _take_cart(request.customer)
    _check_currency(lines, request.settings)
    order = await _create_order(request, key, lines)
    order_lines = await _write_lines(order, lines)
    await CartLine.filter(cart_id=cart.id).delete()
    await OrderEvent.create(order=order, actor="customer", from_status="", to_status=OrderStatus.NEW,
                            note=f"placed via {request.channel}")
    await notify("order_placed", purpose=Purpose.ORDER, customer=request.customer, order=order,
                 payload=await order_payload(order, order_lines))
    await record_access(request.customer.id, "order", ip)
    # Last, so the part rows stay locked only until the commit right after.
    await _reserve_stock(lines)
    return order


async def _take_cart(customer: Customer) -> tuple[Cart, list[CartLine]]:
    # Locking the cart row first makes a second checkout of the same cart wait for this one
    # (PostgreSQL row lock), and then find the cart empty. SQLite's checkout transaction holds
    # the file's write lock from its BEGIN, which serialises checkouts there.
    cart = await Cart.filter(customer_id=customer.id).select_for_update().first()
    if cart is None:
        raise _EmptyCart
    lines = await CartLine.filter(cart_id=cart.id).select_related("part").order_by("part_id")
    if not lines:
        raise _EmptyCart
    return cart, lines


def _check_currency(lines: list[CartLine], settings: Settings) -> None:
    for line in lines:
        if line.part.currency != settings.shop.currency:
            message = "{part} cannot be ordered online at the moment."
            raise ValidationError(message, part=part_label(line.part))


async def _create_order(request: _Request, key: str, lines: list[CartLine]) -> Order:
    subtotal = sum(line.part.price * line.quantity for line in lines)
    method = request.delivery["delivery_method"]
    shipping = shipping_price(method, subtotal, request.settings.shipping)
    return await Order.create(
        # A clash with an existing number fails the unique index; place_order then tries again.
        number=new_order_number(),
        customer=request.customer,
        status=OrderStatus.NEW,
        channel=request.channel,
        idempotency_key=key,
        request_fingerprint=cart_fingerprint(lines),
        locale=request.locale,
        currency=request.settings.shop.currency,
        subtotal=subtotal,
        shipping_price=shipping,
        total=subtotal + shipping,
        **request.contact,
        **request.delivery,
        **request.payment,
    )


async def _reserve_stock(lines: list[CartLine]) -> None:
    # Lines come sorted by part id: concurrent orders lock part rows in the same order.
    for line in lines:
        available = Part.filter(id=line.part_id, stock__gte=line.quantity)
        taken = await available.update(stock=F("stock") - line.quantity)
        if taken != 1:
            left = await Part.filter(id=line.part_id).values_list("stock", flat=True)
            _refuse_shortfall(line.part, left[0] if left else 0)


def _refuse_shortfall(part: Part, left: int) -> None:
    if left <= 0:
        message = "{part} has just sold out. Please remove it from your cart."
        raise ValidationError(message, part=part_label(part))
    raise ValidationError(
        "{part}: only {stock} left. Please change the quantity in your cart.",
        part=part_label(part), stock=left,
    )


async def _write_lines(order: Order, lines: list[CartLine]) -> list[OrderLine]:
    order_lines = [
        OrderLine(
            order=order, part_id=line.part_id, brand=line.part.brand, article=line.part.article,
            name=line.part.name, unit_price=line.part.price, quantity=line.quantity,
            line_total=line.part.price * line.quantity,
        )
        for line in lines
    ]
    await OrderLine.bulk_create(order_lines)
    return order_lines
