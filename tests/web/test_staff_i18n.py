"""Every text of the staff pages reads in each of the shop's languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from babel.messages.pofile import read_po

from core.i18n import LOCALES_DIR
from core.orders import desk
from core.privacy import staff as privacy_staff

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates" / "staff"
MSGID = re.compile(r'''_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')''')


def staff_msgids() -> set[str]:
    found = {desk.STAFF_ONLY, "Unknown action.", "Order {number} updated."}
    for path in TEMPLATES.glob("*.html"):
        for match in MSGID.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1) if match.group(1) is not None else match.group(2))
    return found


def test_the_scan_finds_the_staff_texts():
    assert {"Order desk", "Change the status", "Download the data"} <= staff_msgids()
    assert privacy_staff.view_customer_data  # the export the pages offer


def translated_msgids(locale: str) -> set[str]:
    found = set()
    for path in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"):
        with path.open("rb") as fh:
            found |= {m.id for m in read_po(fh, locale=locale) if m.id and m.string and not m.fuzzy}
    return found


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
def test_every_staff_text_is_translated(locale):
    assert sorted(staff_msgids() - translated_msgids(locale)) == []
