"""Sign-in, registration, sign-out and password reset pages on the real app (SQLite and PostgreSQL).

Security promises checked here: the same answer for an unknown email and a wrong password,
a new session id at sign-in (session fixation), sign-out that ends the session on the server,
only local `next=` redirects, throttling, and registration with exactly the P3 fields.
"""

from __future__ import annotations

import re
from html import unescape

from aiohttp.test_utils import TestClient

from tests.web.conftest import Catalogue, csrf_from, make_customer, whoami

PASSWORD = "correct horse battery staple"
INPUT_NAMES = re.compile(r'<(?:input|select)[^>]*\bname="([^"]+)"')


# ---------------------------------------------------------------- helpers (also used by the other page tests)


async def post_form(client: TestClient, path: str, data: dict[str, str], *, token_from: str | None = None):
    """POST a form like a browser: the CSRF token comes from the page the form is on."""
    token = await csrf_from(client, token_from or path)
    return await client.post(path, data={"csrf_token": token, **data}, allow_redirects=False)


def registration(**changes: str) -> dict[str, str]:
    values = {"last_name": "Koval", "first_name": "Olena", "patronymic": "Petrivna", "phone": "+380501234567",
              "email": "olena@example.com", "password": PASSWORD, "car_make": "Volkswagen",
              "car_model": "Golf VII", "age_confirmed": "1", "privacy_accepted": "1"}
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


async def register(client: TestClient, *, next_: str = "", **changes: str):
    return await post_form(client, "/register", {**registration(**changes), "next": next_})


async def customer_with_password(email: str = "olena@example.com", phone: str = "+380501234567", **fields):
    from core.customers.passwords import hash_password

    password_hash = await hash_password(PASSWORD)
    return await make_customer(email=email, phone=phone, password_hash=password_hash, **fields)


async def sign_in(client: TestClient, email: str = "olena@example.com", password: str = PASSWORD,
                  next_: str = ""):
    return await post_form(client, "/sign-in", {"email": email, "password": password, "next": next_})


def session_cookie(response) -> str | None:
    cookie = response.cookies.get("session")
    return cookie.value if cookie is not None else None


def field_error(html: str, name: str) -> str:
    """The error shown by a field (id e-<name>), or ""."""
    found = re.search(rf'id="e-{re.escape(name)}">([^<]*)<', html)
    return unescape(found.group(1)) if found else ""


def input_value(html: str, name: str) -> str | None:
    found = re.search(rf'name="{re.escape(name)}"[^>]*?value="([^"]*)"', html)
    return unescape(found.group(1)) if found else None


async def count_customers() -> int:
    from core.customers.models import Customer

    return await Customer.all().count()


# ---------------------------------------------------------------- registration


async def test_registration_asks_for_exactly_the_fields_of_the_privacy_policy(app_client):
    client = await app_client()
    page = await client.get("/register")
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    names = set(INPUT_NAMES.findall(html.split('class="register"', 1)[1].split("</form>", 1)[0]))
    assert names == {
        "csrf_token", "next", "last_name", "first_name", "patronymic", "phone", "email", "password",
        "car_make", "car_model", "address_country", "address_region", "address_city", "address_street",
        "address_postcode", "legal_name", "legal_country", "tax_id", "kpp",
        "age_confirmed", "privacy_accepted", "marketing_opt_in",
    }
    # Marketing is optional and not pre-ticked; age and the privacy policy are required.
    assert not re.search(r'name="marketing_opt_in"[^>]*checked', html)
    assert re.search(r'name="age_confirmed"[^>]*required', html)
    assert re.search(r'name="privacy_accepted"[^>]*required', html)


