"""P11, P12, P17, P18, P19: visit statistics, access log, retention purge, audited staff access, policy."""

import datetime as dt

import pytest

from core.carts.models import Cart
from core.customers.models import AccountToken, AuditEvent, Customer, Session, TokenPurpose
from core.errors import PermissionDenied, ValidationError
from core.orders.models import Channel, DeliveryMethod, Order, PaymentMethod, PaymentState
from core.privacy.access_log import record_access
from core.privacy.models import AccessLog, VisitStat
from core.privacy.policy import policy_context
from core.privacy.retention import purge
from core.privacy.visits import record_visit, truncate_ip

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.UTC)
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"


def test_ip_addresses_are_truncated_to_a_network():
    assert truncate_ip("203.0.113.77") == "203.0.113.0"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::"
    assert truncate_ip("not an ip") == "unknown"


async def test_visits_are_aggregated_per_day_without_the_full_ip(db):
    day = dt.date(2026, 11, 20)
    for last in (1, 2, 3):
        await record_visit(f"198.51.100.{last}", CHROME, "https://www.google.com/search?q=pads", day)
    rows = await VisitStat.all().values()
    assert len(rows) == 1
    row = rows[0]
    assert row["visits"] == 3 and row["ip_prefix"] == "198.51.100.0"
    assert (row["browser"], row["os"], row["referrer_host"]) == ("Chrome", "Windows", "www.google.com")
    assert not any("198.51.100.1" == str(v) for v in row.values())


async def test_access_log_keeps_customer_ip_and_time_then_is_purged(db, settings):
    customer = await Customer.create(first_name="Ana", email="ana@example.com", confirmed_at=NOW)
    await record_access(customer.id, "sign_in", "192.0.2.10")
    await record_access(customer.id, "sign_in", None)  # Telegram: no IP, nothing recorded
    entry = await AccessLog.get(customer_id=customer.id)
    assert (entry.event, entry.ip) == ("sign_in", "192.0.2.10")

    keep_days = settings.privacy.access_log_days
    await AccessLog.filter(id=entry.id).update(created_at=NOW - dt.timedelta(days=keep_days + 1))
    fresh = await AccessLog.create(customer_id=customer.id, event="order", ip="192.0.2.10")
    counts = await purge(settings, now=NOW)
    assert counts["access_log"] == 1
    assert [row.id for row in await AccessLog.all()] == [fresh.id]


async def test_purge_removes_what_is_past_retention_and_keeps_the_rest(db, settings):
    days = settings.privacy
    old = NOW - dt.timedelta(days=days.anonymous_cart_days + 1)
    stale_cart = await Cart.create(token_hash="a" * 64)
    await Cart.filter(id=stale_cart.id).update(updated_at=old)
    live_cart = await Cart.create(token_hash="b" * 64)
    await Cart.filter(id=live_cart.id).update(updated_at=NOW)

    expired = await Session.create(token_hash="c" * 64, expires_at=NOW - dt.timedelta(minutes=1))
    live = await Session.create(token_hash="d" * 64, expires_at=NOW + dt.timedelta(minutes=30))
    await Session.filter(id=live.id).update(created_at=NOW)

    abandoned = await Customer.create(first_name="Never", email="never@example.com")
    await Customer.filter(id=abandoned.id).update(created_at=NOW - dt.timedelta(days=days.unconfirmed_account_days + 1))
    confirmed = await Customer.create(first_name="Real", email="real@example.com", confirmed_at=NOW)
    await Customer.filter(id=confirmed.id).update(created_at=NOW - dt.timedelta(days=900))
    unconfirmed_buyer = await Customer.create(first_name="Buyer", email="buyer@example.com")
    await Customer.filter(id=unconfirmed_buyer.id).update(created_at=NOW - dt.timedelta(days=900))
    await Order.create(number="GS-TEST-0001", customer=unconfirmed_buyer, channel=Channel.WEB, currency="EUR",
                       subtotal=100, shipping_price=0, total=100, delivery_method=DeliveryMethod.PICKUP,
                       payment_method=PaymentMethod.CASH, payment_state=PaymentState.NOT_REQUIRED)
    await AccountToken.create(customer=confirmed, purpose=TokenPurpose.PASSWORD_RESET, token_hash="e" * 64,
                              expires_at=NOW - dt.timedelta(minutes=1))

    counts = await purge(settings, now=NOW)

    assert counts["anonymous_carts"] == 1 and await Cart.filter(id=live_cart.id).exists()
    assert counts["sessions"] == 1 and not await Session.filter(id=expired.id).exists()
    assert await Session.filter(id=live.id).exists()
    assert counts["unconfirmed_accounts"] == 1
    assert set(await Customer.all().values_list("first_name", flat=True)) == {"Real", "Buyer"}
    assert counts["expired_tokens"] == 1


async def test_staff_data_view_needs_staff_and_a_reason_and_is_audited(db):
    staff = await Customer.create(first_name="Staff", email="staff@example.com", is_staff=True)
    clerk = await Customer.create(first_name="Not", email="not-staff@example.com")
    target = await Customer.create(first_name="Olena", email="olena@example.com", phone="+380501234567")
    from core.privacy.staff import view_customer_data

    with pytest.raises(PermissionDenied):
        await view_customer_data(clerk, target.id, "court order 12/3")
    with pytest.raises(ValidationError):
        await view_customer_data(staff, target.id, "")
    assert not await AuditEvent.filter(event="staff_data_view").exists()

    data = await view_customer_data(staff, target.id, "court order 12/3", ip="192.0.2.1")
    assert "olena@example.com" in str(data)
    event = await AuditEvent.get(event="staff_data_view")
    assert (event.customer_id, event.actor, event.detail["reason"]) == (target.id, f"staff:{staff.id}", "court order 12/3")


def test_policy_is_generated_from_configuration_and_inventory(settings):
    from tests.conftest import replace_settings

    settings = replace_settings(settings, shop={"controller_name": "Recambios SL", "controller_contact": "dpo@recambios.es",
                                                "policy_version": "7", "policy_date": "2026-10-01"})
    context = policy_context(settings, processors=[{"name": "smtp", "fields": ["email", "name"]}])
    assert context["controller"]["name"] == "Recambios SL"
    assert context["controller"]["contact"] == "dpo@recambios.es"
    assert (context["version"], context["date"]) == ("7", "2026-10-01")
    retention = {kind["key"]: kind["retention_days"] for kind in context["inventory"]}
    assert retention["access_log"] == settings.privacy.access_log_days
    assert context["processors"] == [{"name": "smtp", "fields": ["email", "name"]}]
