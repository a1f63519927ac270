"""Payments and the provider notifications received for them (P14: nothing card-related)."""

from tortoise import fields
from tortoise.models import Model


class Payment(Model):
    id = fields.IntField(primary_key=True)
    order = fields.ForeignKeyField("gearshop.Order", related_name="payments", on_delete=fields.CASCADE)
    provider = fields.CharField(max_length=32)
    # Our reference sent to the provider (its order_id).
    reference = fields.CharField(max_length=64, unique=True)
    amount = fields.IntField()
    currency = fields.CharField(max_length=3)
    state = fields.CharField(max_length=16, default="pending")
    transaction_id = fields.CharField(max_length=128, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "payment"


class PaymentNotification(Model):
    # A verified notification, kept once per provider transaction id (de-duplication).

    id = fields.IntField(primary_key=True)
    provider = fields.CharField(max_length=32)
    transaction_id = fields.CharField(max_length=128)
    payment = fields.ForeignKeyField("gearshop.Payment", related_name="notifications", null=True, on_delete=fields.CASCADE)
    status = fields.CharField(max_length=32)
    amount = fields.IntField()
    currency = fields.CharField(max_length=3)
    outcome = fields.CharField(max_length=32)
    received_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "payment_notification"
        unique_together = (("provider", "transaction_id"),)
