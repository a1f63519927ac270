"""P3, P16: registration asks for exactly the listed fields, validates each, stores the consents."""

import dataclasses

import pytest

from core.customers.accounts import RegistrationData, find_or_create_by_phone, register_customer
from core.customers.models import (
    Address,
    AuditEvent,
    Consent,
    ConsentKind,
    Customer,
    LegalEntity,
)
from core.customers.validation import AddressData, LegalEntityData
from core.errors import Conflict, Throttled, ValidationError
from core.ratelimit import DatabaseRateLimiter

PASSWORD = "amber lantern quietly"


def registration(**changes) -> RegistrationData:
    data = RegistrationData(
        last_name="Shevchenko", first_name="Olena", patronymic="Petrivna", phone="050 123 4567",
        email="Olena.Shevchenko@Example.COM", password=PASSWORD, car_make="Volkswagen", car_model="Golf VII",
        age_confirmed=True, privacy_accepted=True, locale="uk-UA",
    )
    return dataclasses.replace(data, **changes)


async def register(**changes) -> Customer:
    return await register_customer(registration(**changes), policy_version="3", ip="192.0.2.5")


async def test_registration_stores_normalised_fields_and_consents(db):
    customer = await register(address=AddressData(city="Kyiv", street="Khreshchatyk 1, flat 5", country="ua",
                                                  postcode="01001"))
    stored = await Customer.get(id=customer.id)
    assert (stored.last_name, stored.first_name, stored.patronymic) == ("Shevchenko", "Olena", "Petrivna")
    assert stored.phone == "+380501234567"  # national format read with the address country
    assert stored.email == "olena.shevchenko@example.com"
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert (stored.car_make, stored.car_model, stored.locale) == ("Volkswagen", "Golf VII", "uk")
    assert stored.confirmed_at is not None  # registration is complete: the retention purge keeps it
    address = await Address.get(customer_id=customer.id)
    assert (address.country, address.city, address.is_default) == ("UA", "Kyiv", True)

    consents = await Consent.filter(customer_id=customer.id).order_by("id")
    assert [(c.kind, c.granted, c.policy_version, c.channel) for c in consents] == [
        (ConsentKind.AGE_14, True, "3", "web"), (ConsentKind.PRIVACY_POLICY, True, "3", "web")]
    assert all(c.created_at is not None for c in consents)  # marketing stays off: no record
    event = await AuditEvent.get(customer_id=customer.id, event="registered")
    assert event.ip == "192.0.2.5"


async def test_marketing_consent_is_recorded_only_when_chosen(db):
    customer = await register(marketing_opt_in=True)
    marketing = await Consent.get(customer_id=customer.id, kind=ConsentKind.MARKETING)
    assert (marketing.granted, marketing.policy_version) == (True, "3")


async def test_phone_in_another_country_and_international_format(db):
    spanish = await register(phone="612 34 56 78", email="ana@example.es",
                             address=AddressData(city="Madrid", street="Gran Vía 1", country="ES"))
    assert spanish.phone == "+34612345678"
    russian = await register(phone="+7 (912) 345-67-89", email="ivan@example.ru")
    assert russian.phone == "+79123456789"


async def test_legal_entity_is_stored_after_its_tax_id_is_checked(db):
    customer = await register(legal_entity=LegalEntityData(name="ПАО Сбербанк", country="ru",
                                                           tax_id="7707 083 893", kpp="773601001"))
    legal = await LegalEntity.get(customer_id=customer.id)
    assert (legal.name, legal.country, legal.tax_id, legal.kpp) == ("ПАО Сбербанк", "RU", "7707083893", "773601001")


async def test_every_bad_field_is_reported_at_once_and_nothing_is_saved(db):
    bad = registration(
        last_name="", first_name="Olena3", patronymic="<script>", phone="12", email="olena@", password="short",
        car_model="x" * 97, age_confirmed=False, privacy_accepted=False,
        address=AddressData(city="", street="", country="Atlantis"),
        legal_entity=LegalEntityData(name="", country="RU", tax_id="7707083894"),
    )
    with pytest.raises(ValidationError) as caught:
        await register_customer(bad, policy_version="3")
    assert set(caught.value.fields) == {
        "last_name", "first_name", "patronymic", "phone", "email", "password", "car_model", "age_confirmed",
        "privacy_accepted", "address_city", "address_street", "address_country", "legal_name", "tax_id", "kpp",
    }
    assert "14" in caught.value.fields["age_confirmed"]
    assert "12 characters" in caught.value.fields["password"]
    assert not await Customer.exists()
    assert not await Consent.exists() and not await Address.exists() and not await LegalEntity.exists()


