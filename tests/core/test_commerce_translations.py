"""Every message the commerce services raise is translated into uk, ru and es, placeholders kept."""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.errors import ValidationError
from core.i18n import gettext, translations

ROOT = Path(__file__).resolve().parents[2]
MODULES = [
    "core/carts/service.py",
    "core/orders/checkout.py",
    "core/orders/status.py",
    "core/orders/queries.py",
    "core/payments/service.py",
    "core/payments/ports.py",
    "core/payments/sandbox.py",
    "core/payments/liqpay.py",
]
SENTENCE = re.compile(r"[A-Z{][^\n]* [^\n]*[.!?]")


def raised_messages() -> set[str]:
    """Sentences in the modules' code (docstrings excluded): the msgids of their errors."""
    found = set()
    for module in MODULES:
        tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        found |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and SENTENCE.fullmatch(node.value)
        }
    return found


def catalog(locale: str) -> dict[str, str]:
    path = ROOT / "core" / "locales" / locale / "LC_MESSAGES" / "commerce.po"
    with path.open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=locale) if m.id}


def test_the_scan_finds_the_messages():
    messages = raised_messages()
    assert "Your cart is empty." in messages and "{part} is out of stock." in messages
    assert len(messages) > 30


@pytest.mark.parametrize("locale", ["en", "uk", "ru", "es"])
def test_every_commerce_message_is_translated(locale):
    entries = catalog(locale)
    missing = sorted(raised_messages() - set(entries))
    assert not missing, f"add to {locale}/commerce.po: {missing}"
    for msgid, text in entries.items():
        assert text, f"{locale}: empty translation of {msgid!r}"
        assert set(re.findall(r"{\w+}", text)) == set(re.findall(r"{\w+}", msgid)), (locale, msgid)
        if locale != "en":
            assert text != msgid, f"{locale}: {msgid!r} is not translated"


def test_an_error_reads_in_the_customers_language():
    error = ValidationError(
        "{part}: only {stock} in stock.", part="Oil filter (BOSCH 0 986 452 041)", stock=2
    )
    assert (
        error.localized(translations("uk").gettext)
        == "Oil filter (BOSCH 0 986 452 041): у наявності лише 2 шт."
    )
    assert (
        error.localized(translations("es").gettext)
        == "Oil filter (BOSCH 0 986 452 041): solo hay 2 en existencias."
    )
    assert gettext("ru", "Your cart is empty.") == "Ваша корзина пуста."
