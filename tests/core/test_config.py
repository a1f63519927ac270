"""Configuration: typed, validated, immutable; errors name the key and the file."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError, load_settings

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "shop.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_config_loads_with_every_default(tmp_path):
    settings = load_settings(ROOT / "config.toml", environ={})
    assert settings.database.url == "sqlite://var/gearshop.sqlite3"
    assert settings.shop.locales == ("en", "uk", "ru", "es")
    assert settings.notifications.email.adapter == "console"
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.web.port = 1  # type: ignore[misc]


def test_every_key_in_the_shipped_file_is_commented():
    lines = (ROOT / "config.toml").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if "=" in line and not line.lstrip().startswith("#"):
            above = lines[number - 1].strip()
            assert above.startswith("#") or ("=" in above and not above.startswith("[")), f"line {number + 1} has no comment: {line}"


def test_unknown_key_names_key_and_file(tmp_path):
    path = write(tmp_path, "[web]\nprot = 8080\n")
    with pytest.raises(ConfigError, match=r"shop\.toml: unknown key 'web\.prot'"):
        load_settings(path, environ={})


def test_unknown_section_is_refused(tmp_path):
    path = write(tmp_path, "[webb]\nport = 1\n")
    with pytest.raises(ConfigError, match="unknown key 'webb'"):
        load_settings(path, environ={})


def test_wrong_type_names_key_and_file(tmp_path):
    path = write(tmp_path, '[web]\nport = "eighty"\n')
    with pytest.raises(ConfigError, match=r"shop\.toml: key 'web\.port' must be a whole number"):
        load_settings(path, environ={})


def test_missing_required_secret_stops_start_up(tmp_path):
    path = write(tmp_path, '[bot]\ntoken = "123:abc"\nmode = "webhook"\n')
    with pytest.raises(ConfigError, match=r"key 'bot\.webhook_secret' is a required secret"):
        load_settings(path, environ={})
    path = write(tmp_path, "[web]\nhttps = true\n")
    with pytest.raises(ConfigError, match=r"'web\.session_key'"):
        load_settings(path, environ={})


def test_environment_overrides_single_keys_with_types(tmp_path):
    path = write(tmp_path, "[web]\nport = 8080\n")
    env = {
        "GEARSHOP_WEB__PORT": "9090",
        "GEARSHOP_WEB__HTTPS": "true",
        "GEARSHOP_WEB__SESSION_KEY": "k" * 40,
        "GEARSHOP_NOTIFICATIONS__EMAIL__PASSWORD": "s3cret",
        "GEARSHOP_BOT__STAFF_USER_IDS": "11, 22",
    }
    settings = load_settings(path, environ=env)
    assert settings.web.port == 9090 and settings.web.https is True
    assert settings.notifications.email.password == "s3cret"
    assert settings.bot.staff_user_ids == (11, 22)


def test_bad_environment_value_names_the_key(tmp_path):
    path = write(tmp_path, "")
    with pytest.raises(ConfigError, match=r"key 'web\.port' \(from the environment\)"):
        load_settings(path, environ={"GEARSHOP_WEB__PORT": "x"})
    with pytest.raises(ConfigError, match=r"unknown key 'web\.nope'"):
        load_settings(path, environ={"GEARSHOP_WEB__NOPE": "1"})


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("GEARSHOP_WEB__PROT", "environment variable GEARSHOP_WEB__PROT names unknown key 'web.prot'"),
        ("GEARSHOP_WBE__PORT", "environment variable GEARSHOP_WBE__PORT names unknown key 'wbe'"),
        ("GEARSHOP_SHOP__NAME__FULL", "environment variable GEARSHOP_SHOP__NAME__FULL: 'shop.name' is a value, not a table"),
        ("GEARSHOP_NOTIFICATIONS__EMAIL", "environment variable GEARSHOP_NOTIFICATIONS__EMAIL names the table [notifications.email], not a key"),
    ],
)  # fmt: skip
def test_a_misspelt_environment_variable_is_named(tmp_path, variable, message):
    # The key is not in the file, so the message must say where it came from.
    path = write(tmp_path, "")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={variable: "1", "GEARSHOP_REQUIRE_SERVICES": "1"})
    assert str(caught.value) == f"{path}: {message}"


def test_a_file_that_is_not_utf8_text_is_named(tmp_path):
    path = tmp_path / "shop.toml"
    path.write_bytes('[shop]\nname = "Запчасти"\n'.encode("cp1251"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    assert str(caught.value) == f"{path}: not UTF-8 text (invalid continuation byte at byte 15)"


def test_gearshop_config_names_another_file(tmp_path):
    path = write(tmp_path, '[shop]\nname = "Recambios"\n')
    assert load_settings(environ={"GEARSHOP_CONFIG": str(path)}).shop.name == "Recambios"


def test_choices_and_ranges_are_checked(tmp_path):
    for text, key in [
        ('[notifications.email]\nadapter = "pigeon"\n', "notifications.email.adapter"),
        ('[shop]\nlocales = ["en", "fr"]\n', "shop.locales"),
        ('[shop]\ncurrency = "euro"\n', "shop.currency"),
        ('[shop]\ncurrency = "eur"\n', "shop.currency"),
        ('[shop]\ncurrency = "EUD"\n', "shop.currency"),  # three letters, but no currency
        ('[shop]\ntimezone = "Europe/Kyv"\n', "shop.timezone"),
        ('[shop]\ntimezone = "Europe"\n', "shop.timezone"),  # a folder of the zone database
        ('[shop]\ntimezone = "../../etc/passwd"\n', "shop.timezone"),
        ('[shop]\ntimezone = ""\n', "shop.timezone"),
        ("[privacy]\naccess_log_days = 0\n", "privacy.access_log_days"),
        ('[payments]\nproviders = ["liqpay"]\n', "payments.liqpay.public_key"),
    ]:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_settings(write(tmp_path, text), environ={})


def test_the_shop_time_zone_is_an_iana_name_and_defaults_to_utc(tmp_path):
    assert load_settings(ROOT / "config.toml", environ={}).shop.timezone == "UTC"
    assert load_settings(write(tmp_path, '[shop]\ntimezone = "Europe/Kyiv"\n'), environ={}).shop.timezone == "Europe/Kyiv"
    path = write(tmp_path, "")
    assert load_settings(path, environ={"GEARSHOP_SHOP__TIMEZONE": "America/New_York"}).shop.timezone == "America/New_York"


def test_a_machine_without_a_time_zone_database_is_told_what_to_install(tmp_path):
    import zoneinfo

    zoneinfo.reset_tzpath(to=[])  # as on a slim container image without tzdata
    zoneinfo.ZoneInfo.clear_cache(only_keys=["Asia/Tokyo"])
    try:
        with pytest.raises(ConfigError, match=r"key 'shop\.timezone' names 'Asia/Tokyo', but this machine has no time "
                                              r"zone database: install tzdata"):
            load_settings(write(tmp_path, '[shop]\ntimezone = "Asia/Tokyo"\n'), environ={})
        assert load_settings(write(tmp_path, ""), environ={}).shop.timezone == "UTC"  # UTC needs none
    finally:
        zoneinfo.reset_tzpath()


def test_bad_config_on_the_command_line_is_one_line_without_traceback(tmp_path):
    path = write(tmp_path, "[web]\nport = -1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    result = subprocess.run([sys.executable, "-m", "core", "--config", str(path), "migrate"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "web.port" in result.stderr and "shop.toml" in result.stderr


BAD_CONFIGS = {
    "unknown key": ("[shop]\nnmae = 'x'\n", {}, "unknown key 'shop.nmae'"),
    "wrong type": ("[web]\nport = '80'\n", {}, "key 'web.port' must be a whole number"),
    "bad value": ("[web]\nport = 99999\n", {}, "key 'web.port' must be between 1 and 65535"),
    "missing secret": ("[web]\nhttps = true\n", {}, "key 'web.session_key' is a required secret"),
    "malformed": ("[web\nport = 1\n", {}, "not valid TOML"),
    "missing file": (None, {}, "file not found"),
    "bad environment": ("", {"GEARSHOP_WEB__PORT": "abc"}, "key 'web.port' (from the environment) must be a whole number"),
    "unknown time zone": ("[shop]\ntimezone = 'Europe/Kiev-City'\n", {},
                          "key 'shop.timezone' must be an IANA time zone such as Europe/Kyiv or UTC, not 'Europe/Kiev-City'"),
}


def _start(tmp_path, program: list[str], case: str) -> subprocess.CompletedProcess:
    text, extra_env, _ = BAD_CONFIGS[case]
    path = tmp_path / "shop.toml"
    if text is not None:
        path.write_text(f'[database]\nurl = "sqlite://{tmp_path}/shop.sqlite3"\n{text}', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    env.update(extra_env, GEARSHOP_CONFIG=str(path))
    return subprocess.run([sys.executable, "-m", *program], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=60)  # fmt: skip


@pytest.mark.parametrize("case", list(BAD_CONFIGS))
@pytest.mark.parametrize("program", [["core", "migrate"], ["web"], ["bot"]], ids=["core", "web", "bot"])
def test_every_entry_point_stops_on_bad_config_with_one_line(tmp_path, program, case):
    result = _start(tmp_path, program, case)
    assert result.returncode == 2, result.stdout
    assert result.stdout == "" and "Traceback" not in result.stderr
    [line] = result.stderr.splitlines()
    assert str(tmp_path / "shop.toml") in line and BAD_CONFIGS[case][2] in line
