"""The customer's rights over their data (P9): see all of it (export) and delete the account.

Deletion erases or anonymises every personal field (names, contacts, password, Telegram id,
addresses, garage, legal entity, reviews, access log, IPs in the audit trail), revokes sessions
and tokens and deletes the cart. Orders stay for accounting with their number, date, lines and
totals, and for a legal entity the buyer organisation and tax id; their contact and delivery
fields are blanked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tortoise.transactions import in_transaction

from core.carts.models import Cart, CartLine
from core.catalogue.cache import live_data_changed
from core.catalogue.models import Review
from core.customers.audit import record_event
from core.customers.models import (
    AccountToken,
    Address,
    AuditEvent,
    Consent,
    Customer,
    CustomerStatus,
    GarageVehicle,
    LegalEntity,
    Session,
)
from core.errors import Conflict
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.notifications.outbox import notify
from core.orders.models import Order, OrderStatus
from core.privacy.models import AccessLog, Disclosure

OPEN_ORDERS = "Your orders {numbers} are still on their way. You can delete your account once they are delivered or cancelled."
_OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
# Order fields that identify the person and are not needed for accounting.
_ORDER_CONTACT_BLANKS = {"contact_name": "", "contact_phone": "", "contact_email": "", "delivery_address": "",
                         "carrier_city": "", "carrier_branch": "", "tracking_number": ""}
PROFILE_KEYS = ("id", "last_name", "first_name", "patronymic", "email", "phone", "locale", "display_name",
                "telegram_user_id", "telegram_unreachable_at", "car_make", "car_model", "status", "created_at",
                "confirmed_at", "updated_at")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value"), str):  # enums
        return value.value
    return value


def _row(obj: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: _plain(getattr(obj, key)) for key in keys}


async def export_customer_data(customer: Customer) -> dict[str, Any]:
    """Everything stored about the customer, as a JSON-able dict (the account page's download)."""
    customer = await Customer.get(id=customer.id)
    legal = await LegalEntity.get_or_none(customer_id=customer.id)
    profile = _row(customer, PROFILE_KEYS) | {"has_password": bool(customer.password_hash)}
    return {
        "exported_at": dt.datetime.now(dt.UTC).isoformat(),
        "profile": profile,
        "legal_entity": _row(legal, ("name", "country", "tax_id", "kpp")) if legal else None,
        "addresses": [_row(a, ("id", "label", "country", "region", "city", "street", "postcode", "is_default",
                               "created_at")) for a in await Address.filter(customer_id=customer.id).order_by("id")],
        "garage": await _export_garage(customer),
        "consents": [_row(c, ("kind", "granted", "policy_version", "channel", "created_at"))
                     for c in await Consent.filter(customer_id=customer.id).order_by("id")],
        "orders": await _export_orders(customer),
        "reviews": [_row(r, ("id", "part_id", "display_name", "rating", "text", "created_at", "removed_at"))
                    for r in await Review.filter(customer_id=customer.id).order_by("id")],
        "audit_trail": [_row(e, ("event", "actor", "channel", "ip", "detail", "created_at"))
                        for e in await AuditEvent.filter(customer_id=customer.id).order_by("id")],
        "access_log": [_row(a, ("event", "ip", "created_at"))
                       for a in await AccessLog.filter(customer_id=customer.id).order_by("id")],
        "disclosures": [_row(d, ("processor", "fields_sent", "purpose", "order_id", "created_at"))
                        for d in await Disclosure.filter(customer_id=customer.id).order_by("id")],
        "sessions": {"active": await Session.filter(customer_id=customer.id).count()},
    }


async def _export_garage(customer: Customer) -> list[dict[str, Any]]:
    entries = await GarageVehicle.filter(customer_id=customer.id).order_by("id").prefetch_related("vehicle__model__make")
    return [{"vehicle_id": g.vehicle_id, "nickname": g.nickname, "make": g.vehicle.model.make.name,
             "model": g.vehicle.model.name, "generation": g.vehicle.generation, "engine": g.vehicle.engine_code,
             "year_from": g.vehicle.year_from, "year_to": g.vehicle.year_to, "saved_at": _plain(g.created_at)}
            for g in entries]


async def _export_orders(customer: Customer) -> list[dict[str, Any]]:
    keys = ("number", "status", "channel", "created_at", "currency", "subtotal", "shipping_price", "total",
            "contact_name", "contact_phone", "contact_email", "buyer_organisation", "buyer_tax_id", "buyer_kpp",
            "delivery_method", "delivery_address", "carrier_city", "carrier_branch", "tracking_number",
            "payment_method", "payment_provider", "payment_state")
    orders = await Order.filter(customer_id=customer.id).order_by("id").prefetch_related("lines")
    return [_row(o, keys) | {"lines": [_row(line, ("brand", "article", "name", "unit_price", "quantity", "line_total"))
                                       for line in o.lines]}
            for o in orders]


async def delete_account(customer: Customer, *, actor: str, ip: str | None = None, channel: str = "web") -> None:
    """Erase the account's personal data (see the module docstring); the customer cannot sign in again.

    Refused (Conflict) while an order is still on its way: its delivery needs the address.
    `actor` is "customer", "staff:<id>" or "system".
    """
    customer = await Customer.get(id=customer.id)
    if customer.status == CustomerStatus.DELETED:
        return
    open_orders = await Order.filter(customer_id=customer.id, status__in=_OPEN_STATUSES).values_list("number", flat=True)
    if open_orders:
        raise Conflict(OPEN_ORDERS, numbers=", ".join(sorted(open_orders)))
    async with in_transaction():
        old_email = customer.email
        await anonymise_customer(customer)
        if old_email:  # a last word to the old address; the worker reads it from `recipient`
            await notify("account_deleted", purpose=Purpose.ACCOUNT, customer=customer, payload={},
                         recipient=old_email, channels=["email"])
        # The IP of a staff member is kept; the customer's own is not, like the rest of their data.
        await record_event(customer, "account_deleted", actor=actor, channel=channel,
                           ip=ip if actor.startswith("staff:") else None)
    # Committed: their reviews are gone, so no page this process keeps may show them (any channel).
    live_data_changed()


async def anonymise_customer(customer: Customer) -> None:
    """Blank every personal field of the customer and drop what hangs off the account.

    Call inside a transaction. Orders keep what accounting needs; the audit trail keeps its
    events but loses the IPs.
    """
    await Order.filter(customer_id=customer.id).update(**_ORDER_CONTACT_BLANKS)
    await CartLine.filter(cart__customer_id=customer.id).delete()
    for model in (Address, GarageVehicle, LegalEntity, Session, AccountToken, AccessLog, Review, Cart):
        await model.filter(customer_id=customer.id).delete()
    await AuditEvent.filter(customer_id=customer.id).update(ip=None)
    # Unsent messages would be addressed from data that no longer exists; sent ones keep no address.
    await OutboxMessage.filter(customer_id=customer.id, status=OutboxStatus.PENDING).delete()
    await OutboxMessage.filter(customer_id=customer.id).update(recipient="")
    now = dt.datetime.now(dt.UTC)
    await Customer.filter(id=customer.id).update(
        last_name="", first_name="", patronymic="", email=None, phone=None, password_hash=None,
        telegram_user_id=None, telegram_unreachable_at=None, display_name="", car_make="", car_model="",
        status=CustomerStatus.DELETED, deleted_at=now, updated_at=now,
    )
    await customer.refresh_from_db()
