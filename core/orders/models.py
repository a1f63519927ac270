"""Orders with price/name snapshots, their status history."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class OrderStatus(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class DeliveryMethod(StrEnum):
    COURIER = "courier"
    PICKUP = "pickup"
    CARRIER = "carrier"


class PaymentMethod(StrEnum):
    CASH = "cash"
    CARD = "card"


class PaymentState(StrEnum):
    NOT_REQUIRED = "not_required"  # cash on delivery
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


class Channel(StrEnum):
    WEB = "web"
    TELEGRAM = "telegram"


class Order(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=24, unique=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="orders", null=True, on_delete=fields.SET_NULL)
    status = fields.CharEnumField(OrderStatus, default=OrderStatus.NEW)
    channel = fields.CharEnumField(Channel)
    idempotency_key = fields.CharField(max_length=128, unique=True, null=True)
    # Hash of the cart lines the key was first used with: the same key with another cart is refused.
    request_fingerprint = fields.CharField(max_length=64, default="")
    locale = fields.CharField(max_length=8, default="en")
    currency = fields.CharField(max_length=3)
    subtotal = fields.IntField()
    shipping_price = fields.IntField()
    total = fields.IntField()
    # Contact and delivery snapshot, built server-side (P5).
    contact_name = fields.CharField(max_length=255, default="")
    contact_phone = fields.CharField(max_length=20, default="")
    contact_email = fields.CharField(max_length=254, default="")
    buyer_organisation = fields.CharField(max_length=255, default="")
    buyer_tax_id = fields.CharField(max_length=16, default="")
    buyer_kpp = fields.CharField(max_length=9, default="")
    delivery_method = fields.CharEnumField(DeliveryMethod)
    delivery_address = fields.CharField(max_length=512, default="")
    carrier_city = fields.CharField(max_length=100, default="")
    carrier_branch = fields.CharField(max_length=32, default="")
    tracking_number = fields.CharField(max_length=64, default="")
    payment_method = fields.CharEnumField(PaymentMethod)
    payment_provider = fields.CharField(max_length=32, default="")
    payment_state = fields.CharEnumField(PaymentState)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "order"


class OrderLine(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("gearshop.Order", related_name="lines", on_delete=fields.CASCADE)
    part = fields.ForeignKeyField("gearshop.Part", related_name="order_lines", null=True, on_delete=fields.SET_NULL)
    brand = fields.CharField(max_length=64)
    article = fields.CharField(max_length=64)
    name = fields.CharField(max_length=255)
    unit_price = fields.IntField()
    quantity = fields.IntField()
    line_total = fields.IntField()

    class Meta:
        table = "order_line"
        ordering = ["id"]


class OrderEvent(Model):
    # Every status change: who, when, from what to what.

    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("gearshop.Order", related_name="events", on_delete=fields.CASCADE)
    actor = fields.CharField(max_length=64)
    from_status = fields.CharField(max_length=16, default="")
    to_status = fields.CharField(max_length=16)
    note = fields.CharField(max_length=255, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "order_event"
        ordering = ["id"]
