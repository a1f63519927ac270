"""P4 through the web shop: a customer registers, signs out, mistypes and signs in, changes
personal data and the password, forgets it and resets it. No password (right, wrong, old or
new) ends up in any table, log line or message the shop sends; each step is in the account's
audit trail."""

from __future__ import annotations

import io
import logging

from core.notifications.worker import OutboxWorker
from tests.core.notifications_factories import console_adapters
from tests.web.test_account_pages import profile
from tests.web.test_auth_pages import PASSWORD, input_value, post_form, register, reset_link_sent_to, sign_in
from tests.web.test_privacy_card_data import every_table_as_text
from web import keys

WRONG = "correct horse battery stapler"
CHANGED = "a changed passphrase of mine"
RESET = "the passphrase after the reset"


async def test_passwords_are_kept_nowhere_and_every_step_is_audited(app_client, db_url, caplog):
    from core.customers.models import AuditEvent, Customer

    caplog.set_level(logging.DEBUG)
    client = await app_client()
    assert (await register(client)).status == 303
    assert (await post_form(client, "/sign-out", {}, token_from="/account")).status == 303
    assert (await sign_in(client, password=WRONG)).status == 422
    assert (await sign_in(client)).status == 303
    changed = await post_form(client, "/account/profile", profile(first_name="Oksana", car_make="Skoda",
                                                                  email="oksana@example.com", password=PASSWORD))
    assert changed.status == 303
    assert (await post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": CHANGED,
                                                          "new_password_repeat": CHANGED})).status == 303
    await post_form(client, "/password-reset", {"email": "oksana@example.com"})
    link = (await reset_link_sent_to("oksana@example.com")).removeprefix("http://127.0.0.1:8080")
    token = input_value(await (await client.get(link)).text(), "token")
    reset = await post_form(client, "/password-reset/confirm", {"token": token, "new_password": RESET,
                                                                 "new_password_repeat": RESET}, token_from=link)
    assert reset.status == 303
    assert (await sign_in(client, email="oksana@example.com", password=RESET)).status == 303

    customer = await Customer.get(email="oksana@example.com")
    events = await AuditEvent.filter(customer_id=customer.id).order_by("id").values_list("event", flat=True)
    assert events == ["registered", "signed_out", "sign_in_failed", "signed_in", "profile_changed",
                      "password_changed", "password_reset_requested", "password_reset", "signed_out", "signed_in"]

    printed = io.StringIO()  # the emails it sends: the change told to the old address, the reset link
    assert await OutboxWorker(client.server.app[keys.SETTINGS], console_adapters(printed), "p4").run_once() >= 2
    assert "email=olena@example.com" in printed.getvalue() and "/password-reset/confirm?token=" in printed.getvalue()
    stored, _ = await every_table_as_text(db_url.kind)
    assert "oksana@example.com" in stored  # the dump does see the account
    for secret in (PASSWORD, WRONG, CHANGED, RESET):
        for where, text in (("tables", stored), ("logs", caplog.text), ("messages", printed.getvalue())):
            assert secret not in text, f"a password is in the {where}"
