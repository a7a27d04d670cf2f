"""Staff CSV exports cannot carry spreadsheet formulas (CSV injection): a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is written with a ``'`` in front, through the real ``python -m bot.db
export-requests`` on a real SQLite database.

A bot user chooses the contact email and the company name of a request; staff open the export in a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db import store
from bot.db.spreadsheet import safe_cell
from bot.settings import ROOT

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Contact emails the bot's email check accepts (parse_email) that a spreadsheet would run as formulas.
FORMULA_EMAILS = ("=1+2@evil.example", "+1-2@evil.example", "-2+3@evil.example")
FORMULA_COMPANIES = ('=HYPERLINK("http://x")', "@SUM(1)")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A new SQLite database with the tables, set as DATABASE_URL in this process."""
    url = f"sqlite:///{tmp_path / 'cee-guide.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    store.dispose_engines()
    store.init_db()
    return url


def export(database: str, out: Path) -> list[list[str]]:
    """Run ``python -m bot.db export-requests`` and read the file back as rows (header first)."""
    store.dispose_engines()
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": database, "HOME": str(out.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.db", "export-requests", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))


def test_no_exported_cell_starts_a_formula(database: str, tmp_path: Path) -> None:
    for company in FORMULA_COMPANIES:
        store.create_request("outreach_call", {"company": company, "note": "-5"}, "plain@example.com")
    for email in FORMULA_EMAILS:
        store.create_request("change_center", {"company": "Sample Co", "ior": "12-3456789AB"}, email)
    header, *rows = export(database, tmp_path / "requests.csv")
    assert len(rows) == len(FORMULA_COMPANIES) + len(FORMULA_EMAILS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"a spreadsheet would run {cell!r}"
    by_column = [dict(zip(header, row)) for row in rows]
    assert [r["contact_email"] for r in by_column[len(FORMULA_COMPANIES) :]] == ["'" + e for e in FORMULA_EMAILS]
    # The company names are kept, as text, in the details (a JSON cell, which starts with "{").
    companies = [json.loads(r["details"])["company"] for r in by_column[: len(FORMULA_COMPANIES)]]
    assert companies == list(FORMULA_COMPANIES)
    assert json.loads(by_column[-1]["details"])["ior"] == "12-3456789AB"  # an importer number is unchanged


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1", "'+1"),
        ("-5", "'-5"),  # OWASP: a leading minus is prefixed too
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("12-3456789AB", "12-3456789AB"),  # an importer number starts with a digit: unchanged
        ("Acme = best", "Acme = best"),
        ("", ""),
        ("123-45-6789", "***-**-6789"),  # SSN-format numbers are still masked
    ],
)
def test_safe_cell(value: str, written: str) -> None:
    assert safe_cell(value) == written


def test_every_staff_export_writes_rows_through_safe_row() -> None:
    """One place: no module of bot/ writes CSV rows except through bot.db.spreadsheet.safe_row."""
    writers = []
    for path in (ROOT / "bot").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "csv.writer(" in text or "csv.DictWriter(" in text:
            writers.append(path.relative_to(ROOT))
            assert "safe_row(" in text, f"{path} writes CSV without bot.db.spreadsheet.safe_row"
    assert set(writers) == {Path("bot/db/importer.py"), Path("bot/insights/tables.py")}  # the exports and the report