async def test_registration_signs_in_and_goes_back_to_a_local_next(app_client):
    from core.customers.models import Consent, Customer

    client = await app_client()
    response = await register(client, next_="/cart", address_city="Kyiv", address_street="Khreshchatyk 1",
                              address_country="UA")
    assert response.status == 303, await response.text()
    assert response.headers["Location"] == "/cart"
    customer = await Customer.get(email="olena@example.com")
    assert await whoami(client) == str(customer.id)
    assert (customer.last_name, customer.patronymic, customer.phone) == ("Koval", "Petrivna", "+380501234567")
    kinds = {c.kind: c.granted for c in await Consent.filter(customer_id=customer.id)}
    assert kinds == {"age_14": True, "privacy_policy": True}  # no marketing consent unless ticked
    account = await client.get("/account")
    assert "Khreshchatyk 1" in await account.text()


async def test_registration_with_bad_input_keeps_what_was_typed_and_saves_nothing(app_client):
    client = await app_client()
    response = await register(client, email="not-an-email", phone="12", password="short",
                              age_confirmed=None, privacy_accepted=None, legal_name="Avto LLC",
                              legal_country="UA", tax_id="123")
    html = await response.text()
    assert response.status == 422
    for name in ("email", "phone", "password", "tax_id"):
        assert field_error(html, name), name
    assert "14 or older" in html and "privacy policy to register" in html
    assert input_value(html, "last_name") == "Koval"
    assert input_value(html, "email") == "not-an-email"
    assert input_value(html, "legal_name") == "Avto LLC"
    assert PASSWORD not in html and 'value="short"' not in html  # passwords never come back
    assert await count_customers() == 0
    assert await whoami(client) == "anonymous"


async def test_ticked_boxes_stay_ticked_when_the_form_comes_back(app_client):
    client = await app_client()
    response = await register(client, email="broken@", marketing_opt_in="1", address_country="UA")
    html = await response.text()
    assert response.status == 422 and field_error(html, "email")
    for name in ("age_confirmed", "privacy_accepted", "marketing_opt_in"):
        assert re.search(rf'<input type="checkbox" name="{name}" value="1" checked[ >]', html), name
    assert not field_error(html, "address_city")  # the country list alone is not an address


async def test_an_email_that_is_taken_is_an_error_by_the_field(app_client):
    client = await app_client()
    await customer_with_password()
    response = await register(client, phone="+380671234567")
    assert response.status == 422
    assert field_error(await response.text(), "email")
    assert await count_customers() == 1


async def test_registration_is_throttled_per_ip(app_client):
    client = await app_client(web={"registrations_per_hour_per_ip": 1})
    assert (await register(client)).status == 303
    second = await register(client, email="other@example.com", phone="+380671234567")
    assert second.status == 429
    assert second.headers["Retry-After"]
    assert input_value(await second.text(), "email") == "other@example.com"
    assert await count_customers() == 1


# ---------------------------------------------------------------- sign-in


async def test_sign_in_goes_to_next_and_the_account_shows_who_it_is(app_client):
    client = await app_client()
    customer = await customer_with_password()
    response = await sign_in(client, next_="/account/orders")
    assert response.status == 303
    assert response.headers["Location"] == "/account/orders"
    assert await whoami(client) == str(customer.id)


async def test_unknown_email_and_wrong_password_get_the_same_answer(app_client):
    client = await app_client()
    await customer_with_password()
    unknown = await sign_in(client, email="nobody@example.com")
    wrong = await sign_in(client, email="olena@example.com", password="wrong password entirely")
    unknown_html = (await unknown.text()).replace("nobody@example.com", "EMAIL")
    wrong_html = (await wrong.text()).replace("olena@example.com", "EMAIL")
    assert unknown.status == wrong.status == 422
    assert "The email or password is not correct." in unknown_html
    assert unknown_html == wrong_html
    assert await whoami(client) == "anonymous"


async def test_sign_in_starts_a_new_session_every_time(app_client):
    """Session fixation: a session id known before sign-in is worthless after it."""
    client = await app_client()
    customer = await customer_with_password()
    first = session_cookie(await sign_in(client))
    second = session_cookie(await sign_in(client))
    assert first and second and first != second
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", second)
    # A browser that still holds the first id is not signed in.
    other = await app_client()
    other.session.cookie_jar.update_cookies({"session": first})
    assert await whoami(other) == "anonymous"
    assert await whoami(client) == str(customer.id)


