"""Dates in messages are on the shop's clock (`[shop] timezone`): an order placed late in the evening
(UTC) is dated the next day in an email to a customer in Kyiv, sent through a real SMTP server; the
default clock is UTC. The stored moment does not change."""

from __future__ import annotations

import datetime as dt

import pytest

from core.i18n import format_day, format_moment
from core.notifications.worker import OutboxWorker
from core.orders.models import Order
from tests.conftest import replace_settings
from tests.core.notifications_factories import make_customer, make_order, queue
from tests.core.test_adapters_email import email_settings, smtp_adapters
from tests.fakes.smtp import SmtpServer

PLACED = dt.datetime(2026, 1, 15, 22, 30, tzinfo=dt.UTC)  # 00:30 on 16 January in Kyiv (UTC+2)

DATES = {
    ("Europe/Kyiv", "en"): "Order date: Jan 16, 2026",
    ("Europe/Kyiv", "uk"): "Дата замовлення: 16 січ. 2026\u202fр.",
    ("UTC", "en"): "Order date: Jan 15, 2026",
    ("UTC", "uk"): "Дата замовлення: 15 січ. 2026\u202fр.",
}


@pytest.mark.parametrize(("zone", "locale"), list(DATES))
async def test_the_order_email_is_dated_on_the_shops_day(db, settings, zone, locale):
    if zone != "UTC":  # UTC: the shipped default
        settings = replace_settings(settings, shop={"timezone": zone})
    customer = await make_customer(locale=locale)
    order = await make_order(customer, locale=locale)
    await Order.filter(id=order.id).update(created_at=PLACED)
    await queue("order_placed", "email", customer=customer, order=order)
    with SmtpServer() as smtp:
        s = email_settings(settings, smtp.port)
        assert await OutboxWorker(s, smtp_adapters(s), "mail").run_once() == 1

    [received] = smtp.messages
    text = received.message.get_body(("plain",)).get_content()
    html = received.message.get_body(("html",)).get_content()
    assert DATES[zone, locale] in text.splitlines() and DATES[zone, locale] in html
    others = [date for (other_zone, other_locale), date in DATES.items() if other_locale == locale and other_zone != zone]
    assert not any(date in text or date in html for date in others)
    assert (await Order.get(id=order.id)).created_at == PLACED  # stored in UTC as it was


def test_moments_and_days_follow_the_zone_and_its_summer_time():
    summer = dt.datetime(2026, 7, 15, 17, 0, tzinfo=dt.UTC)
    winter = dt.datetime(2026, 1, 15, 17, 0, tzinfo=dt.UTC)
    assert format_moment(winter, "en", zone="Europe/Kyiv") == "Jan 15, 2026, 7:00:00\u202fPM"
    assert format_moment(summer, "en", zone="Europe/Kyiv") == "Jul 15, 2026, 8:00:00\u202fPM"
    assert format_moment(summer, "uk", zone="UTC") == "15 лип. 2026\u202fр., 17:00:00"
    assert format_moment(summer.replace(tzinfo=None), "en", zone="Europe/Kyiv") == "Jul 15, 2026, 8:00:00\u202fPM"
    assert format_day(PLACED, "en", zone="Europe/Kyiv") == "Jan 16, 2026"
    assert format_day(PLACED, "en", zone="America/New_York") == "Jan 15, 2026"
    assert format_day(PLACED.date(), "en", zone="Europe/Kyiv") == "Jan 15, 2026"  # a date is a day already
