"""CSRF, Origin check, cookie flags, security headers, caching, redirects, body size, https."""

from __future__ import annotations

import re
from pathlib import Path

from aiohttp import web

from tests.web.conftest import Catalogue, csrf_from, make_customer, sign_in_as, sqlite_only, whoami

SECRET_KEY = "k" * 40


async def cart_is_empty(client) -> bool:
    return "Your cart is empty." in await (await client.get("/cart")).text()


def post_add(client, part_id, **extra):
    data = {"part_id": str(part_id), "quantity": "1"}
    data.update(extra.pop("data", {}))
    return client.post("/cart/add", data=data, allow_redirects=False, **extra)


async def test_missing_or_wrong_csrf_token_is_403_and_changes_nothing(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    missing = await post_add(client, catalogue.filter_bosch)
    assert missing.status == 403
    assert "did not come from this shop" in await missing.text()
    wrong = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token[:-2] + "xx"})
    assert wrong.status == 403
    other = await app_client()  # a token of another browser is no good here
    foreign = await post_add(client, catalogue.filter_bosch, data={"csrf_token": await csrf_from(other)})
    assert foreign.status == 403
    assert await cart_is_empty(client)
    ok = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token})
    assert ok.status == 303 and not await cart_is_empty(client)


@sqlite_only
async def test_csrf_header_works_for_scripts(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    ok = await post_add(client, catalogue.filter_bosch, headers={"X-CSRF-Token": token})
    assert ok.status == 303


async def test_signed_in_token_is_bound_to_the_session(app_client, catalogue: Catalogue):
    client = await app_client()
    anonymous_token = await csrf_from(client)
    await sign_in_as(client, await make_customer())
    stale = await post_add(client, catalogue.filter_bosch, data={"csrf_token": anonymous_token})
    assert stale.status == 403  # sign-in changed what tokens are bound to
    fresh = await post_add(client, catalogue.filter_bosch, data={"csrf_token": await csrf_from(client)})
    assert fresh.status == 303


@sqlite_only
async def test_foreign_origin_or_referer_is_403_even_with_a_token(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    for headers in ({"Origin": "https://evil.example"}, {"Origin": "null"},
                    {"Referer": "https://evil.example/page"}):
        refused = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token}, headers=headers)
        assert refused.status == 403, headers
    assert await cart_is_empty(client)
    own = f"http://{client.host}:{client.port}"
    accepted = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token}, headers={"Origin": own})
    assert accepted.status == 303


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getall("Set-Cookie", [])}


