"""The outbox: one row per message, written in the same transaction as its event."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Purpose(StrEnum):
    ORDER = "order"
    ACCOUNT = "account"
    SERVICE = "service"
    MARKETING = "marketing"


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    DEAD = "dead"
    REFUSED = "refused"  # e.g. marketing without consent
    # The recipient cannot be reached on this channel (the customer blocked the bot): not retried,
    # no staff alert; the customer's other channels carry their own copies.
    UNDELIVERABLE = "undeliverable"


class OutboxMessage(Model):
    id = fields.IntField(primary_key=True)
    # What happened: order_placed, order_confirmed, password_reset, ...
    kind = fields.CharField(max_length=48)
    purpose = fields.CharEnumField(Purpose)
    # email, sms, telegram, staff_telegram, staff_email, delivery
    channel = fields.CharField(max_length=24)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="outbox", null=True, on_delete=fields.SET_NULL)
    order = fields.ForeignKeyField("gearshop.Order", related_name="outbox", null=True, on_delete=fields.SET_NULL)
    # Set only when the message must go somewhere other than the customer's current
    # contact (the old address after an email change).
    recipient = fields.CharField(max_length=254, default="")
    locale = fields.CharField(max_length=8, default="en")
    payload = fields.JSONField(default=dict)
    status = fields.CharEnumField(OutboxStatus, default=OutboxStatus.PENDING, db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(db_index=True)
    claimed_by = fields.CharField(max_length=64, default="")
    claimed_until = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbox_message"
