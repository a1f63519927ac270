"""P12, P17: `python -m core purge` (run from cron) deletes, in a real process, what is past its
configured retention period and keeps everything younger."""

from __future__ import annotations

import datetime as dt

from core import db as core_db
from core.carts.models import Cart
from core.customers.models import Customer, Session
from core.privacy.models import AccessLog, VisitStat
from tests.core.test_catalogue_cli import new_shop, run_core

NOW = dt.datetime.now(dt.UTC)


async def seed(url: str) -> dict[str, int]:
    """One row past its retention and one within it, of each kind; returns the ids to keep."""
    async with core_db.database(url):
        customer = await Customer.create(first_name="Ana", email="ana@example.com", confirmed_at=NOW)
        old_log = await AccessLog.create(customer=customer, event="sign_in", ip="192.0.2.10")
        await AccessLog.filter(id=old_log.id).update(created_at=NOW - dt.timedelta(days=31))
        new_log = await AccessLog.create(customer=customer, event="order", ip="192.0.2.10")
        old_cart = await Cart.create(token_hash="a" * 64)
        await Cart.filter(id=old_cart.id).update(updated_at=NOW - dt.timedelta(days=4))
        new_cart = await Cart.create(token_hash="b" * 64)
        await Session.create(token_hash="c" * 64, customer=customer, expires_at=NOW - dt.timedelta(minutes=1))
        live = await Session.create(token_hash="d" * 64, customer=customer, expires_at=NOW + dt.timedelta(hours=1))
        await VisitStat.create(day=(NOW - dt.timedelta(days=11)).date(), ip_prefix="192.0.2.0", browser="Chrome",
                               os="Linux", visits=3)
        new_visits = await VisitStat.create(day=NOW.date(), ip_prefix="192.0.2.0", browser="Chrome", os="Linux",
                                            visits=1)
        return {"log": new_log.id, "cart": new_cart.id, "session": live.id, "visits": new_visits.id}


async def test_the_purge_command_applies_the_configured_periods(tmp_path):
    config = new_shop(tmp_path / "shop")
    config.write_text(config.read_text(encoding="utf-8") + "\n[privacy]\naccess_log_days = 30\n"
                      "anonymous_cart_days = 3\nvisit_stats_days = 10\n", encoding="utf-8")
    url = f"sqlite://{tmp_path}/shop/shop.sqlite3"
    kept = await seed(url)

    result = run_core(config, "purge")

    assert result.returncode == 0, result.stderr
    printed = dict(line.split(": ") for line in result.stdout.splitlines())
    assert (printed["access_log"], printed["anonymous_carts"], printed["sessions"], printed["visit_stats"]) == (
        "1", "1", "1", "1")
    async with core_db.database(url):
        assert await AccessLog.all().values_list("id", flat=True) == [kept["log"]]
        assert await Cart.all().values_list("id", flat=True) == [kept["cart"]]
        assert await Session.all().values_list("id", flat=True) == [kept["session"]]
        assert await VisitStat.all().values_list("id", flat=True) == [kept["visits"]]
    again = run_core(config, "purge")
    assert again.returncode == 0 and set(dict(l.split(": ") for l in again.stdout.splitlines()).values()) == {"0"}
