"""Customers, their addresses, garage, consents, audit trail, sessions and tokens."""

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    DELETED = "deleted"


class Customer(Model):
    id = fields.IntField(primary_key=True)
    last_name = fields.CharField(max_length=100, default="")
    first_name = fields.CharField(max_length=100, default="")
    patronymic = fields.CharField(max_length=100, default="")
    phone = fields.CharField(max_length=20, unique=True, null=True)  # E.164
    email = fields.CharField(max_length=254, unique=True, null=True)  # normalised
    password_hash = fields.CharField(max_length=255, null=True)
    locale = fields.CharField(max_length=8, default="en")
    display_name = fields.CharField(max_length=64, default="")
    is_staff = fields.BooleanField(default=False)
    status = fields.CharEnumField(CustomerStatus, default=CustomerStatus.ACTIVE)
    telegram_user_id = fields.BigIntField(unique=True, null=True)
    # Set when Telegram refused a message to that user (the bot was blocked, the account deleted):
    # Telegram messages are skipped from then on, until the customer writes to the bot again.
    telegram_unreachable_at = fields.DatetimeField(null=True)
    # Make and model of the car parts are chosen for (P3), as typed at registration.
    car_make = fields.CharField(max_length=64, default="")
    car_model = fields.CharField(max_length=96, default="")
    confirmed_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    deleted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "customer"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class LegalEntity(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.OneToOneField("gearshop.Customer", related_name="legal_entity", on_delete=fields.CASCADE)
    name = fields.CharField(max_length=255)
    country = fields.CharField(max_length=2)  # RU, KZ, UA, ES: decides how tax_id is checked
    tax_id = fields.CharField(max_length=16)
    kpp = fields.CharField(max_length=9, default="")

    class Meta:
        table = "legal_entity"


class Address(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="addresses", on_delete=fields.CASCADE)
    label = fields.CharField(max_length=64, default="")
    country = fields.CharField(max_length=2, default="")
    region = fields.CharField(max_length=100, default="")
    city = fields.CharField(max_length=100)
    street = fields.CharField(max_length=255)
    postcode = fields.CharField(max_length=16, default="")
    is_default = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "address"
        ordering = ["id"]


class GarageVehicle(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="garage", on_delete=fields.CASCADE)
    vehicle = fields.ForeignKeyField("gearshop.Vehicle", related_name="garages", on_delete=fields.CASCADE)
    nickname = fields.CharField(max_length=64, default="")
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "garage_vehicle"
        unique_together = (("customer", "vehicle"),)


class ConsentKind(StrEnum):
    AGE_14 = "age_14"
    PRIVACY_POLICY = "privacy_policy"
    MARKETING = "marketing"


class Consent(Model):
    # One grant or withdrawal; the latest record of a kind is the current state.

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="consents", on_delete=fields.CASCADE)
    kind = fields.CharEnumField(ConsentKind)
    granted = fields.BooleanField()
    policy_version = fields.CharField(max_length=16)
    channel = fields.CharField(max_length=16)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "consent"
        ordering = ["id"]


class AuditEvent(Model):
    # The account's audit trail (P4, P12, P18): who did what, when, from where.

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="audit_events", null=True, on_delete=fields.CASCADE)
    event = fields.CharField(max_length=48)
    # "customer", "staff:<id>", "system"
    actor = fields.CharField(max_length=48, default="customer")
    channel = fields.CharField(max_length=16, default="web")
    ip = fields.CharField(max_length=45, null=True)
    detail = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "audit_event"
        ordering = ["id"]


class Session(Model):
    # A server-side web session; the cookie holds the token, the table only its hash.

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="sessions", null=True, on_delete=fields.CASCADE)
    data = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now_add=True)
    expires_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "session"


class TokenPurpose(StrEnum):
    PASSWORD_RESET = "password_reset"
    TELEGRAM_LINK = "telegram_link"
    EMAIL_CONFIRM = "email_confirm"


class AccountToken(Model):
    # A single-use token (reset link, Telegram deep link), stored hashed.

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="tokens", on_delete=fields.CASCADE)
    purpose = fields.CharEnumField(TokenPurpose)
    token_hash = fields.CharField(max_length=64, unique=True)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "account_token"


class RateCounter(Model):
    # Fixed-window counters for throttling when no Redis is configured.

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=160, unique=True)
    count = fields.IntField(default=0)
    window_ends_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "rate_counter"
