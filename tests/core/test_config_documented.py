"""Every setting the shop reads is shipped, commented, in config.toml and described in docs/configuration.md."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from core.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def setting_keys(cls: type = Settings, prefix: str = "") -> list[str]:
    """Dotted names of every leaf setting, e.g. `notifications.email.password`."""
    keys = []
    for f in dataclasses.fields(cls):
        if f.name == "source":
            continue
        kind = f.default_factory if f.default_factory is not dataclasses.MISSING else None
        if kind is not None and dataclasses.is_dataclass(kind):
            keys += setting_keys(kind, f"{prefix}{f.name}.")
        else:
            keys.append(prefix + f.name)
    return keys


def shipped_keys(table: dict, prefix: str = "") -> set[str]:
    keys = set()
    for name, value in table.items():
        if isinstance(value, dict):
            keys |= shipped_keys(value, f"{prefix}{name}.")
        else:
            keys.add(prefix + name)
    return keys


def test_the_shipped_config_holds_every_setting():
    shipped = shipped_keys(tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8")))
    missing = [key for key in setting_keys() if key not in shipped]
    assert not missing, f"settings missing from config.toml: {missing}"


def test_the_configuration_guide_describes_every_setting():
    guide = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in setting_keys() if f"`{key}`" not in guide]
    assert not missing, f"settings not described in docs/configuration.md: {missing}"
