"""Email through a real SMTP server (aiosmtpd): the order email in each language, its parts and
headers, no header injection, SMTP down then up, 4xx/5xx replies, login with STARTTLS or TLS."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core.adapters.email import EmailAdapter, build_email
from core.adapters.staff_email import StaffEmailAdapter
from core.notifications.models import OutboxMessage, OutboxStatus, Purpose
from core.notifications.ports import Outgoing, PermanentError, TransientError
from core.notifications.worker import OutboxWorker
from core.orders.models import Order
from core.privacy.models import Disclosure
from tests.conftest import replace_settings
from tests.core.notifications_factories import console_adapters, make_customer, make_order, queue
from tests.fakes.smtp import SmtpServer, free_port, self_signed_certificate

SENDER = "gearshop <shop@gearshop.example>"
REPLY_TO = "support@gearshop.example"

SUBJECTS = {
    "en": "Order {number} received — gearshop",
    "uk": "Замовлення {number} отримано — gearshop",
    "ru": "Заказ {number} получен — gearshop",
    "es": "Pedido {number} recibido — gearshop",
}
GREETINGS = {"en": "Hello, Shevchenko Olena!", "uk": "Вітаємо, Shevchenko Olena!",
             "ru": "Здравствуйте, Shevchenko Olena!", "es": "¡Hola, Shevchenko Olena!"}
TOTALS = {"en": "Order total: UAH2,570.00", "uk": "Разом до сплати: 2\xa0570,00\xa0₴",
          "ru": "Итого к оплате: 2\xa0570,00\xa0₴", "es": "Total del pedido: 2.570,00\xa0UAH"}
DATES = {"en": "Order date: Nov 24, 2026", "uk": "Дата замовлення: 24 лист. 2026\u202fр.",
         "ru": "Дата заказа: 24 нояб. 2026\u202fг.", "es": "Fecha del pedido: 24 nov 2026"}
# Cash on delivery is said once, not "Cash on delivery (Pay on delivery)".
PAYMENTS = {"en": "Payment: Cash on delivery", "uk": "Оплата: Готівкою при отриманні",
            "ru": "Оплата: Наличными при получении", "es": "Pago: Contra reembolso"}


def email_settings(settings, port: int, **email):
    values = {"adapter": "smtp", "host": "127.0.0.1", "port": port, "sender": SENDER, "reply_to": REPLY_TO,
              "timeout_seconds": 5.0, **email}
    return replace_settings(settings, notifications={"email": values, "backoff_base_seconds": 60.0})


def smtp_adapters(settings, **kwargs):
    adapters = console_adapters(io.StringIO())
    adapters["email"] = EmailAdapter(settings.notifications.email, **kwargs)
    return adapters


def outgoing(**overrides) -> Outgoing:
    values = dict(message_id=1, kind="order_placed", purpose=Purpose.ORDER, channel="email", locale="en",
                  personal={"email": "olena@example.com", "name": "Olena"}, subject="Order GS-1 received",
                  text="Thank you", html="<p>Thank you</p>")
    values.update(overrides)
    return Outgoing(**values)


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
async def test_the_order_email_arrives_in_the_customers_language(db, settings, locale):
    customer = await make_customer(locale=locale)
    order = await make_order(customer, locale=locale)
    await Order.filter(id=order.id).update(created_at=dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC))
    await queue("order_placed", "email", customer=customer, order=order)
    with SmtpServer() as smtp:
        s = email_settings(settings, smtp.port)
        assert await OutboxWorker(s, smtp_adapters(s), "mail").run_once() == 1

    [received] = smtp.messages
    mail = received.message
    assert received.rcpt_tos == [customer.email]
    assert mail["Subject"] == SUBJECTS[locale].format(number=order.number)
    assert mail["From"] == SENDER and mail["Reply-To"] == REPLY_TO
    assert mail["To"].addresses[0].addr_spec == customer.email
    assert mail["To"].addresses[0].display_name == customer.full_name
    assert mail["Content-Language"] == locale
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    for part in (text, html):
        assert "0986452041" in part and "GDB1550" in part and "Brake pads, front" in part
        assert GREETINGS[locale] in part
    assert TOTALS[locale] in text and DATES[locale] in text.splitlines() and PAYMENTS[locale] in text.splitlines()
    assert DATES[locale] in html
    assert "<table" in html and f"<b>{order.number}</b>" in html
    assert customer.phone not in received.raw.decode()  # email gets email and name only (P7)


async def test_no_data_can_add_a_header(db, settings):
    customer = await make_customer(first_name="Olena\r\nBcc: thief@example.com\r\n", last_name="Шевченко")
    order = await make_order(customer, number="GS-1\r\nBcc: t2@ex.io")
    row = await queue("order_placed", "email", customer=customer, order=order)
    with SmtpServer() as smtp:
        s = email_settings(settings, smtp.port)
        await OutboxWorker(s, smtp_adapters(s), "mail").run_once()
    # The customer still gets the order email, and nobody else does.
    [received] = smtp.messages
    assert received.rcpt_tos == [customer.email]
    await row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    mail = received.message
    assert "Bcc" not in mail
    assert mail["Subject"] == "Order GS-1 Bcc: t2@ex.io received — gearshop"  # one line, shown as text
    [to] = mail["To"].addresses
    assert (to.addr_spec, to.display_name) == (customer.email, "Шевченко Olena Bcc: thief@example.com")
    headers = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # non-ASCII is encoded in headers
    assert not any(line.lower().startswith(("bcc", "cc")) for line in headers.splitlines())


def test_header_values_with_line_breaks_are_refused_and_names_are_quoted():
    for bad in ({"subject": "Hi\nBcc: x@example.com"}, {"reply_to": "a@example.com\r\nBcc: x@example.com"},
                {"to": [("Olena", "o@example.com\nBcc: x@example.com")]}, {"sender": "shop@example.com\rBcc: x@ex.com"}):
        values = {"sender": SENDER, "to": [("Olena", "o@example.com")], "subject": "Hi", "text": "t", **bad}
        with pytest.raises(PermanentError):
            build_email(**values)
    mail = build_email(sender=SENDER, to=[('Shevchenko, "Olena"', "o@example.com")], subject="Hi", text="t")
    assert len(mail["To"].addresses) == 1
    assert mail["To"].addresses[0].display_name == 'Shevchenko, "Olena"'


async def test_smtp_down_then_up_delivers_exactly_once(db, settings):
    port = free_port()
    s = email_settings(settings, port)
    worker = OutboxWorker(s, smtp_adapters(s), "mail")
    customer = await make_customer()
    row = await queue("order_confirmed", "email", customer=customer, order=await make_order(customer))

    assert await worker.run_once() == 1  # nobody listens on the port
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1) and "cannot connect" in row.last_error
    assert not await Disclosure.exists()  # nothing reached anybody
    with SmtpServer(port=port) as smtp:
        await OutboxMessage.filter(id=row.id).update(next_attempt_at=dt.datetime.now(dt.UTC))
        assert await worker.run_once() == 1
        assert await worker.run_once() == 0
    await row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(smtp.messages) == 1


async def test_4xx_replies_are_transient_and_5xx_permanent(settings):
    with SmtpServer() as smtp:
        adapter = EmailAdapter(email_settings(settings, smtp.port).notifications.email)
        smtp.refuse_recipients("451 4.3.0 Mailbox busy, try later")
        with pytest.raises(TransientError, match="451"):
            await adapter.send(outgoing())
        smtp.refuse_recipients("550 5.1.1 <olena@example.com>: no such user")
        with pytest.raises(PermanentError, match="550") as refused:
            await adapter.send(outgoing())
        assert "olena@example.com" not in str(refused.value)
        smtp.refuse_data("554 5.7.1 Message rejected as spam")
        with pytest.raises(PermanentError, match="554"):
            await adapter.send(outgoing())
        await adapter.send(outgoing())
    assert len(smtp.messages) == 1


@pytest.mark.parametrize("tls", ["starttls", "implicit"])
async def test_login_over_tls(settings, tmp_path, tls):
    server_tls, client_tls = self_signed_certificate(tmp_path)
    server = SmtpServer(login=("shop", "s3cret-password"), **{tls if tls == "starttls" else "implicit_tls": server_tls})
    with server as smtp:
        good = email_settings(settings, smtp.port, tls=tls, username="shop", password="s3cret-password")
        await EmailAdapter(good.notifications.email, tls_context=client_tls).send(outgoing())
        bad = email_settings(settings, smtp.port, tls=tls, username="shop", password="wrong")
        with pytest.raises(PermanentError, match="535"):
            await EmailAdapter(bad.notifications.email, tls_context=client_tls).send(outgoing())
        untrusted = EmailAdapter(good.notifications.email)  # the system does not trust the test certificate
        with pytest.raises(PermanentError, match="not trusted"):
            await untrusted.send(outgoing())
    assert len(smtp.messages) == 1


async def test_staff_email_goes_to_every_staff_address(db, settings):
    customer = await make_customer()
    order = await make_order(customer)
    await queue("order_placed", "staff_email", customer=customer, order=order)
    with SmtpServer() as smtp:
        s = replace_settings(email_settings(settings, smtp.port),
                             notifications={"staff": {"emails": ("desk@gearshop.example", "boss@gearshop.example")}})
        adapters = console_adapters(io.StringIO())
        adapters["staff_email"] = StaffEmailAdapter(s.notifications.email, s.notifications.staff.emails)
        assert await OutboxWorker(s, adapters, "mail").run_once() == 1
    [received] = smtp.messages
    assert sorted(received.rcpt_tos) == ["boss@gearshop.example", "desk@gearshop.example"]
    mail = received.message
    assert mail["Subject"] == f"New order {order.number}: UAH2,570.00"
    text = mail.get_body(("plain",)).get_content()
    assert f"Customer: {customer.full_name}, {customer.phone}" in text
    assert "Київ, branch 12" in text
    assert customer.email not in received.raw.decode()  # staff get name, phone and branch, not the email


async def test_the_language_header_names_the_language_the_email_is_written_in(db, settings):
    customer = await make_customer(locale="de")  # no German templates: the email is English
    await queue("order_delivered", "email", customer=customer, order=await make_order(customer))
    with SmtpServer() as smtp:
        s = email_settings(settings, smtp.port)
        await OutboxWorker(s, smtp_adapters(s), "mail").run_once()
    mail = smtp.messages[0].message
    assert mail["Content-Language"] == "en" and mail["Subject"].startswith("Order ")
    assert '<html lang="en">' in mail.get_body(("html",)).get_content()
