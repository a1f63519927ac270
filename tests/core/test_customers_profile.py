"""P9: the customer edits the stored data; changing email or phone needs the password and tells the old address."""

import pytest

from core.customers.accounts import find_or_create_by_phone, update_profile
from core.customers.consents import current_marketing_consent, set_marketing
from core.customers.models import AuditEvent, Consent, ConsentKind, Customer, LegalEntity
from core.customers.validation import LegalEntityData
from core.errors import ValidationError
from core.notifications.models import OutboxMessage, Purpose
from core.notifications.outbox import notify
from tests.core.test_customers_registration import PASSWORD, register

OLD_EMAIL = "olena.shevchenko@example.com"


async def test_email_change_needs_the_password(db):
    customer = await register()
    for password in (None, "not my password"):
        with pytest.raises(ValidationError) as caught:
            await update_profile(customer, {"email": "new@example.com"}, password=password, ip="192.0.2.2")
        assert list(caught.value.fields) == ["password"]
    stored = await Customer.get(id=customer.id)
    assert stored.email == OLD_EMAIL
    assert not await OutboxMessage.exists()
    assert await AuditEvent.filter(customer_id=customer.id, event="profile_change_refused").count() == 2


async def test_email_change_notifies_the_old_address(db):
    customer = await register()
    await update_profile(customer, {"email": "New.Address@Example.com"}, password=PASSWORD, ip="192.0.2.2")
    assert (await Customer.get(id=customer.id)).email == "new.address@example.com"
    messages = await OutboxMessage.filter(kind="email_changed").order_by("id")
    # To the new address (the current one) and to the old one.
    assert [(m.recipient, m.channel, m.purpose) for m in messages] == [
        ("", "email", Purpose.ACCOUNT), (OLD_EMAIL, "email", Purpose.ACCOUNT)]
    assert all("new.address" not in str(m.payload) for m in messages)
    event = await AuditEvent.get(customer_id=customer.id, event="profile_changed")
    assert (event.ip, event.detail["fields"]) == ("192.0.2.2", ["email"])


async def test_phone_change_notifies_the_old_number_by_sms(db):
    customer = await register()
    await update_profile(customer, {"phone": "067 765 4321"}, password=PASSWORD, ip=None)
    assert (await Customer.get(id=customer.id)).phone == "+380677654321"
    messages = await OutboxMessage.filter(kind="phone_changed").order_by("id")
    # The current channels (email here: SMS is for order events) and the old number by SMS.
    assert [(m.recipient, m.channel) for m in messages] == [("", "email"), ("+380501234567", "sms")]


async def test_names_and_car_change_without_password_and_are_audited(db):
    customer = await register()
    await update_profile(customer, {"first_name": " Olha ", "car_model": "Passat B8", "display_name": "Olha from Lviv"},
                         ip="192.0.2.2")
    stored = await Customer.get(id=customer.id)
    assert (stored.first_name, stored.car_model, stored.display_name) == ("Olha", "Passat B8", "Olha from Lviv")
    event = await AuditEvent.get(customer_id=customer.id, event="profile_changed")
    assert sorted(event.detail["fields"]) == ["car_model", "display_name", "first_name"]
    assert "Olha" not in str(event.detail)  # the trail names fields, not values


async def test_bad_changes_are_all_reported_and_nothing_changes(db):
    customer = await register()
    with pytest.raises(ValidationError) as caught:
        await update_profile(customer, {"first_name": "", "phone": "123", "display_name": "mail me: a@b.com",
                                        "is_staff": True, "legal_entity": LegalEntityData("X", "UA", "14360571")},
                             password=PASSWORD)
    assert set(caught.value.fields) == {"first_name", "phone", "display_name", "is_staff", "tax_id"}
    stored = await Customer.get(id=customer.id)
    assert (stored.first_name, stored.is_staff) == ("Olena", False)
    assert not await LegalEntity.exists()


async def test_email_of_another_account_is_refused(db):
    customer = await register()
    await register(email="other@example.com", phone="+380991112233")
    with pytest.raises(ValidationError) as caught:
        await update_profile(customer, {"email": "other@example.com"}, password=PASSWORD)
    assert list(caught.value.fields) == ["email"]


async def test_legal_entity_can_be_added_changed_and_removed(db):
    customer = await register()
    await update_profile(customer, {"legal_entity": LegalEntityData("ТОВ Автодеталі", "UA", "14360570")})
    assert (await LegalEntity.get(customer_id=customer.id)).tax_id == "14360570"
    await update_profile(customer, {"legal_entity": LegalEntityData("Recambios SL", "ES", "A28015865")})
    legal = await LegalEntity.get(customer_id=customer.id)
    assert (legal.name, legal.country, legal.tax_id) == ("Recambios SL", "ES", "A28015865")
    await update_profile(customer, {"legal_entity": None})
    assert not await LegalEntity.exists()


async def test_a_bot_only_customer_changes_the_phone_without_a_password(db):
    customer, _ = await find_or_create_by_phone("+380671112233", telegram_user_id=9, locale="uk",
                                                consents_given=True, policy_version="1")
    await update_profile(customer, {"phone": "+380671112244"}, channel="telegram")
    assert (await Customer.get(id=customer.id)).phone == "+380671112244"


async def test_marketing_consent_on_and_off_leaves_a_record_each_time(db):
    customer = await register()
    assert await current_marketing_consent(customer) is False
    assert await notify("newsletter", purpose=Purpose.MARKETING, customer=customer, payload={}) == []
    await set_marketing(customer, True, "web")
    assert await current_marketing_consent(customer) is True
    assert len(await notify("newsletter", purpose=Purpose.MARKETING, customer=customer, payload={})) == 1
    await set_marketing(customer, False, "telegram")
    assert await current_marketing_consent(customer) is False
    records = await Consent.filter(customer_id=customer.id, kind=ConsentKind.MARKETING).order_by("id")
    assert [(r.granted, r.channel, r.policy_version) for r in records] == [(True, "web", "3"), (False, "telegram", "3")]