async def test_planted_session_cookie_is_replaced_at_sign_in(app_client):
    client = await app_client()
    await customer_with_password()
    planted = "A" * 43
    client.session.cookie_jar.update_cookies({"session": planted})
    response = await sign_in(client)
    assert session_cookie(response) not in (None, planted)


async def test_next_never_leads_to_another_site(app_client):
    client = await app_client()
    await customer_with_password()
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = await sign_in(client, next_=target)
        assert response.status == 303
        assert response.headers["Location"] == "/account", target


async def test_sign_in_is_throttled_per_ip(app_client):
    client = await app_client(web={"login_attempts_per_hour_per_ip": 2})
    await customer_with_password()
    await sign_in(client, password="wrong password entirely")
    await sign_in(client, password="wrong password entirely")
    third = await sign_in(client)  # even the right password waits now
    assert third.status == 429
    assert int(third.headers["Retry-After"]) > 0
    assert "Too many" in await third.text()
    assert await whoami(client) == "anonymous"


async def test_signing_in_shows_what_the_anonymous_cart_added(app_client, catalogue: Catalogue):
    client = await app_client()
    await customer_with_password()
    await post_form(client, "/cart/add", {"part_id": str(catalogue.filter_bosch), "quantity": "2"},
                    token_from=f"/part/{catalogue.filter_bosch}")
    response = await sign_in(client, next_="/cart")
    page = await (await client.get(response.headers["Location"])).text()
    assert "Your cart now also has: Oil filter (BOSCH 0 986 452 041)." in page


async def test_sign_in_page_says_cookies_are_needed_when_they_are_off(app_client):
    client = await app_client(cookies=False)
    own_page = {"Referer": f"http://{client.host}:{client.port}/"}
    for path in ("/sign-in", "/register"):  # reached from the shop's own page, which set a cookie
        assert "Signing in needs cookies" in await (await client.get(path, headers=own_page)).text(), path


async def test_a_first_visit_is_not_told_that_cookies_are_off(app_client):
    """A link in an email opened in a new browser: no cookie yet, and none is missing (each
    request here comes as a first one, with no cookie)."""
    client = await app_client(cookies=False)
    for path in ("/sign-in", "/register", "/account", "/cart"):
        html = await (await client.get(path, headers={"Referer": "https://mail.example/inbox"})).text()
        assert "needs cookies" not in html and "Cookies are needed" not in html, path
    assert "Signing in needs cookies" not in await (await client.get("/sign-in")).text()


# ---------------------------------------------------------------- sign-out


async def test_sign_out_ends_the_session_on_the_server(app_client):
    from core.customers.models import Session

    client = await app_client()
    customer = await customer_with_password()
    token = session_cookie(await sign_in(client))
    assert await Session.filter(customer_id=customer.id).count() == 1
    response = await post_form(client, "/sign-out", {}, token_from="/account")
    assert response.status == 303
    assert await whoami(client) == "anonymous"
    assert await Session.filter(customer_id=customer.id).count() == 0
    replay = await app_client()
    replay.session.cookie_jar.update_cookies({"session": token})
    assert await whoami(replay) == "anonymous"  # the old cookie is worth nothing now


async def test_sign_out_needs_a_post_with_the_csrf_token(app_client):
    client = await app_client()
    customer = await customer_with_password()
    await sign_in(client)
    assert (await client.get("/sign-out")).status == 405
    refused = await client.post("/sign-out", data={}, allow_redirects=False)
    assert refused.status == 403
    assert await whoami(client) == str(customer.id)


# ---------------------------------------------------------------- password reset


