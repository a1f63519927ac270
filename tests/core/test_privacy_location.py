"""P13: the shop knows a place only as the customer typed it (an address, a carrier branch); it
stores no coordinates and derives no location from an IP address."""

from __future__ import annotations

import re

from tortoise import Tortoise

from core.privacy.models import VisitStat
from core.privacy.visits import record_visit

# Every column that holds a place or a network address, and why it may.
PLACES = {
    ("Address", "country"), ("Address", "region"), ("Address", "city"), ("Address", "street"),
    ("Address", "postcode"),  # a delivery address the customer typed
    ("Order", "delivery_address"), ("Order", "carrier_city"), ("Order", "carrier_branch"),  # its order snapshot
    ("LegalEntity", "country"),  # the country of registration, which decides how the tax id is checked
    ("AccessLog", "ip"), ("AuditEvent", "ip"),  # P12: fraud prevention, purged after its period
    ("VisitStat", "ip_prefix"),  # P11: truncated to the network
}
PLACE_LIKE = re.compile(r"lat|lon|lng|geo|coord|gps|locat|position_|city|region|street|postcode|country|address"
                        r"|branch|^ip|_ip|place|zone|area")


def place_columns() -> set[tuple[str, str]]:
    found = set()
    for name, model in Tortoise.apps["gearshop"].items():
        for field, kind in model._meta.fields_map.items():
            relation = kind.__class__.__name__.startswith(("ForeignKey", "OneToOne", "ManyToMany", "BackwardFK",
                                                           "BackwardOneToOne"))
            if not relation and PLACE_LIKE.search(field):
                found.add((name, field))
    return found


async def test_no_column_holds_a_location_the_customer_did_not_type(db):
    assert place_columns() == PLACES


async def test_visit_statistics_derive_no_place_from_the_ip(db):
    await record_visit("198.51.100.23", "Mozilla/5.0 (Windows NT 10.0) Chrome/130.0", "https://maps.example/kyiv")
    row = (await VisitStat.all().values())[0]
    assert set(row) == {"id", "day", "ip_prefix", "browser", "os", "referrer_host", "visits"}
    assert row["ip_prefix"] == "198.51.100.0"
