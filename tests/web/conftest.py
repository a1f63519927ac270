"""Web fixtures: the real app (init_app) on a real database, a small catalogue, sign-in and CSRF helpers.

    async def test_x(app_client, catalogue):
        client = await app_client()                       # default settings, the db_url database
        client = await app_client(web={"https": True})    # any settings section replaced
        client = await app_client(cookies=False)          # a browser with cookies off
        token = await csrf_from(client)                   # a form token for this client
        customer = await make_customer(email="a@example.com")
        await sign_in_as(client, customer)                # a real session through sessions.sign_in
        assert await whoami(client) == str(customer.id)   # test-only routes: whoami, sign-out

`app_client` uses the `db_url` fixture, so every test that takes it runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient

from core import db as core_db
from tests.conftest import replace_settings
from web import sessions
from web.app import init_app
from web.security import csrf_exempt

# For tests whose subject does not depend on the database engine (headers, cookies, redirects):
# they run on SQLite only, which keeps the suite fast; everything that stores data runs on both.
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)

TEST_SIGN_IN_PATH = "/_test/sign-in/{customer_id}"
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Catalogue:
    """Ids of the seeded catalogue (see `seed_catalogue`)."""

    golf: int  # Volkswagen Golf VII 1.4 TSI
    polo: int  # Volkswagen Polo V 1.2
    focus: int  # Ford Focus III 1.6
    filter_bosch: int  # oil filter, fits golf + polo, category oil-filters
    filter_mann: int  # analogue of filter_bosch (same cross-reference group), fits golf
    pads: int  # brake pads, fits focus, category brake-pads
    out_of_stock: int  # spark plug with stock 0, fits golf
    make_vw: int
    model_golf: int


async def seed_catalogue() -> Catalogue:
    """A couple of makes, models, vehicles, categories, parts, fitments and cross-references."""
    from core.catalogue.models import Category, CrossReference, Fitment, Make, Part, Vehicle, VehicleModel

    vw = await Make.create(name="Volkswagen", slug="volkswagen")
    ford = await Make.create(name="Ford", slug="ford")
    golf_model = await VehicleModel.create(make=vw, name="Golf")
    polo_model = await VehicleModel.create(make=vw, name="Polo")
    focus_model = await VehicleModel.create(make=ford, name="Focus")
    golf = await Vehicle.create(model=golf_model, generation="VII", body="5G1", engine_code="CZCA", engine_cc=1395,
                                power_kw=92, fuel="petrol", year_from=2012, year_to=2020)
    polo = await Vehicle.create(model=polo_model, generation="V", body="6R1", engine_code="CGPA", engine_cc=1198,
                                power_kw=51, fuel="petrol", year_from=2009, year_to=2014)
    focus = await Vehicle.create(model=focus_model, generation="III", engine_code="PNDA", engine_cc=1596,
                                 power_kw=92, fuel="petrol", year_from=2011, year_to=2018)
    filters = await Category.create(name="Oil filters", slug="oil-filters")
    brakes = await Category.create(name="Brake pads", slug="brake-pads")
    plugs = await Category.create(name="Spark plugs", slug="spark-plugs")

    async def part(brand, article, name, category, price, stock, group=None):
        from core.catalogue.normalise import normalise_article

        return await Part.create(brand=brand, brand_key=brand.upper(), article=article,
                                 article_norm=normalise_article(article), name=name, category=category,
                                 price=price, currency="EUR", stock=stock, xref_group=group)

    bosch = await part("BOSCH", "0 986 452 041", "Oil filter", filters, 1250, 10, group=1)
    mann = await part("MANN-FILTER", "W 712/95", "Oil filter", filters, 990, 5, group=1)
    pads = await part("TRW", "GDB1550", "Brake pad set, front", brakes, 3450, 3)
    plug = await part("NGK", "BKR6EK", "Spark plug", plugs, 700, 0)
    for number, brand in (("03C115561H", "VAG"), ("0 986 452 041", "BOSCH"), ("W 712/95", "MANN-FILTER")):
        from core.catalogue.normalise import normalise_article

        await CrossReference.create(group=1, brand=brand, brand_key=brand.upper(), number=number,
                                    number_norm=normalise_article(number))
    for p, v in ((bosch, golf), (bosch, polo), (mann, golf), (pads, focus), (plug, golf)):
        await Fitment.create(part=p, vehicle=v)
    return Catalogue(golf=golf.id, polo=polo.id, focus=focus.id, filter_bosch=bosch.id, filter_mann=mann.id,
                     pads=pads.id, out_of_stock=plug.id, make_vw=vw.id, model_golf=golf_model.id)


async def make_customer(**fields):
    """A customer row made with the model (no password: tests sign in through sessions.sign_in)."""
    from core.customers.models import Customer

    values = {"first_name": "Olena", "last_name": "Koval", "email": "olena@example.com",
              "phone": "+380501234567", "locale": "en"}
    values.update(fields)
    return await Customer.create(**values)


async def _test_sign_in(request: web.Request) -> web.Response:
    from core.customers.models import Customer

    customer = await Customer.get(id=int(request.match_info["customer_id"]))
    await sessions.sign_in(request, customer)
    return web.Response(text="signed in")


async def _test_whoami(request: web.Request) -> web.Response:
    customer = await sessions.current_customer(request)
    return web.Response(text=str(customer.id) if customer else "anonymous")


async def _test_sign_out(request: web.Request) -> web.Response:
    if request.match_info["scope"] == "everywhere":
        ended = await sessions.sign_out_everywhere(request)
        return web.Response(text=f"ended {ended}")
    await sessions.sign_out(request)
    return web.Response(text="signed out")


async def whoami(client: TestClient) -> str:
    """The signed-in customer's id as text, or "anonymous"."""
    response = await client.get("/_test/whoami")
    return await response.text()


