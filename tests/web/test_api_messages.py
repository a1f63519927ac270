"""Every message the API itself can answer with is translated into uk, ru and es.

The sentences are found in the code of web/api (the messages of ApiError, the (message, params)
pairs of field errors, the fixed tables, the literal ones passed to translate), so a new
sentence without translations fails here rather than reaching a customer in English.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import web.api
from core.i18n import gettext

API_DIR = Path(web.api.__file__).parent
TABLES = {"_TYPE_WORDS", "_HTTP_ERRORS"}
# Modules that hold only messages (no OpenAPI summaries): every sentence in them is one.
MESSAGE_MODULES = {"errors.py", "validation.py"}


def _text(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _called(node: ast.Call) -> str:
    return node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")


def _from_call(node: ast.Call) -> list[str]:
    name = _called(node)
    if name == "ApiError" and len(node.args) >= 3:
        return [_text(node.args[2])]
    if name == "ValidationError" and node.args:
        return [_text(node.args[0])]
    if name in ("translate", "_say") and len(node.args) >= 2:
        return [_text(node.args[1])]
    return []


def _from_table(node: ast.Assign | ast.AnnAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = {t.id for t in targets if isinstance(t, ast.Name)}
    if not names & TABLES or not isinstance(node.value, ast.Dict):
        return []
    found = []
    for value in node.value.values:
        found.append(_text(value.elts[-1]) if isinstance(value, ast.Tuple) else _text(value))
    return found


def _sentences(tree: ast.AST) -> list[str]:
    docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
    return [n.value for n in ast.walk(tree) if _text(n) and id(n) not in docstrings
            and re.fullmatch(r"[A-Z].*[.]", n.value)]


def api_sentences() -> set[str]:
    found: list[str | None] = []
    for path in API_DIR.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.name in MESSAGE_MODULES:
            found += _sentences(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                found += _from_call(node)
            elif isinstance(node, ast.AnnAssign):
                found += _from_table(node)
            elif isinstance(node, ast.Assign):
                found += _from_table(node)
                if any(isinstance(t, ast.Name) and t.id == "message" for t in node.targets):
                    found.append(_text(node.value))
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[1], ast.Dict):
                found.append(_text(node.elts[0]))
    return {text for text in found if text}


def test_the_scan_finds_the_api_sentences():
    sentences = api_sentences()
    assert {"Please sign in first.", "Unknown field.", "Must be at most {limit}.",
            "The Idempotency-Key header is required.", "This method is not allowed here.",
            "Must be at least {count} characters.", "The request could not be handled.",
            "This part is not in your cart.", "There is no such vehicle."} <= sentences
    assert len(sentences) > 25


def test_every_api_sentence_is_translated_with_its_placeholders():
    missing = []
    for sentence in sorted(api_sentences()):
        placeholders = set(re.findall(r"{\w+}", sentence))
        for locale in ("uk", "ru", "es"):
            translated = gettext(locale, sentence)
            if translated == sentence or set(re.findall(r"{\w+}", translated)) != placeholders:
                missing.append((locale, sentence))
    assert missing == []
