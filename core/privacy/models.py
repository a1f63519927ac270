"""Records the privacy promises need: disclosures (P7), access log (P12), visit statistics (P11)."""

from tortoise import fields
from tortoise.models import Model


class Disclosure(Model):
    # Personal data given to a processor: which processor, which fields, for whom, when.

    id = fields.IntField(primary_key=True)
    processor = fields.CharField(max_length=48)
    fields_sent = fields.JSONField(default=list)
    purpose = fields.CharField(max_length=16, default="order")
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="disclosures", null=True, on_delete=fields.CASCADE)
    order = fields.ForeignKeyField("gearshop.Order", related_name="disclosures", null=True, on_delete=fields.SET_NULL)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "disclosure"
        ordering = ["id"]


class AccessLog(Model):
    # Sign-ins and orders with IP and time, kept for privacy.access_log_days (P12).

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("gearshop.Customer", related_name="access_log", null=True, on_delete=fields.CASCADE)
    event = fields.CharField(max_length=32)
    ip = fields.CharField(max_length=45)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        table = "access_log"


class VisitStat(Model):
    # Aggregate visit counts per day; truncated IPs, no customer (P11).

    id = fields.IntField(primary_key=True)
    day = fields.DateField()
    ip_prefix = fields.CharField(max_length=45)
    browser = fields.CharField(max_length=32)
    os = fields.CharField(max_length=32)
    referrer_host = fields.CharField(max_length=128, default="")
    visits = fields.IntField(default=0)

    class Meta:
        table = "visit_stat"
        unique_together = (("day", "ip_prefix", "browser", "os", "referrer_host"),)
