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


def test_gearshop_config_names_another_file(tmp_path):
    path = write(tmp_path, '[shop]\nname = "Recambios"\n')
    assert load_settings(environ={"GEARSHOP_CONFIG": str(path)}).shop.name == "Recambios"


def test_choices_and_ranges_are_checked(tmp_path):
    for text, key in [
        ('[notifications.email]\nadapter = "pigeon"\n', "notifications.email.adapter"),
        ('[shop]\nlocales = ["en", "fr"]\n', "shop.locales"),
        ('[shop]\ncurrency = "euro"\n', "shop.currency"),
        ("[privacy]\naccess_log_days = 0\n", "privacy.access_log_days"),
        ('[payments]\nproviders = ["liqpay"]\n', "payments.liqpay.public_key"),
    ]:
        with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
            load_settings(write(tmp_path, text), environ={})


def test_bad_config_on_the_command_line_is_one_line_without_traceback(tmp_path):
    path = write(tmp_path, "[web]\nport = -1\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEARSHOP_")}
    result = subprocess.run([sys.executable, "-m", "core", "--config", str(path), "migrate"],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "web.port" in result.stderr and "shop.toml" in result.stderr
