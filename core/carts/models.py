"""Carts: anonymous ones belong to an opaque token, a customer's to the customer."""

from tortoise import fields
from tortoise.models import Model


class Cart(Model):
    id = fields.IntField(primary_key=True)
    # sha256 of the opaque cookie token; the token itself is never stored.
    token_hash = fields.CharField(max_length=64, unique=True, null=True)
    customer = fields.OneToOneField("gearshop.Customer", related_name="cart", null=True, on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True, db_index=True)

    class Meta:
        table = "cart"


class CartLine(Model):
    id = fields.IntField(primary_key=True)
    cart = fields.ForeignKeyField("gearshop.Cart", related_name="lines", on_delete=fields.CASCADE)
    part = fields.ForeignKeyField("gearshop.Part", related_name="cart_lines", on_delete=fields.CASCADE)
    quantity = fields.IntField()
    added_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cart_line"
        unique_together = (("cart", "part"),)
        ordering = ["id"]
