"""Catalogue pages as a visitor sees them: selector, categories, search, part page, 404s."""

from __future__ import annotations

import re

from tests.web.conftest import Catalogue


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name}"
    return [o.strip() for o in re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select.group(1))]


async def test_selector_steps_through_make_model_vehicle_without_javascript(app_client, catalogue: Catalogue):
    client = await app_client()
    home = await (await client.get("/")).text()
    assert options(home, "make") == ["Ford", "Volkswagen"]
    models = await (await client.get(f"/?make={catalogue.make_vw}")).text()
    assert options(models, "model") == ["Golf", "Polo"]
    vehicles = await (await client.get(f"/?make={catalogue.make_vw}&model={catalogue.model_golf}")).text()
    assert options(vehicles, "vehicle") == ["Volkswagen Golf VII (5G1) 1.4 petrol CZCA 92 kW 2012–2020"]
    assert 'action="/vehicle"' in vehicles


async def test_the_vehicle_is_named_in_the_visitors_language(app_client, catalogue: Catalogue):
    client = await app_client()
    for language, fuel in (("uk", "бензин"), ("ru", "бензин"), ("es", "gasolina")):
        headers = {"Accept-Language": language}
        vehicles = await (await client.get(f"/?make={catalogue.make_vw}&model={catalogue.model_golf}",
                                           headers=headers)).text()
        assert options(vehicles, "vehicle") == [f"Volkswagen Golf VII (5G1) 1.4 {fuel} CZCA 92 kW 2012–2020"]
        for path in (f"/?vehicle={catalogue.golf}", f"/part/{catalogue.filter_bosch}?vehicle={catalogue.golf}"):
            page = await (await client.get(path, headers=headers)).text()
            assert f"1.4 {fuel} CZCA" in page and "petrol" not in page, (language, path)


async def test_choosing_a_vehicle_remembers_it_and_lists_its_categories(app_client, catalogue: Catalogue):
    client = await app_client()
    chosen = await client.get(f"/vehicle?vehicle={catalogue.golf}", allow_redirects=False)
    assert chosen.status == 303
    assert chosen.headers["Location"] == f"/?vehicle={catalogue.golf}"
    assert chosen.cookies["vehicle"].value == str(catalogue.golf)
    home = await (await client.get("/")).text()  # no ?vehicle=: the cookie remembers it
    assert "Your vehicle:" in home and "Volkswagen Golf VII" in home
    assert re.search(r"Oil filters <span class=\"count\">\(2\)", home)
    assert re.search(r"Spark plugs <span class=\"count\">\(1\)", home)
    assert "Brake pads" not in home  # fits only the Ford
    forgotten = await client.get("/vehicle", allow_redirects=False)
    assert forgotten.status == 303
    assert "Your vehicle:" not in await (await client.get("/")).text()


async def test_browsing_works_with_cookies_off(app_client, catalogue: Catalogue):
    client = await app_client(cookies=False)
    home = await client.get(f"/?vehicle={catalogue.golf}")
    assert home.status == 200
    assert "Oil filters" in await home.text()
    found = await client.get(f"/search?q=0986452041&vehicle={catalogue.golf}")
    assert "Oil filter" in await found.text()
    part = await client.get(f"/part/{catalogue.filter_bosch}?vehicle={catalogue.golf}")
    assert part.status == 200
    category = await client.get(f"/category/oil-filters?vehicle={catalogue.golf}")
    assert "MANN-FILTER" in await category.text()


async def test_search_by_article_marks_analogues_and_fitting(app_client, catalogue: Catalogue):
    client = await app_client()
    text = await (await client.get(f"/search?q=0 986-452.041&vehicle={catalogue.golf}")).text()
    cards = re.findall(r'<article class="card">(.*?)</article>', text, re.S)
    assert len(cards) == 2
    bosch = next(c for c in cards if "BOSCH" in c)
    mann = next(c for c in cards if "MANN-FILTER" in c)
    assert "Fits your vehicle" in bosch and "Analogue" not in bosch
    assert "Fits your vehicle" in mann and "Analogue" in mann
    assert "€12.50" in bosch


