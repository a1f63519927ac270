"""P18: staff produce a customer's data for a legal request with `python -m core customer-data`,
only as staff and only with a reason; every such view is in the customer's audit trail with who,
when and why."""

from __future__ import annotations

import datetime as dt
import json

from core import db as core_db
from core.customers.models import AuditEvent, Customer
from tests.core.test_catalogue_cli import new_shop, run_core


async def test_staff_export_a_customers_data_with_a_reason_and_it_is_audited(tmp_path):
    config = new_shop(tmp_path / "shop")
    url = f"sqlite://{tmp_path}/shop/shop.sqlite3"
    async with core_db.database(url):
        staff = await Customer.create(first_name="Desk", email="desk@example.com", is_staff=True)
        clerk = await Customer.create(first_name="Clerk", email="clerk@example.com")
        target = await Customer.create(first_name="Olena", last_name="Koval", email="olena@example.com",
                                       phone="+380501234567")

    refused = run_core(config, "customer-data", str(target.id), "--staff", str(clerk.id), "--reason", "curious")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip() == "error: Only staff can view a customer's data."
    no_reason = run_core(config, "customer-data", str(target.id), "--staff", str(staff.id), "--reason", " ")
    assert no_reason.returncode == 2 and no_reason.stdout == "" and "reason" in no_reason.stderr
    unknown = run_core(config, "customer-data", "999", "--staff", str(staff.id), "--reason", "court order 12/3")
    assert unknown.returncode == 2 and unknown.stdout == ""
    async with core_db.database(url):
        assert not await AuditEvent.filter(event="staff_data_view").exists()

    before = dt.datetime.now(dt.UTC)
    done = run_core(config, "customer-data", str(target.id), "--staff", str(staff.id),
                    "--reason", "court order 12/3 of the Pechersk district court")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["profile"]["email"], data["profile"]["phone"]) == ("olena@example.com", "+380501234567")
    async with core_db.database(url):
        event = await AuditEvent.get(event="staff_data_view")
    assert (event.customer_id, event.actor, event.channel) == (target.id, f"staff:{staff.id}", "staff")
    assert event.detail == {"reason": "court order 12/3 of the Pechersk district court"}
    assert event.created_at >= before - dt.timedelta(seconds=1)
    # The customer sees it too: the next export lists who looked and why.
    again = json.loads(run_core(config, "customer-data", str(target.id), "--staff", str(staff.id),
                                "--reason", "second look").stdout)
    assert [(e["event"], e["actor"], e["detail"]["reason"]) for e in again["audit_trail"]] == [
        ("staff_data_view", f"staff:{staff.id}", "court order 12/3 of the Pechersk district court"),
        ("staff_data_view", f"staff:{staff.id}", "second look")]
