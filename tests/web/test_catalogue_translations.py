"""Category names in the visitor's language on catalogue pages and in the JSON API; search by them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core import db as core_db
from core.catalogue.importer import import_catalogue
from tests.web.conftest import Catalogue

CATEGORIES = """category,name_uk,name_ru,name_es
Oil filters,Масляні фільтри,Масляные фильтры,Filtros de aceite
Brake pads,Гальмівні колодки,Тормозные колодки,Pastillas de freno
"""
PADS = {"en": "Brake pads", "uk": "Гальмівні колодки", "ru": "Тормозные колодки", "es": "Pastillas de freno"}
FILTERS = {"en": "Oil filters", "uk": "Масляні фільтри", "ru": "Масляные фильтры", "es": "Filtros de aceite"}


@pytest.fixture
async def translated(db_url, catalogue: Catalogue, tmp_path: Path) -> Catalogue:
    """The small catalogue with categories.csv imported over it, as a shop owner would."""
    (tmp_path / "categories.csv").write_text(CATEGORIES, encoding="utf-8")
    await core_db.open_database(db_url.url)
    try:
        report = await import_catalogue([tmp_path / "categories.csv"], currency="EUR")
    finally:
        await core_db.close_database()
    assert report.rejects == []
    return catalogue


def heading(html: str) -> str:
    found = re.search(r"<h1>([^<]*)", html)
    assert found, "no h1"
    return found.group(1).strip()


async def test_category_page_is_named_in_each_language_and_the_cache_keeps_them_apart(app_client, translated):
    client = await app_client()
    # Twice round, so the second round is served from the page cache.
    for _round in range(2):
        for language in ("uk", "ru", "es", "en"):
            page = await client.get("/category/brake-pads", headers={"Accept-Language": language})
            html = await page.text()
            assert heading(html) == PADS[language], language
            assert f"<title>{PADS[language]}" in html, language
            others = [name for lang, name in PADS.items() if lang != language]
            assert not any(name in html for name in others), language


async def test_home_and_part_page_show_the_visitors_category_names(app_client, translated):
    client = await app_client()
    for language in ("uk", "ru", "es"):
        headers = {"Accept-Language": language}
        home = await (await client.get(f"/?vehicle={translated.golf}", headers=headers)).text()
        assert re.search(rf"{FILTERS[language]} <span class=\"count\">\(2\)", home), language
        listed = re.findall(r'<a href="/category/([a-z-]+)\?vehicle=\d+">', home)
        # By name in the page's language: "Spark plugs" (not translated here) sorts before Cyrillic.
        expected = ["oil-filters", "spark-plugs"] if language == "es" else ["spark-plugs", "oil-filters"]
        assert listed == expected, language
        part = await (await client.get(f"/part/{translated.pads}", headers=headers)).text()
        assert f'<a href="/category/brake-pads">{PADS[language]}</a>' in part, language
        assert "Brake pads" not in part, language


@pytest.mark.parametrize(
    ("language", "query"),
    [("uk", "гальмівні колодки"), ("ru", "тормозные колодки"), ("es", "pastillas de freno")],
)
async def test_search_by_the_category_name_in_the_visitors_language(app_client, translated, language, query):
    client = await app_client()
    page = await client.get("/search", params={"q": query}, headers={"Accept-Language": language})
    html = await page.text()
    assert "GDB1550" in html
    assert f"· {PADS[language]}" in html
    assert "0 986 452 041" not in html and "BKR6EK" not in html


async def test_api_gives_the_category_name_in_the_requests_language(app_client, translated):
    client = await app_client()
    spanish = {"Accept-Language": "es"}
    found = await (await client.get("/api/v1/parts", params={"q": "pastillas"}, headers=spanish)).json()
    assert [(item["article"], item["category"]) for item in found["items"]] == [("GDB1550", "Pastillas de freno")]
    details = await (await client.get(f"/api/v1/parts/{translated.pads}", headers=spanish)).json()
    assert details["part"]["category"] == {"id": details["part"]["category"]["id"], "name": "Pastillas de freno",
                                           "slug": "brake-pads"}
    english = await (await client.get(f"/api/v1/parts/{translated.pads}")).json()
    assert english["part"]["category"]["name"] == "Brake pads"