@sqlite_only
async def test_cookie_flags_in_development(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    response = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token})
    cart = set_cookies(response)["cart"]
    assert "HttpOnly" in cart and "SameSite=Lax" in cart and "Path=/" in cart
    assert "Secure" not in cart
    sign_in = await client.post(f"/_test/sign-in/{(await make_customer()).id}")
    session = set_cookies(sign_in)["session"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Secure" not in session
    assert re.match(r"session=[A-Za-z0-9_-]{43};", session)


@sqlite_only
async def test_cookie_flags_with_https_use_the_host_prefix(app_client, catalogue: Catalogue):
    client = await app_client(web={"https": True, "session_key": SECRET_KEY})
    page = await client.get("/")
    csrf = set_cookies(page)["__Host-csrf"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', await page.text()).group(1)
    cookie_value = re.match(r"__Host-csrf=([^;]+)", csrf).group(1)
    response = await post_add(client, catalogue.filter_bosch, data={"csrf_token": token},
                              headers={"Cookie": f"__Host-csrf={cookie_value}"})
    assert response.status == 303
    cart = set_cookies(response)["__Host-cart"]
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cart and flag in csrf
    assert "Domain" not in cart
    sign_in = await client.post(f"/_test/sign-in/{(await make_customer()).id}")
    session = set_cookies(sign_in)["__Host-session"]
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session


@sqlite_only
async def test_security_headers_on_every_response(app_client, catalogue: Catalogue):
    def boom(app: web.Application) -> None:
        async def fail(request):
            raise RuntimeError("secret detail")
        app.router.add_get("/_test/boom", fail)

    client = await app_client(setup=boom)
    css = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', await (await client.get("/")).text()).group(1)
    for path, status in (("/", 200), (f"/part/{catalogue.pads}", 200), ("/missing", 404), (css, 200),
                         ("/healthz", 200), ("/_test/boom", 500)):
        response = await client.get(path)
        assert response.status == status, path
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers
    refused = await client.post("/cart/add", data={})
    assert refused.status == 403 and "Content-Security-Policy" in refused.headers
    broken = await (await client.get("/_test/boom")).text()
    assert "secret detail" not in broken and "Traceback" not in broken
    assert "Something went wrong on our side" in broken


@sqlite_only
async def test_hsts_and_https_redirect_behind_a_proxy(app_client, catalogue: Catalogue):
    client = await app_client(web={"https": True, "behind_proxy": True, "session_key": SECRET_KEY})
    plain = await client.get("/search?q=filter", headers={"X-Forwarded-Proto": "http"}, allow_redirects=False)
    assert plain.status == 308
    assert plain.headers["Location"].startswith("https://") and plain.headers["Location"].endswith("/search?q=filter")
    secure = await client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status == 200
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    health = await client.get("/healthz", headers={"X-Forwarded-Proto": "http"})
    assert health.status == 200


@sqlite_only
async def test_forwarded_proto_is_ignored_unless_behind_a_proxy(app_client, catalogue: Catalogue):
    client = await app_client(web={"https": True, "session_key": SECRET_KEY})
    response = await client.get("/", headers={"X-Forwarded-Proto": "http"}, allow_redirects=False)
    assert response.status == 200


@sqlite_only
async def test_pages_have_no_inline_scripts_or_handlers(app_client, catalogue: Catalogue):
    client = await app_client()
    for path in ("/", f"/?vehicle={catalogue.golf}", "/search?q=filter", f"/part/{catalogue.filter_bosch}",
                 "/cart", "/missing"):
        html = await (await client.get(path)).text()
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag, path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "style=" not in html, path


async def test_private_pages_are_not_cached(app_client, catalogue: Catalogue):
    client = await app_client()
    assert (await client.get("/cart")).headers["Cache-Control"] == "no-store"
    assert "no-store" not in (await client.get("/")).headers.get("Cache-Control", "")
    await sign_in_as(client, await make_customer())
    assert (await client.get("/search?q=filter")).headers["Cache-Control"] == "no-store"  # personal now


@sqlite_only
async def test_only_local_next_redirects(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    cases = {"//evil.com": "/", "https://evil.com/x": "/", "/\\evil.com": "/", "javascript:alert(1)": "/",
             "/search?q=filter": "/search?q=filter", "": "/"}
    for given, expected in cases.items():
        response = await client.post("/language", data={"csrf_token": token, "locale": "en", "next": given},
                                     allow_redirects=False)
        assert response.status == 303, given
        assert response.headers["Location"] == expected, given


@sqlite_only
async def test_too_large_body_is_413(app_client, catalogue: Catalogue):
    client = await app_client(web={"max_body_kb": 4})
    token = await csrf_from(client)
    response = await client.post("/cart/add", data={"csrf_token": token, "part_id": str(catalogue.pads),
                                                    "quantity": "1", "padding": "x" * 8000})
    assert response.status == 413
    # The shop's own error page in the visitor's language, not a plain-text fallback.
    assert response.content_type == "text/html" and "What you sent is too large." in await response.text()
    assert await cart_is_empty(client)


@sqlite_only
async def test_too_large_body_from_a_first_time_visitor_gets_the_error_page(app_client, catalogue: Catalogue,
                                                                            caplog):
    # No cookies yet: the error page is the first page to hand this visitor a CSRF cookie.
    client = await app_client(web={"max_body_kb": 4})
    response = await client.post("/cart/add", data={"part_id": str(catalogue.pads), "padding": "x" * 8000})
    assert response.status == 413
    assert response.content_type == "text/html" and "What you sent is too large." in await response.text()
    assert "error page failed" not in caplog.text
    assert await cart_is_empty(client)


@sqlite_only
async def test_healthz_reports_the_database(app_client, catalogue: Catalogue):
    client = await app_client()
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok", "database": "ok"}


async def test_malformed_requests_get_a_4xx_never_a_server_error(app_client, catalogue: Catalogue):
    client = await app_client()
    token = await csrf_from(client)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    cases = [
        ("POST", "/cart/add", {"data": b"\xff\xfe=1&csrf_token=" + token.encode(), "headers": form}),
        ("POST", "/cart/add", {"data": b"--x\r\nbroken", "headers": {
            "Content-Type": "multipart/form-data; boundary=x"}}),
        ("POST", "/cart/add", {"data": b"--x\r\nbroken", "headers": {
            "Content-Type": "multipart/form-data; boundary=x", "X-CSRF-Token": token}}),
        ("POST", "/cart/add", {"json": {"part_id": 1}, "headers": {"X-CSRF-Token": token}}),
        ("POST", "/cart/update", {"data": {"csrf_token": token, "part_id": "99999999999999999999",
                                           "quantity": "1e3"}}),
        ("POST", "/cart/add", {"data": {"csrf_token": token, "part_id": str(catalogue.pads),
                                        "quantity": "9" * 40}}),
        ("POST", "/cart/add", {"data": [("csrf_token", token), ("part_id", "x"), ("part_id", "1")]}),
        ("POST", "/language", {"data": {"csrf_token": token}}),
        ("GET", "/search?q=" + "%00" * 50, {}),
        ("GET", "/search?q=" + "x" * 5000, {}),
        ("GET", "/search?q=a&page=-1&vehicle=abc", {}),
        ("GET", "/?make=abc&model=-1", {}),
        ("GET", f"/?make={catalogue.make_vw}&model=3", {}),
        ("GET", "/part/1?vehicle=99999999999", {}),
        ("GET", "/", {"headers": {"Cookie": "session=<script>; cart=x; vehicle=abc; locale=zz; flash=!!!"}}),
        ("GET", "/", {"headers": {"Accept-Language": "q=;;,,*;q=x"}}),
        ("PUT", "/cart", {}),
        ("POST", "/healthz", {}),
        ("GET", "/category/%ff", {}),
        ("DELETE", "/part/1", {}),
    ]
    for method, path, options in cases:
        response = await client.request(method, path, allow_redirects=False, **options)
        assert response.status < 500, (method, path[:60], response.status)


# ---------------------------------------------------------------- every route, not a sample

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
PATH_VALUES = {"number": "GS-AAAA-BBBB", "reference": "abc", "provider": "sandbox", "review_id": "1", "id": "1"}
# Server-to-server callbacks that prove themselves another way (the provider's signature).
CSRF_EXEMPT_ROUTES = {"payment_notify"}


def routes_of(app: web.Application, methods: frozenset[str] | set[str], part_id: int) -> list[tuple[str, str, str]]:
    """(method, concrete path, route name) of the app's own routes with one of `methods`."""
    found = []
    for route in app.router.routes():
        canonical = route.resource.canonical if route.resource else ""
        if route.method not in methods or canonical.startswith(("/_test/", "/static/")):
            continue
        path = canonical
        values = PATH_VALUES | {"part_id": str(part_id)}
        path = re.sub(r"\{(\w+)\}", lambda m, known=values: known.get(m.group(1), "1"), canonical)  # ids: 1
        found.append((route.method, path, route.name or canonical))
    return found


async def test_every_state_changing_route_needs_the_token_and_our_origin(app_client, catalogue: Catalogue):
    from core.carts.models import CartLine
    from web.security import UNSAFE_METHODS

    client = await app_client()
    customer = await make_customer()
    await sign_in_as(client, customer)
    token = await csrf_from(client)
    routes = routes_of(client.app, UNSAFE_METHODS, catalogue.filter_bosch)
    exempt = {route.name for route in client.app.router.routes()
              if getattr(route.handler, "csrf_exempt", False) and not route.resource.canonical.startswith("/_test/")}
    assert exempt == CSRF_EXEMPT_ROUTES
    assert len(routes) >= 25, routes
    evil = {"Origin": "https://evil.example"}
    for method, path, name in routes:
        if name in CSRF_EXEMPT_ROUTES:
            continue
        body = {"json": {"part_id": catalogue.filter_bosch, "quantity": 1}} if path.startswith("/api/") else {
            "data": {"part_id": str(catalogue.filter_bosch), "quantity": "1"}}
        without = await client.request(method, path, allow_redirects=False, **body)
        assert without.status == 403, (method, path, without.status)
        if path.startswith("/api/"):
            assert (await without.json())["error"]["code"] == "csrf"
        if "data" in body:
            body["data"]["csrf_token"] = token
            foreign = await client.request(method, path, allow_redirects=False, headers=evil, **body)
        else:
            foreign = await client.request(method, path, allow_redirects=False,
                                           headers=evil | {"X-CSRF-Token": token}, **body)
        assert foreign.status == 403, (method, path, foreign.status)
    assert await whoami(client) == str(customer.id)  # sign-out and "everywhere" did nothing
    assert await CartLine.all().count() == 0


async def test_every_private_page_is_never_cached(app_client, catalogue: Catalogue):
    client = await app_client()
    for path in ("/cart", "/checkout", "/sign-in", "/register", "/password-reset", "/api/v1/session",
                 "/api/v1/cart"):
        response = await client.get(path, allow_redirects=False)
        assert response.headers.get("Cache-Control") == "no-store", path
    await sign_in_as(client, await make_customer())
    for method, path, name in routes_of(client.app, {"GET"}, catalogue.filter_bosch):
        response = await client.get(path, allow_redirects=False)
        if path in ("/healthz", "/api/v1/openapi.json") or response.status in (301, 302, 303, 307, 308):
            continue
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status)


def test_no_template_has_inline_script_style_or_handler():
    """The CSP forbids inline scripts and styles: a template that used one would break silently."""
    found = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\ssrc=)", r"\son[a-z]+\s*=", r"\sstyle\s*=", r"<style", r"javascript:"):
            found += [(template.name, match) for match in re.findall(pattern, text, flags=re.IGNORECASE)]
    assert found == []