async def test_a_part_number_that_does_not_fit_the_vehicle_is_shown_as_not_fitting(app_client, catalogue: Catalogue):
    """With the Golf chosen, the Ford's brake pads are still found by their number, marked as not
    fitting, instead of "nothing found" as if the shop did not have them."""
    client = await app_client()
    text = await (await client.get(f"/search?q=GDB1550&vehicle={catalogue.golf}")).text()
    assert "Nothing found" not in text
    assert "Nothing for “GDB1550” fits your Volkswagen Golf VII" in text
    cards = re.findall(r'<article class="card">(.*?)</article>', text, re.S)
    assert len(cards) == 1 and "TRW" in cards[0]
    assert "Does not fit your vehicle" in cards[0] and "Fits your vehicle" not in cards[0]
    ukrainian = await (await client.get(f"/search?q=GDB1550&vehicle={catalogue.golf}",
                                        headers={"Accept-Language": "uk"})).text()
    assert "нічого не підходить" in ukrainian
    unknown = await (await client.get(f"/search?q=zzzz-no-such-part&vehicle={catalogue.golf}")).text()
    assert "Nothing found" in unknown and '<article class="card">' not in unknown


async def test_search_by_oe_number_and_by_words(app_client, catalogue: Catalogue):
    client = await app_client()
    by_oe = await (await client.get("/search?q=03C115561H")).text()
    assert "BOSCH" in by_oe and "MANN-FILTER" in by_oe
    assert "Fits your vehicle" not in by_oe  # no vehicle chosen: no fit badge
    by_words = await (await client.get("/search?q=brake pad")).text()
    assert "GDB1550" in by_words and "Oil filter" not in by_words
    nothing = await (await client.get("/search?q=zzzz-no-such-part")).text()
    assert "Nothing found" in nothing
    empty = await client.get("/search")
    assert empty.status == 200


async def test_category_page_lists_its_parts_and_unknown_is_404(app_client, catalogue: Catalogue):
    client = await app_client()
    page = await client.get(f"/category/oil-filters?vehicle={catalogue.polo}")
    text = await page.text()
    assert page.status == 200 and "BOSCH" in text and "MANN-FILTER" not in text  # MANN fits no Polo
    missing = await client.get("/category/no-such-category")
    assert missing.status == 404
    assert "There is no such category." in await missing.text()


async def test_part_page_shows_price_stock_vehicles_analogues_and_oe_numbers(app_client, catalogue: Catalogue):
    client = await app_client()
    response = await client.get(f"/part/{catalogue.filter_bosch}?vehicle={catalogue.polo}")
    text = await response.text()
    assert response.status == 200
    assert "€12.50" in text and "In stock: 10" in text
    assert "Fits your vehicle" in text
    assert "Volkswagen Golf VII (5G1)" in text and "Volkswagen Polo V (6R1)" in text
    assert "03C115561H" in text
    analogues = text.split('id="analogues-title"')[1]
    assert "MANN-FILTER" in analogues and "W 712/95" in analogues
    assert 'action="/cart/add"' in text


async def test_out_of_stock_part_cannot_be_added(app_client, catalogue: Catalogue):
    client = await app_client()
    text = await (await client.get(f"/part/{catalogue.out_of_stock}")).text()
    assert "Out of stock" in text
    assert 'action="/cart/add"' not in text


async def test_unknown_part_vehicle_and_page_are_friendly_404s(app_client, catalogue: Catalogue):
    client = await app_client()
    for path in ("/part/999999", "/part/abc", f"/part/{catalogue.pads}?vehicle=999999", "/no/such/page",
                 "/?make=999999", "/vehicle?vehicle=nope"):
        response = await client.get(path)
        text = await response.text()
        assert response.status == 404, path
        assert "<h1>Page not found</h1>" in text, path
        assert "Traceback" not in text


async def test_signed_in_home_shows_the_garage(app_client, catalogue: Catalogue):
    from core.customers.models import GarageVehicle
    from tests.web.conftest import make_customer, sign_in_as

    client = await app_client()
    customer = await make_customer()
    await GarageVehicle.create(customer=customer, vehicle_id=catalogue.focus, nickname="Work car")
    await sign_in_as(client, customer)
    home = await client.get(f"/?vehicle={catalogue.golf}")
    text = await home.text()
    garage = text.split('id="garage-title"')[1].split("</section>")[0]
    assert "Work car" in garage and "Ford Focus III" in garage
    assert f'href="/vehicle?vehicle={catalogue.focus}"' in garage
    assert 'name="vehicle_id" value="%d"' % catalogue.golf in text  # "Save to my garage" for the Golf
    anonymous = await app_client()
    assert 'id="garage-title"' not in await (await anonymous.get("/")).text()