async def reset_link_sent_to(email: str) -> str:
    from core.notifications.models import OutboxMessage

    message = await OutboxMessage.filter(kind="password_reset", customer__email=email).order_by("-id").first()
    assert message is not None
    return message.payload["reset_url"]


async def test_reset_request_answers_the_same_for_known_and_unknown_emails(app_client):
    from core.notifications.models import OutboxMessage

    client = await app_client()
    await customer_with_password()
    known = await post_form(client, "/password-reset", {"email": "olena@example.com"})
    unknown = await post_form(client, "/password-reset", {"email": "nobody@example.com"})
    assert known.status == unknown.status == 200
    assert await known.text() == await unknown.text()
    assert "If an account exists for this email" in await known.text()
    assert await OutboxMessage.filter(kind="password_reset").count() == 1


async def test_reset_link_sets_a_new_password_once(app_client):
    client = await app_client()
    await customer_with_password()
    await post_form(client, "/password-reset", {"email": "olena@example.com"})
    link = await reset_link_sent_to("olena@example.com")
    assert link.startswith("http://127.0.0.1:8080/password-reset/confirm?token=")
    path = link.removeprefix("http://127.0.0.1:8080")
    page = await client.get(path)
    token = input_value(await page.text(), "token")
    assert page.status == 200 and token and page.headers["Cache-Control"] == "no-store"

    new_password = "a brand new passphrase here"
    differ = await post_form(client, "/password-reset/confirm", {
        "token": token, "new_password": new_password, "new_password_repeat": "something else"},
        token_from=path)
    assert differ.status == 422
    assert field_error(await differ.text(), "new_password_repeat")
    short = await post_form(client, "/password-reset/confirm", {
        "token": token, "new_password": "short", "new_password_repeat": "short"}, token_from=path)
    assert short.status == 422 and field_error(await short.text(), "new_password")

    done = await post_form(client, "/password-reset/confirm", {
        "token": token, "new_password": new_password, "new_password_repeat": new_password}, token_from=path)
    assert done.status == 303 and done.headers["Location"] == "/sign-in"
    assert (await sign_in(client, password=PASSWORD)).status == 422
    assert (await sign_in(client, password=new_password)).status == 303

    again = await post_form(client, "/password-reset/confirm", {
        "token": token, "new_password": "yet another passphrase",
        "new_password_repeat": "yet another passphrase"},
        token_from=path)
    assert again.status == 422
    assert "invalid, was already used or has expired" in await again.text()


async def test_a_used_or_made_up_reset_link_says_so_before_a_password_is_typed(app_client):
    client = await app_client()
    await customer_with_password()
    await post_form(client, "/password-reset", {"email": "olena@example.com"})
    path = (await reset_link_sent_to("olena@example.com")).removeprefix("http://127.0.0.1:8080")
    token = input_value(await (await client.get(path)).text(), "token")
    new_password = "a brand new passphrase here"
    done = await post_form(client, "/password-reset/confirm", {
        "token": token, "new_password": new_password, "new_password_repeat": new_password}, token_from=path)
    assert done.status == 303
    for link in (path, "/password-reset/confirm?token=made-up", "/password-reset/confirm"):
        page = await client.get(link)
        html = await page.text()
        assert page.status == 410, link
        assert "invalid, was already used or has expired" in html and 'href="/password-reset"' in html
        assert 'name="new_password"' not in html  # nothing to type in vain


async def test_reset_requests_are_throttled_per_ip(app_client):
    client = await app_client(web={"resets_per_hour_per_ip": 1})
    assert (await post_form(client, "/password-reset", {"email": "a@example.com"})).status == 200
    second = await post_form(client, "/password-reset", {"email": "b@example.com"})
    assert second.status == 429 and second.headers["Retry-After"]


async def test_reset_without_an_email_is_an_error_by_the_field(app_client):
    client = await app_client()
    response = await post_form(client, "/password-reset", {"email": ""})
    assert response.status == 422
    assert field_error(await response.text(), "email") == "Enter your email address."
