"""Issue 14: staff CSV exports neutralise cells that a spreadsheet would run as a formula (CSV injection)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.running import Bot

# Contact emails as a user could type them (the export's free-text cell that is not JSON).
FORMULAS = ('=HYPERLINK("http://evil.test","x")@a.test', "+1+1@a.test", "-2+3@a.test", "@SUM(A1)@a.test")


def test_export_cells_starting_with_a_formula_character_are_neutralised(
    bot: Bot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.db import store

    monkeypatch.setenv("DATABASE_URL", bot.database_url)
    refs = [store.create_request("outreach_call", {"company": text}, text).ref for text in FORMULAS]
    store.dispose_engines()
    out = tmp_path / "requests.csv"
    done = bot.db("export-requests", "--kind", "outreach_call", str(out))
    assert done.returncode == 0, done.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {row["ref"]: row for row in csv.DictReader(handle)}
    for ref, text in zip(refs, FORMULAS):
        for name, cell in rows[ref].items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), f"{name} of {ref}: {cell!r}"
        assert rows[ref]["contact_email"] == "'" + text.strip()
