"""`python -m core import-catalogue | search | demo-data` end to end, in a real process on an SQLite file."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.core.test_catalogue_import import DATA, EXPECTED_REJECTS

REPO = Path(__file__).resolve().parents[2]


def run_core(config: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    return subprocess.run(
        [sys.executable, "-m", "core", "--config", str(config), *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def new_shop(directory: Path) -> Path:
    """A config file naming an SQLite file in `directory`, migrated."""
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "config.toml"
    config.write_text(f'[database]\nurl = "sqlite://{directory}/shop.sqlite3"\n', encoding="utf-8")
    migrated = run_core(config, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    return config


@dataclass(frozen=True)
class Shop:
    config: Path
    imported: subprocess.CompletedProcess  # what the import printed


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Shop:
    """A migrated shop with the fixture catalogue imported."""
    config = new_shop(tmp_path_factory.mktemp("cli_shop"))
    return Shop(config, run_core(config, "import-catalogue", str(DATA)))


def search_json(config: Path, *args: str) -> dict:
    result = run_core(config, "search", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_import_prints_rejects_and_a_summary(shop):
    imported = shop.imported
    assert imported.returncode == 0
    assert imported.stderr.splitlines() == EXPECTED_REJECTS
    lines = imported.stdout.splitlines()
    assert lines[:4] == [
        "vehicles.csv: 12 added, 0 updated, 5 rejected",
        "parts.csv: 18 added, 1 updated, 12 rejected",
        "fitments.csv: 19 added, 1 updated, 5 rejected",
        "crossrefs.csv: 9 added, 0 updated, 2 rejected",
    ]
    assert lines[4].startswith("84 rows in ") and lines[4].endswith("catalogue version 1")


def test_search_json_through_normalisations_groups_and_vehicle(shop):
    oil = search_json(shop.config, "0 986-452.041")
    assert oil["total"] == 3
    assert [(i["brand"], i["is_analogue"]) for i in oil["items"]] == [
        ("Bosch", False),
        ("Mahle", True),
        ("Mann-Filter", True),
    ]
    assert oil["items"][0] | {"id": 0} == {
        "id": 0, "brand": "Bosch", "article": "0986452041", "name": "Oil filter", "category": "Oil filters",
        "price": "9.40", "price_minor": 940, "currency": "EUR", "stock": 22, "fits": None, "is_analogue": False,
    }  # fmt: skip

    pads = search_json(shop.config, "1к0-698-151-а", "--vehicle", "100001")  # Cyrillic к and а
    assert {(i["brand"], i["article"], i["fits"]) for i in pads["items"]} == {
        ("TRW", "GDB1550", True),
        ("Brembo", "P 85 020", True),
    }

    brakes = search_json(shop.config, "", "--category", "Brakes", "--page", "2", "--per-page", "2")
    assert (brakes["total"], brakes["pages"], len(brakes["items"])) == (5, 3, 2)


def test_search_prints_a_table_without_json(shop):
    result = run_core(shop.config, "search", "k20tt")
    assert result.returncode == 0
    assert result.stdout.splitlines()[0].split() == ["brand", "article", "name", "price", "stock", "category"]
    assert "Denso" in result.stdout and "5.10 EUR" in result.stdout
    assert result.stdout.splitlines()[-1] == "page 1 of 1, 1 part(s)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "x", "--vehicle", "nope"], "error: There is no vehicle with id “nope”."),
        (["search", "x", "--category", "Exhausts"], "error: There is no category “Exhausts”."),
        (["search", "x", "--page", "abc"], "error: --page must be a whole number, not 'abc'"),
        (["search", "x", "--page", "0"], "error: The page number must be 1 or more."),
        (
            ["import-catalogue", "no/such/dir"],
            "error: no/such/dir: no such file or directory; nothing imported",
        ),
        (["demo-data", "--size", "huge"], "error: unknown size 'huge' (choose tiny, small, large)"),
        (["search", "x", "--vehicle", "9" * 40], f"error: There is no vehicle with id “{'9' * 40}”."),
        (["search", "x", "--per-page", "500"], "error: Show between 1 and 100 parts per page."),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(shop, args, message):
    result = run_core(shop.config, *args)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_config_gives_one_line(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[database]\nurl = "sqlite://x"\ncolour = "red"\n', encoding="utf-8")
    result = run_core(config, "search", "x")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "database.colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_strict_import_refuses_and_leaves_the_catalogue_empty(tmp_path):
    config = new_shop(tmp_path / "strict")
    result = run_core(
        config, "import-catalogue", str(DATA / "vehicles.csv"), str(DATA / "parts.csv"), "--strict"
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["vehicles.csv: 5 rejected", "parts.csv: 12 rejected"]
    assert result.stderr.splitlines()[-1] == "nothing imported: 17 bad row(s) and --strict"
    assert search_json(config, "")["total"] == 0


def test_demo_data_loads_once_with_if_empty(tmp_path):
    config = new_shop(tmp_path / "demo")
    first = run_core(config, "demo-data", "--size", "tiny", "--if-empty")
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[:3] == [
        "vehicles.csv: 43 added, 0 updated",
        "categories.csv: 26 added, 0 updated",
        "parts.csv: 847 added, 0 updated",
    ]
    again = run_core(config, "demo-data", "--size", "tiny", "--if-empty")
    assert again.stdout.strip() == "the catalogue already has parts: demo data not loaded"
    assert search_json(config, "", "--per-page", "1")["total"] == 847


def test_the_demo_finds_parts_by_category_words_in_every_language(tmp_path):
    config = new_shop(tmp_path / "demo")
    assert run_core(config, "demo-data", "--size", "tiny").returncode == 0
    for query, category, total in (
        ("гальмівні колодки", "Brake pads", 40),
        ("тормозные колодки", "Brake pads", 40),
        ("pastillas de freno", "Brake pads", 40),
        ("масляный фильтр", "Oil filters", 66),
    ):
        found = search_json(config, query, "--per-page", "100")
        assert (found["total"], {item["category"] for item in found["items"]}) == (total, {category}), query


def test_a_query_with_bytes_that_are_not_utf8_still_searches(shop):
    # A terminal in another encoding: Python hands such bytes over as lone surrogates.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    result = subprocess.run(
        [sys.executable, "-m", "core", "--config", str(shop.config), "search", b"W 712/75\xff", "--json"],
        cwd=REPO, env=env, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    found = json.loads(result.stdout)["items"]
    assert {(item["brand"], item["article"]) for item in found} >= {("Mann-Filter", "W 712/75")}


def test_demo_csv_into_a_file_that_is_no_directory_is_one_line(shop):
    result = run_core(shop.config, "demo-data", "--size", "tiny", "--csv", str(shop.config))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [f"error: {shop.config}: File exists"]
