"""Every sentence the customers area shows a person is translated into uk, ru and es."""

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.customers.validation import too_long

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted((ROOT / "core" / "customers").glob("*.py")) + [ROOT / "core" / "ratelimit.py"]
SENTENCE = re.compile(r"[A-Z][^\n]* [^\n]*[.!?]")


def _docstring_nodes(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def user_messages() -> set[str]:
    """Sentences in the code that are not docstrings: the messages errors carry."""
    messages = set()
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstring_nodes(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if SENTENCE.fullmatch(node.value):
                    messages.add(node.value)
    return messages


def length_limits() -> set[int]:
    limits = {100}  # clean_name's default
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "limit" and isinstance(node.value, ast.Constant):
                limits.add(node.value.value)
    return limits


def catalog(locale: str) -> dict[str, str]:
    with (ROOT / "core" / "locales" / locale / "LC_MESSAGES" / "customers.po").open("rb") as fh:
        return {m.id: m.string for m in read_po(fh, locale=locale) if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_messages():
    found = user_messages()
    assert "The email or password is not correct." in found and len(found) > 40


@pytest.mark.parametrize("locale", ["uk", "ru", "es"])
def test_every_message_is_translated(locale):
    translated = catalog(locale)
    wanted = user_messages() | {too_long(n) for n in length_limits()}
    missing = sorted(m for m in wanted if not translated.get(m) or translated[m] == m)
    assert missing == []
    for msgid in wanted:
        assert placeholders(translated[msgid]) == placeholders(msgid), msgid


def test_english_catalog_lists_the_same_messages():
    assert set(catalog("en")) == set(catalog("uk")) == set(catalog("ru")) == set(catalog("es"))