async def sign_in_as(client: TestClient, customer) -> None:
    """Sign the client in through the real sessions.sign_in (a test-only route)."""
    response = await client.post(TEST_SIGN_IN_PATH.format(customer_id=customer.id))
    assert response.status == 200, await response.text()


async def csrf_from(client: TestClient, path: str = "/") -> str:
    """The CSRF token of a form on a page (and the cookie it is bound to, kept by the client)."""
    response = await client.get(path)
    found = CSRF_INPUT.search(await response.text())
    assert found, f"no csrf_token on {path} ({response.status})"
    return found.group(1)


@pytest.fixture
async def app_client(aiohttp_client, db_url, settings) -> AsyncIterator[Callable[..., Awaitable[TestClient]]]:
    """A factory: `await app_client(web={...}, ...)` -> a test client of init_app on db_url's database.

    The app runs with start_background=False; a test-only route signs a customer in.
    The database is opened by the app itself (its cleanup_ctx) and closed with it.
    """

    async def make(setup: Callable[[web.Application], None] | None = None, *, cookies: bool = True,
                   background: bool = False, **sections) -> TestClient:
        changed = replace_settings(settings, database={"url": db_url.url}, **sections)
        app = init_app(changed, start_background=background)
        app.router.add_post(TEST_SIGN_IN_PATH, csrf_exempt(_test_sign_in))
        app.router.add_post("/_test/sign-out/{scope}", csrf_exempt(_test_sign_out))
        app.router.add_get("/_test/whoami", _test_whoami)
        if setup is not None:
            setup(app)
        # cookies=False: a browser with cookies switched off.
        return await aiohttp_client(app, **({} if cookies else {"cookie_jar": DummyCookieJar()}))

    yield make


@pytest.fixture
async def catalogue(db_url) -> Catalogue:
    """The small catalogue, written before the app starts (the app opens the same database)."""
    await core_db.open_database(db_url.url)
    try:
        return await seed_catalogue()
    finally:
        await core_db.close_database()
