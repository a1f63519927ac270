"""`python -m core staff grant|revoke|list`, in a real process on an SQLite file."""

from __future__ import annotations

import asyncio

from core import db as core_db
from tests.core.test_catalogue_cli import new_shop, run_core


def database_url(config) -> str:
    return f"sqlite://{config.parent}/shop.sqlite3"


async def add_customer(url: str, email: str) -> None:
    from core.customers.models import Customer

    async with core_db.database(url):
        await Customer.create(first_name="Desk", last_name="Staff", email=email, phone="+380671112233")


async def staff_state(url: str, email: str) -> tuple[bool, list[str]]:
    from core.customers.models import AuditEvent, Customer

    async with core_db.database(url):
        customer = await Customer.get(email=email)
        events = await AuditEvent.filter(customer=customer).order_by("id").values_list("event", flat=True)
        return customer.is_staff, list(events)


def test_granting_and_revoking_staff_is_audited(tmp_path):
    config = new_shop(tmp_path / "shop")
    url = database_url(config)
    asyncio.run(add_customer(url, "desk@gearshop.example"))

    granted = run_core(config, "staff", "grant", "Desk@Gearshop.example")
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.strip() == "desk@gearshop.example is staff now"
    assert "desk@gearshop.example" in run_core(config, "staff", "list").stdout
    assert asyncio.run(staff_state(url, "desk@gearshop.example")) == (True, ["staff_granted"])

    revoked = run_core(config, "staff", "revoke", "desk@gearshop.example")
    assert revoked.returncode == 0 and "is no longer staff" in revoked.stdout
    assert asyncio.run(staff_state(url, "desk@gearshop.example")) == (False, ["staff_granted", "staff_revoked"])


def test_an_unknown_email_is_one_line_and_changes_nothing(tmp_path):
    config = new_shop(tmp_path / "shop")
    result = run_core(config, "staff", "grant", "nobody@example.com")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: No active customer has this email address. (nobody@example.com)"]
    assert run_core(config, "staff", "list").stdout == ""