@pytest.mark.parametrize("field", ["age_confirmed", "privacy_accepted"])
async def test_age_and_privacy_confirmations_are_required(db, field):
    with pytest.raises(ValidationError) as caught:
        await register(**{field: False})
    assert list(caught.value.fields) == [field]
    assert not await Customer.exists()


async def test_common_password_is_refused(db):
    with pytest.raises(ValidationError) as caught:
        await register(password="Qwerty123456")
    assert list(caught.value.fields) == ["password"]


async def test_duplicate_email_and_phone_are_field_errors(db):
    await register()
    with pytest.raises(ValidationError) as caught:
        await register(email="OLENA.shevchenko@example.com", phone="+380501234567")
    assert set(caught.value.fields) == {"email", "phone"}
    assert await Customer.all().count() == 1


async def test_names_in_any_script_with_hyphens_and_apostrophes(db):
    customer = await register(last_name="Д'Артаньян-Ковальчук", first_name="José María", patronymic="")
    assert (customer.last_name, customer.first_name, customer.patronymic) == ("Д'Артаньян-Ковальчук", "José María", "")


async def test_registrations_per_ip_are_throttled(db):
    limiter = DatabaseRateLimiter()
    for n in range(2):
        await register_customer(registration(email=f"r{n}@example.com", phone=f"+38050123456{n}"),
                                policy_version="3", ip="198.51.100.1", limiter=limiter, registrations_per_hour=2)
    with pytest.raises(Throttled):
        await register_customer(registration(email="r9@example.com", phone="+380501234569"), policy_version="3",
                                ip="198.51.100.1", limiter=limiter, registrations_per_hour=2)
    assert await Customer.all().count() == 2


async def test_bot_customer_needs_consents_and_has_no_password(db):
    with pytest.raises(ValidationError):
        await find_or_create_by_phone("+380671112233", telegram_user_id=501, locale="uk", consents_given=False)
    assert not await Customer.exists()
    customer, created = await find_or_create_by_phone("067 111 2233", telegram_user_id=501, first_name="Taras",
                                                      locale="uk", consents_given=True, policy_version="3")
    assert created and customer.phone == "+380671112233" and customer.password_hash is None
    assert customer.telegram_user_id == 501
    kinds = await Consent.filter(customer_id=customer.id).values_list("kind", "channel", "policy_version")
    assert sorted(kinds) == [(ConsentKind.AGE_14, "telegram", "3"), (ConsentKind.PRIVACY_POLICY, "telegram", "3")]
    again, created = await find_or_create_by_phone("+380671112233", telegram_user_id=501, locale="uk")
    assert (again.id, created) == (customer.id, False)


async def test_bot_does_not_take_over_a_web_accounts_phone(db):
    web = await register()
    with pytest.raises(Conflict) as caught:
        await find_or_create_by_phone(web.phone, telegram_user_id=777, locale="uk", consents_given=True,
                                      policy_version="3")
    assert "Link your Telegram" in str(caught.value)
    assert (await Customer.get(id=web.id)).telegram_user_id is None


async def test_web_registration_takes_the_phone_from_a_bot_only_account(db):
    bot_only, _ = await find_or_create_by_phone("+380501234567", telegram_user_id=42, locale="uk",
                                                consents_given=True, policy_version="3")
    web = await register()
    assert web.phone == "+380501234567"
    assert (await Customer.get(id=bot_only.id)).phone is None
    assert await AuditEvent.filter(customer_id=bot_only.id, event="phone_moved_to_web_account").exists()


def test_registration_asks_for_exactly_the_listed_personal_fields():
    # P3: adding a personal field to the form must be a deliberate change of this list.
    fields = {f.name for f in dataclasses.fields(RegistrationData)}
    assert fields == {"last_name", "first_name", "patronymic", "phone", "email", "password", "car_make", "car_model",
                      "address", "legal_entity", "age_confirmed", "privacy_accepted", "marketing_opt_in", "locale"}
    assert {f.name for f in dataclasses.fields(LegalEntityData)} == {"name", "country", "tax_id", "kpp"}


async def test_no_password_reaches_a_log_or_a_table(db, caplog):
    import logging

    from core.customers.auth import authenticate
    from core.customers.credentials import change_password
    from core.ratelimit import DatabaseRateLimiter

    caplog.set_level(logging.DEBUG)
    customer = await register()
    await authenticate("olena.shevchenko@example.com", PASSWORD, ip="192.0.2.1", limiter=DatabaseRateLimiter())
    with pytest.raises(ValidationError):
        await change_password(customer, "typo in the password", "brand new passphrase 7")
    await change_password(customer, PASSWORD, "brand new passphrase 7")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in (PASSWORD, "typo in the password", "brand new passphrase 7"):
        assert secret not in logged
        for model in (Customer, AuditEvent, Consent):
            assert secret not in str(await model.all().values())
