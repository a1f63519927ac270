"""P9: the customer sees everything stored (export) and can delete the account, keeping only accounting data."""

import datetime as dt
import json

import pytest

from core.carts.models import Cart, CartLine
from core.catalogue.models import Make, Part, Vehicle, VehicleModel
from core.customers.addresses import AddressData, add_address
from core.customers.auth import InvalidCredentials, authenticate
from core.customers.data_rights import delete_account, export_customer_data
from core.customers.garage import add_vehicle
from core.customers.models import (
    AccountToken,
    Address,
    AuditEvent,
    Customer,
    CustomerStatus,
    GarageVehicle,
    LegalEntity,
    Session,
    TokenPurpose,
)
from core.customers.validation import LegalEntityData
from core.errors import Conflict
from core.notifications.models import OutboxMessage
from core.orders.models import Channel, DeliveryMethod, Order, OrderLine, PaymentMethod, PaymentState
from core.privacy.models import AccessLog, Disclosure
from core.ratelimit import DatabaseRateLimiter
from tests.core.test_customers_registration import PASSWORD, register

EMAIL = "olena.shevchenko@example.com"
PERSONAL = ("Olena", "Shevchenko", "Petrivna", EMAIL, "+380501234567", "380501234567", "Khreshchatyk",
            "203.0.113.9", "Golf VII")


async def rich_customer() -> tuple[Customer, Order]:
    customer = await register(legal_entity=LegalEntityData("ТОВ Автодеталі", "UA", "14360570"))
    await add_address(customer, AddressData(city="Kyiv", street="Khreshchatyk 1", country="UA"), ip="203.0.113.9")
    make = await Make.create(name="Volkswagen", slug="volkswagen")
    vehicle = await Vehicle.create(model=await VehicleModel.create(make=make, name="Golf"), year_from=2012)
    await add_vehicle(customer, vehicle.id, "Golf VII")
    await authenticate(EMAIL, PASSWORD, ip="203.0.113.9", limiter=DatabaseRateLimiter())
    await Session.create(token_hash="s" * 64, customer=customer, expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    order = await Order.create(
        number="GS-2611-7Q4K", customer=customer, channel=Channel.WEB, currency="UAH", subtotal=9000,
        shipping_price=500, total=9500, contact_name="Shevchenko Olena Petrivna", contact_phone="+380501234567",
        contact_email=EMAIL, buyer_organisation="ТОВ Автодеталі", buyer_tax_id="14360570",
        delivery_method=DeliveryMethod.COURIER, delivery_address="UA, Kyiv, Khreshchatyk 1",
        payment_method=PaymentMethod.CASH, payment_state=PaymentState.NOT_REQUIRED, status="delivered",
    )
    part = await Part.create(brand="ATE", article="13.0460-7241.2", name="Brake pads", price=4500, currency="UAH", stock=5)
    await OrderLine.create(order=order, part=part, brand="ATE", article="13.0460-7241.2", name="Brake pads",
                           unit_price=4500, quantity=2, line_total=9000)
    await Disclosure.create(processor="smtp", fields_sent=["email", "name"], customer=customer, order=order)
    cart = await Cart.create(customer=customer)
    await CartLine.create(cart=cart, part=part, quantity=1)
    return customer, order


async def test_export_holds_everything_stored_and_is_json(db):
    customer, _ = await rich_customer()
    data = await export_customer_data(customer)
    json.dumps(data)  # a downloadable file
    assert data["profile"]["email"] == EMAIL and data["profile"]["phone"] == "+380501234567"
    assert data["profile"]["has_password"] is True and "password_hash" not in data["profile"]
    assert data["legal_entity"]["tax_id"] == "14360570"
    assert [a["street"] for a in data["addresses"]] == ["Khreshchatyk 1"]
    assert data["garage"][0]["make"] == "Volkswagen" and data["garage"][0]["nickname"] == "Golf VII"
    assert {c["kind"] for c in data["consents"]} == {"age_14", "privacy_policy"}
    assert data["orders"][0]["number"] == "GS-2611-7Q4K" and data["orders"][0]["lines"][0]["quantity"] == 2
    events = [e["event"] for e in data["audit_trail"]]
    assert {"registered", "address_added", "garage_vehicle_added", "signed_in"} <= set(events)
    assert data["access_log"][0]["ip"] == "203.0.113.9"
    assert data["disclosures"][0]["processor"] == "smtp"
    assert data["sessions"] == {"active": 1}
    assert PASSWORD not in json.dumps(data)


async def test_deletion_leaves_no_personal_data_and_keeps_accounting(db):
    customer, order = await rich_customer()
    await AccountToken.create(customer=customer, purpose=TokenPurpose.PASSWORD_RESET, token_hash="t" * 64,
                              expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5))

    await delete_account(customer, actor="customer", ip="203.0.113.9")

    row = (await Customer.filter(id=customer.id).values())[0]
    assert row["status"] == CustomerStatus.DELETED and row["deleted_at"] is not None
    assert row["password_hash"] is None and row["telegram_user_id"] is None
    kept = await Order.get(id=order.id)
    order_row = (await Order.filter(id=order.id).values())[0]
    for value in list(row.values()) + list(order_row.values()):
        assert not any(p in str(value) for p in PERSONAL), value
    assert (kept.number, kept.total, kept.buyer_organisation, kept.buyer_tax_id) == (
        "GS-2611-7Q4K", 9500, "ТОВ Автодеталі", "14360570")
    assert await OrderLine.filter(order_id=order.id).count() == 1
    for model in (Address, GarageVehicle, LegalEntity, Session, AccountToken, AccessLog, Cart):
        assert not await model.filter(customer_id=customer.id).exists(), model
    assert not await CartLine.exists()
    assert not await AuditEvent.filter(customer_id=customer.id, ip__isnull=False).exists()
    assert await AuditEvent.filter(customer_id=customer.id, event="account_deleted", actor="customer").exists()
    farewell = await OutboxMessage.get(kind="account_deleted")
    assert (farewell.recipient, farewell.channel) == (EMAIL, "email")  # the last message, to the old address

    with pytest.raises(InvalidCredentials):
        await authenticate(EMAIL, PASSWORD, limiter=DatabaseRateLimiter())
    again = await register()  # the email and phone are free again
    assert again.id != customer.id


async def test_deletion_waits_for_orders_on_their_way(db):
    customer, order = await rich_customer()
    await Order.filter(id=order.id).update(status="shipped")
    with pytest.raises(Conflict) as caught:
        await delete_account(customer, actor="customer")
    assert "GS-2611-7Q4K" in str(caught.value)
    assert (await Customer.get(id=customer.id)).email == EMAIL
