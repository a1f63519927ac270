"""docs/privacy-conformance.md stays true: one row per promise P1–P22, every `path:name` it says
enforces a promise exists, and every `path::test` it cites is a test function in that file."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "docs" / "privacy-conformance.md"
CODE = re.compile(r"`([^`]+)`")


def rows() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if re.match(r"\| P\d+ \|", line):
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            assert len(cells) == 4, line[:60]
            assert cells[0] not in found, f"{cells[0]} has two rows"
            found[cells[0]] = cells
    return found


def defines(path: Path, name: str) -> bool:
    pattern = rf"^\s*(async def|def|class) {re.escape(name)}\b|^{re.escape(name)}\s*[:=]|^\s+def {re.escape(name)}\b"
    return re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE) is not None


def test_every_promise_has_one_row():
    assert list(rows()) == [f"P{n}" for n in range(1, 23)]


def test_every_place_named_as_enforcing_a_promise_exists():
    missing = []
    for promise, (_, _, enforced, _) in rows().items():
        for item in CODE.findall(enforced):
            if "/" not in item:
                continue
            path, _, name = item.partition(":")
            if not (ROOT / path).is_file() or (name and not defines(ROOT / path, name)):
                missing.append((promise, item))
    assert missing == []


def test_every_cited_test_exists():
    missing, cited = [], 0
    for promise, (_, _, _, proven) in rows().items():
        tests = [item for item in CODE.findall(proven) if "::" in item]
        assert tests, f"{promise} cites no test"
        for item in tests:
            cited += 1
            path, name = item.split("::")
            file = ROOT / path
            if not file.is_file() or not re.search(rf"^(async )?def {re.escape(name)}\(", file.read_text("utf-8"), re.MULTILINE):
                missing.append((promise, item))
    assert missing == [] and cited > 80
