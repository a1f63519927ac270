"""Commands that take a row id refuse what can name no row with one line, before touching anything."""

from __future__ import annotations

import pytest

from core.cli import main


@pytest.mark.parametrize("argv", [
    ["requeue", "99999999999999999999"],
    ["requeue", "-3"],
    ["requeue", "0x10"],
    ["customer-data", "99999999999999999999", "--staff", "1", "--reason", "court order 17"],
    ["customer-data", "5", "--staff", "٣", "--reason", "court order 17"],
])
def test_an_id_no_row_can_have_is_a_usage_error(argv, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "not an id (a whole number from 1 to 2147483647)" in error
    assert "Traceback" not in capsys.readouterr().err
