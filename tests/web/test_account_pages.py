"""The personal cabinet on the real app (SQLite and PostgreSQL): every page and form (P9, P21).

Each page needs a signed-in customer and is never cached; bad input comes back with the typed
values and an error by the field, and nothing is saved.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, whoami
from tests.web.test_auth_pages import (
    PASSWORD,
    customer_with_password,
    field_error,
    input_value,
    post_form,
    sign_in,
)

ACCOUNT_PAGES = ("/account", "/account/profile", "/account/addresses", "/account/garage", "/account/orders",
                 "/account/password", "/account/sessions", "/account/data", "/account/delete")


async def signed_in_client(app_client, **settings):
    client = await app_client(**settings)
    customer = await customer_with_password()
    await sign_in_as(client, customer)
    return client, customer


async def test_account_pages_need_sign_in_and_come_back_after_it(app_client):
    client = await app_client()
    for path in ACCOUNT_PAGES:
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303, path
        assert response.headers["Location"] == f"/sign-in?next={path}"
    await customer_with_password()
    back = await sign_in(client, next_="/account/garage")
    assert back.headers["Location"] == "/account/garage"


async def test_account_pages_are_private_and_show_the_stored_data(app_client):
    client, customer = await signed_in_client(app_client)
    for path in ACCOUNT_PAGES:
        response = await client.get(path)
        assert response.status == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    overview = await (await client.get("/account")).text()
    for shown in ("Koval Olena", "olena@example.com", "+380501234567"):
        assert shown in overview
    assert "/account/telegram" not in overview  # no bot configured: no Telegram link offered


async def test_posting_to_an_account_form_when_signed_out_changes_nothing(app_client):
    from core.customers.models import Address

    client = await app_client()
    await customer_with_password()
    response = await post_form(client, "/account/addresses",
                               {"city": "Kyiv", "street": "Main 1", "country": "UA"}, token_from="/")
    assert response.status == 303 and response.headers["Location"].startswith("/sign-in")
    assert await Address.all().count() == 0


# ---------------------------------------------------------------- profile


def profile(**changes: str) -> dict[str, str]:
    values = {"last_name": "Koval", "first_name": "Olena", "patronymic": "", "email": "olena@example.com",
              "phone": "+380501234567", "car_make": "", "car_model": "", "display_name": "", "password": ""}
    values.update(changes)
    return values


async def test_profile_changes_are_saved(app_client):
    from core.customers.models import Customer

    client, customer = await signed_in_client(app_client)
    page = await (await client.get("/account/profile")).text()
    assert input_value(page, "first_name") == "Olena" and input_value(page, "email") == "olena@example.com"
    response = await post_form(client, "/account/profile", profile(first_name="Oksana", car_make="Skoda",
                                                                   display_name="Oksana K"))
    assert response.status == 303
    stored = await Customer.get(id=customer.id)
    assert (stored.first_name, stored.car_make, stored.display_name) == ("Oksana", "Skoda", "Oksana K")
    assert "Your profile was saved." in await (await client.get(response.headers["Location"])).text()


async def test_bad_profile_input_comes_back_and_nothing_is_saved(app_client):
    from core.customers.models import Customer

    client, customer = await signed_in_client(app_client)
    changes = profile(first_name="Oksana", phone="12345", last_name="")
    response = await post_form(client, "/account/profile", changes)
    html = await response.text()
    assert response.status == 422
    assert field_error(html, "phone") and field_error(html, "last_name")
    assert input_value(html, "first_name") == "Oksana" and input_value(html, "phone") == "12345"
    assert (await Customer.get(id=customer.id)).first_name == "Olena"


async def test_changing_the_email_asks_for_the_password_and_tells_the_old_address(app_client):
    from core.customers.models import Customer
    from core.notifications.models import OutboxMessage

    client, customer = await signed_in_client(app_client)
    missing = await post_form(client, "/account/profile", profile(email="new@example.com"))
    assert missing.status == 422 and field_error(await missing.text(), "password")
    wrong = await post_form(client, "/account/profile",
                            profile(email="new@example.com", password="not my password"))
    assert wrong.status == 422 and field_error(await wrong.text(), "password")
    assert (await Customer.get(id=customer.id)).email == "olena@example.com"

    done = await post_form(client, "/account/profile", profile(email="new@example.com", password=PASSWORD))
    assert done.status == 303
    assert (await Customer.get(id=customer.id)).email == "new@example.com"
    told = await OutboxMessage.filter(kind="email_changed").order_by("id").values_list("recipient", flat=True)
    assert list(told) == ["", "olena@example.com"]  # the new (current) address, and the old one


async def test_marketing_consent_is_given_and_withdrawn_on_the_profile(app_client):
    from core.customers.consents import current_marketing_consent

    client, customer = await signed_in_client(app_client)
    await post_form(client, "/account/profile", profile(marketing_opt_in="1"))
    assert await current_marketing_consent(customer) is True
    page = await (await client.get("/account/profile")).text()
    assert re.search(r'name="marketing_opt_in"[^>]*checked', page)
    await post_form(client, "/account/profile", profile())
    assert await current_marketing_consent(customer) is False


async def test_a_legal_entity_is_added_with_a_checked_tax_id(app_client):
    from core.customers.models import LegalEntity

    client, customer = await signed_in_client(app_client)
    bad = await post_form(client, "/account/profile",
                          profile(legal_name="Avto TOV", legal_country="UA", tax_id="1"))
    assert bad.status == 422 and field_error(await bad.text(), "tax_id")
    assert not await LegalEntity.exists(customer_id=customer.id)
    good = await post_form(client, "/account/profile", profile(legal_name="Avto TOV", legal_country="UA",
                                                              tax_id="32855961"))
    assert good.status == 303
    legal = await LegalEntity.get(customer_id=customer.id)
    assert (legal.name, legal.tax_id) == ("Avto TOV", "32855961")


# ---------------------------------------------------------------- addresses


async def test_addresses_are_added_changed_and_deleted(app_client):
    from core.customers.models import Address

    client, customer = await signed_in_client(app_client)
    added = await post_form(client, "/account/addresses", {
        "action": "add", "label": "Home", "country": "UA", "city": "Kyiv", "street": "Khreshchatyk 1",
        "postcode": "01001"})
    assert added.status == 303
    address = await Address.get(customer_id=customer.id)
    assert (address.city, address.is_default) == ("Kyiv", True)
    edit = await client.get(f"/account/addresses?edit={address.id}")
    assert input_value(await edit.text(), "street") == "Khreshchatyk 1"
    await post_form(client, "/account/addresses", {"action": "update", "address_id": str(address.id),
                                                   "country": "UA", "city": "Lviv", "street": "Rynok 2"})
    assert (await Address.get(id=address.id)).city == "Lviv"
    assert "Rynok 2" in await (await client.get("/account/addresses")).text()
    await post_form(client, "/account/addresses", {"action": "delete", "address_id": str(address.id)})
    assert not await Address.exists(id=address.id)


async def test_an_address_names_its_country_in_the_customers_language(app_client):
    from core.customers.models import Address

    client, customer = await signed_in_client(app_client)
    await Address.create(customer=customer, country="UA", city="Kyiv", street="Khreshchatyk 1")
    for locale, country in (("en", "Ukraine"), ("uk", "Україна"), ("es", "Ucrania")):
        customer.locale = locale
        await customer.save(update_fields=["locale"])
        for path in ("/account", "/account/addresses"):
            assert f"Kyiv, {country}" in await (await client.get(path)).text(), (locale, path)


async def test_a_bad_address_comes_back_with_errors_and_is_not_saved(app_client):
    from core.customers.models import Address

    client, customer = await signed_in_client(app_client)
    response = await post_form(client, "/account/addresses", {
        "action": "add", "label": "Work", "country": "XX", "city": "", "street": "Main 5"})
    html = await response.text()
    assert response.status == 422
    assert field_error(html, "city") and field_error(html, "country")
    assert input_value(html, "street") == "Main 5" and input_value(html, "label") == "Work"
    assert await Address.filter(customer_id=customer.id).count() == 0


async def test_another_customers_address_cannot_be_seen_changed_or_deleted(app_client):
    from core.customers.models import Address

    client, _ = await signed_in_client(app_client)
    other = await make_customer(email="other@example.com", phone="+380671234567")
    theirs = await Address.create(customer=other, country="UA", city="Odesa", street="Derybasivska 3")
    assert (await client.get(f"/account/addresses?edit={theirs.id}")).status == 404
    for action in ("update", "delete"):
        response = await post_form(client, "/account/addresses", {
            "action": action, "address_id": str(theirs.id), "country": "UA", "city": "X", "street": "Y"})
        assert response.status == 404
    assert (await Address.get(id=theirs.id)).city == "Odesa"


async def test_an_address_or_vehicle_id_no_database_can_hold_is_simply_not_found(app_client, catalogue: Catalogue):
    from core.customers.models import Address, GarageVehicle

    client, customer = await signed_in_client(app_client)
    mine = await Address.create(customer=customer, country="UA", city="Kyiv", street="Khreshchatyk 1")
    huge = "9" * 30  # more than any 32- or 64-bit id column holds
    assert (await client.get(f"/account/addresses?edit={huge}")).status == 404
    for action in ("update", "delete"):
        response = await post_form(client, "/account/addresses", {
            "action": action, "address_id": huge, "country": "UA", "city": "X", "street": "Y"})
        assert response.status == 404, action
        assert "This address was not found." in await response.text()
    for action in ("add", "remove"):
        response = await post_form(client, "/account/garage", {"action": action, "vehicle_id": huge})
        assert response.status == 422, action
        assert "This vehicle was not found." in await response.text()
    assert (await Address.get(id=mine.id)).city == "Kyiv"
    assert await GarageVehicle.filter(customer_id=customer.id).count() == 0


# ---------------------------------------------------------------- garage


async def test_garage_add_choose_and_remove(app_client, catalogue: Catalogue):
    from core.customers.models import GarageVehicle

    client, customer = await signed_in_client(app_client)
    steps = f"/account/garage?make={catalogue.make_vw}&model={catalogue.model_golf}"
    step = await (await client.get(steps)).text()
    assert "Golf" in step and f'value="{catalogue.golf}"' in step
    added = await post_form(client, "/account/garage",
                            {"vehicle_id": str(catalogue.golf), "nickname": "Daily"})
    assert added.status == 303 and added.headers["Location"] == "/account/garage"
    page = await (await client.get("/account/garage")).text()
    assert "Daily" in page and f"/vehicle?vehicle={catalogue.golf}" in page  # "choose this car"
    chosen = await client.get(f"/vehicle?vehicle={catalogue.golf}", allow_redirects=False)
    assert chosen.cookies["vehicle"].value == str(catalogue.golf)
    await post_form(client, "/account/garage", {"action": "remove", "vehicle_id": str(catalogue.golf)})
    assert not await GarageVehicle.exists(customer_id=customer.id)


async def test_saving_the_chosen_vehicle_from_the_home_page_goes_back_there(app_client, catalogue: Catalogue):
    from core.customers.models import GarageVehicle

    client, customer = await signed_in_client(app_client)
    response = await post_form(client, "/account/garage",
                               {"vehicle_id": str(catalogue.polo), "next": f"/?vehicle={catalogue.polo}"},
                               token_from="/")
    assert response.headers["Location"] == f"/?vehicle={catalogue.polo}"
    assert await GarageVehicle.exists(customer_id=customer.id, vehicle_id=catalogue.polo)


async def test_saving_without_choosing_a_vehicle_says_so(app_client, catalogue: Catalogue):
    from core.customers.models import GarageVehicle

    client, customer = await signed_in_client(app_client)
    for chosen in ("", "999999", "golf"):
        response = await post_form(client, "/account/garage", {"vehicle_id": chosen, "nickname": "Daily"})
        assert response.status == 422, chosen
        assert "This vehicle was not found." in await response.text()
    assert not await GarageVehicle.exists(customer_id=customer.id)


async def test_a_too_long_nickname_is_an_error_and_nothing_is_saved(app_client, catalogue: Catalogue):
    from core.customers.models import GarageVehicle

    client, customer = await signed_in_client(app_client)
    response = await post_form(client, "/account/garage", {
        "vehicle_id": str(catalogue.golf), "nickname": "x" * 80, "make": str(catalogue.make_vw),
        "model": str(catalogue.model_golf)})
    assert response.status == 422
    assert "too long" in await response.text()
    assert not await GarageVehicle.exists(customer_id=customer.id)


# ---------------------------------------------------------------- password and sessions


async def test_password_change(app_client):
    client, _ = await signed_in_client(app_client)
    new = "an entirely new passphrase"
    wrong = await post_form(client, "/account/password", {"old_password": "nope", "new_password": new,
                                                          "new_password_repeat": new})
    assert wrong.status == 422 and field_error(await wrong.text(), "old_password")
    differ = await post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": new,
                                                           "new_password_repeat": new + "!"})
    assert differ.status == 422 and field_error(await differ.text(), "new_password_repeat")
    weak = await post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": "short",
                                                         "new_password_repeat": "short"})
    assert weak.status == 422 and field_error(await weak.text(), "new_password")
    done = await post_form(client, "/account/password", {"old_password": PASSWORD, "new_password": new,
                                                         "new_password_repeat": new})
    assert done.status == 303
    other = await app_client()
    assert (await sign_in(other, password=PASSWORD)).status == 422
    assert (await sign_in(other, password=new)).status == 303


async def test_sign_out_everywhere_ends_every_session(app_client):
    from core.customers.models import Session

    phone, customer = await signed_in_client(app_client)
    laptop = await app_client()
    await sign_in_as(laptop, customer)
    page = await (await laptop.get("/account/sessions")).text()
    assert page.count("<tr>") == 3 and "This device" in page  # header row + two sessions
    response = await post_form(laptop, "/account/sessions", {})
    assert response.status == 303
    assert await whoami(laptop) == "anonymous" and await whoami(phone) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0


# ---------------------------------------------------------------- export and deletion


async def test_data_export_is_a_json_file_with_everything(app_client):
    client, customer = await signed_in_client(app_client)
    response = await post_form(client, "/account/data", {})
    assert response.status == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(await response.read())
    assert data["profile"]["email"] == "olena@example.com"
    assert data["profile"]["id"] == customer.id
    assert any(event["event"] == "signed_in" for event in data["audit_trail"]) or data["access_log"]


async def test_deleting_the_account_needs_the_password_and_the_tick(app_client):
    from core.customers.models import Customer

    client, customer = await signed_in_client(app_client)
    nothing = await post_form(client, "/account/delete", {})
    html = await nothing.text()
    assert nothing.status == 422 and field_error(html, "password") and "Tick the box" in html
    wrong = await post_form(client, "/account/delete", {"password": "not it", "confirm": "1"})
    assert wrong.status == 422 and field_error(await wrong.text(), "password")
    assert (await Customer.get(id=customer.id)).status == "active"
    assert await whoami(client) == str(customer.id)


async def test_deleting_the_account_erases_it_and_signs_out(app_client):
    from core.customers.models import AuditEvent, Customer, Session
    from core.privacy.models import AccessLog

    client, customer = await signed_in_client(app_client)
    response = await post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "1"})
    assert response.status == 303 and response.headers["Location"] == "/"
    stored = await Customer.get(id=customer.id)
    assert stored.status == "deleted" and stored.email is None
    assert await whoami(client) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0
    assert not await AccessLog.exists(customer_id=customer.id)
    assert not await AuditEvent.filter(customer_id=customer.id, ip__isnull=False).exists()
    assert (await sign_in(client)).status == 422


async def test_an_open_order_keeps_the_account(app_client):
    from core.customers.models import Customer
    from core.orders.models import Order

    client, customer = await signed_in_client(app_client)
    await Order.create(number="GS-2345-6789", customer=customer, channel="web", currency="EUR", subtotal=100,
                       shipping_price=0, total=100, delivery_method="pickup", payment_method="cash",
                       payment_state="not_required")
    response = await post_form(client, "/account/delete", {"password": PASSWORD, "confirm": "1"})
    assert response.status == 422
    assert "GS-2345-6789" in await response.text()
    assert (await Customer.get(id=customer.id)).status == "active"


# ---------------------------------------------------------------- Telegram


async def test_telegram_page_is_absent_without_a_bot(app_client):
    client, _ = await signed_in_client(app_client)
    assert (await client.get("/account/telegram")).status == 404


async def test_telegram_link_is_a_one_time_deep_link(app_client):
    from core.customers.models import AccountToken

    client, customer = await signed_in_client(app_client, bot={"username": "gearshop_bot"})
    assert "/account/telegram" in await (await client.get("/account")).text()
    response = await post_form(client, "/account/telegram", {"action": "link"})
    html = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    link = re.search(r'href="(https://t\.me/gearshop_bot\?start=([A-Za-z0-9_-]{43}))"', html)
    assert link, html
    assert await AccountToken.filter(customer_id=customer.id, purpose="telegram_link").count() == 1
    assert link.group(2) not in str(response.headers.getall("Set-Cookie", []))


@pytest.mark.parametrize("path", ["/account/profile", "/account/addresses", "/account/password"])
async def test_account_forms_refuse_a_missing_csrf_token(app_client, path):
    client, customer = await signed_in_client(app_client)
    await csrf_from(client, path)
    response = await client.post(path, data={"first_name": "X"}, allow_redirects=False)
    assert response.status == 403


# ---------------------------------------------------------------- languages


def account_area_msgids() -> set[str]:
    """Every sentence the account area shows: `_("…")` in its templates, and in its views the
    flash messages, labels and module-level messages."""
    import ast
    from pathlib import Path

    web_dir = Path(__file__).resolve().parents[2] / "web"
    found: set[str] = set()
    for folder in ("auth", "account", "checkout", "orders", "payments"):
        for template in (web_dir / "templates" / folder).rglob("*.html"):
            for match in TEMPLATE_MSGID.finditer(template.read_text(encoding="utf-8")):
                found.add(match.group(1) if match.group(1) is not None else match.group(2))
    for module in ("auth", "account", "checkout", "orders", "payments"):
        tree = ast.parse((web_dir / "views" / f"{module}.py").read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body
                      and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and " " in node.value and node.value[0].isupper()):
                found.add(node.value)
    return found


TEMPLATE_MSGID = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')


def catalogs(locale: str) -> dict[str, dict[str, str]]:
    from babel.messages.pofile import read_po

    from core.i18n import LOCALES_DIR

    found = {}
    for path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as fh:
            found[path.name] = {m.id: m.string for m in read_po(fh, locale=locale) if m.id and m.string}
    return found


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
def test_every_account_text_is_translated(locale):
    every = catalogs(locale)
    mine = every["web_account.po"]
    merged = {msgid: text for catalog in every.values() for msgid, text in catalog.items()}
    wanted = account_area_msgids()
    assert len(wanted) > 150
    # Sentences of the core (errors) are translated in the core's catalogs; the rest here.
    assert sorted(m for m in wanted if m not in merged) == []
    for msgid, text in mine.items():
        assert set(re.findall(r"{\w+}", msgid)) == set(re.findall(r"{\w+}", text)), msgid
    if locale != "en":
        same = [m for m, t in mine.items() if m == t]
        assert len(same) <= 8, same


@pytest.mark.parametrize("locale", ["uk", "ru", "es"])
def test_the_account_catalog_does_not_change_other_areas_texts(locale):
    """Catalogs merge into one: a sentence shared with another area must keep its translation."""
    every = catalogs(locale)
    mine = every.pop("web_account.po")
    clashes = [(name, msgid) for name, catalog in every.items() for msgid, text in catalog.items()
               if msgid in mine and mine[msgid] != text and name > "web"]
    before = {}
    for catalog in every.values():
        before.update(catalog)
    assert [(m, before[m], t) for m, t in mine.items() if m in before and before[m] != t] == []
    assert clashes == []


async def test_account_pages_speak_the_customers_language(app_client):
    client = await app_client()
    customer = await customer_with_password(locale="uk")
    ukrainian = await (await client.get("/sign-in", headers={"Accept-Language": "uk"})).text()
    assert "Забули пароль?" in ukrainian
    spanish = await (await client.get("/register", headers={"Accept-Language": "es"})).text()
    assert "Crear mi cuenta" in spanish and "Tengo 14 años o más." in spanish
    await sign_in_as(client, customer)  # the account's language wins over Accept-Language
    account = await (await client.get("/account", headers={"Accept-Language": "es"})).text()
    assert "Де я увійшов" in account and "Мій кабінет" in account
