"""Every message the catalogue shows a customer is translated into the shop's languages."""

import re
from pathlib import Path

import pytest

from core.i18n import gettext

SOURCES = sorted((Path(__file__).resolve().parents[2] / "core" / "catalogue").glob("*.py"))
MESSAGES = sorted(
    {
        m
        for path in SOURCES
        for m in re.findall(r'(?:NotFound|ValidationError)\(\s*"([^"]+)"', path.read_text(encoding="utf-8"))
    }
)


def test_the_messages_were_found():
    assert "There is no such part." in MESSAGES and len(MESSAGES) >= 10


@pytest.mark.parametrize("locale", ["uk", "ru", "es"])
def test_every_message_is_translated(locale):
    untranslated = [m for m in MESSAGES if gettext(locale, m) == m]
    assert untranslated == []
    # Placeholders survive translation.
    for message in MESSAGES:
        assert set(re.findall(r"\{\w+\}", gettext(locale, message))) == set(re.findall(r"\{\w+\}", message))
