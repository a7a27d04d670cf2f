"""The CBP staff CLI, ``python -m bot.db``, run as a subprocess against a temporary SQLite database."""

from __future__ import annotations

import csv
import io
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.db import store
from bot.ior import parse_ior

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
SSN_FORMS = ("123-45-6789", "123456789")  # the sample sole proprietor's number, in full
COMMENT = "# exported from ACE for the tests\n"
FIGURES_HEADER = "center_code,fiscal_year,quarter,importers,partner_accounts,entries,post_entry_actions,staff\n"
IMPORTERS_HEADER = "ior_number,name,center_code,primary_hts_chapter,partner_account,size\n"
# Good rows: one update of a sample row and one new row, so that a half-done import would show in the dump.
GOOD_FIGURES = "CEE010,2026,4,17000,300,900000,40000,120\nCEE010,2027,1,17100,301,910000,41000,121\n"
GOOD_IMPORTERS = (
    "12-3456789AB,Sample Machinery Works Inc,CEE010,84,no,large\n88-1234567AB,Sample New Co,CEE005,72,yes,mid\n"
)


class Cli:
    """Runs ``python -m bot.db`` on one database file and checks that no SSN is ever printed in full."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.url = f"sqlite:///{db}"

    def __call__(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
        python = str(PYTHON if PYTHON.exists() else Path(sys.executable))
        env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": self.url, "HOME": str(self.db.parent)}
        done = subprocess.run(
            [python, "-m", "bot.db", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        output = done.stdout + done.stderr
        for ssn in SSN_FORMS:
            assert ssn not in output, f"an SSN was printed in full by {args}"
        assert done.returncode == expect, f"{args} exited {done.returncode}:\n{output}"
        return done

    def dump(self) -> list[str]:
        """Every table's schema and rows."""
        with sqlite3.connect(self.db) as connection:
            return list(connection.iterdump())


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file initialised and seeded once per module."""
    cli = Cli(tmp_path_factory.mktemp("template") / "cee-guide.db")
    first = cli("init")
    assert "10 Centers" in first.stdout
    seeded = cli("seed")
    assert "figures.csv: 80 inserted, 0 updated" in seeded.stdout
    assert "importers.csv: " in seeded.stdout and "sample data" in seeded.stdout
    return cli.db


@pytest.fixture
def cli(seeded_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """A copy of the seeded database for one test (also set as DATABASE_URL in this process)."""
    db = tmp_path / "cee-guide.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded_template}{suffix}")
        if source.exists():
            shutil.copy(source, f"{db}{suffix}")
    runner = Cli(db)
    monkeypatch.setenv("DATABASE_URL", runner.url)
    store.dispose_engines()
    yield runner
    store.dispose_engines()


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_seed_again_does_nothing(cli: Cli) -> None:
    before = cli.dump()
    again = cli("seed")
    assert "nothing was seeded" in again.stdout
    assert cli.dump() == before


def test_import_figures_prints_counts_and_labels_the_source(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "fy2027q1.csv", COMMENT + FIGURES_HEADER + GOOD_FIGURES)
    done = cli("import-figures", str(path))
    assert "fy2027q1.csv: 1 inserted, 1 updated" in done.stdout
    latest = store.figure("CEE010", "entries")
    assert latest is not None and (latest.fiscal_year, latest.quarter, latest.value) == (2027, 1, 910000)
    assert latest.source == "CBP data (fy2027q1.csv)"

    again = cli("import-figures", str(path), "--source", "CBP export March 2027")
    assert "fy2027q1.csv: 0 inserted, 2 updated" in again.stdout
    latest = store.figure("CEE010", "entries")
    assert latest is not None and latest.source == "CBP export March 2027"
    unchanged = cli("import-figures", str(path), "--source", "CBP export March 2027")
    assert "0 inserted, 0 updated, 2 unchanged" in unchanged.stdout


def test_import_importers_prints_counts(cli: Cli, tmp_path: Path) -> None:
    moved_ssn = "123 45 6789,Sample Sole Proprietor Imports,CEE008,95,no,mid\n"
    path = write(tmp_path / "importers-2027.csv", IMPORTERS_HEADER + GOOD_IMPORTERS + moved_ssn)
    done = cli("import-importers", str(path))
    assert "importers-2027.csv: 1 inserted, 2 updated" in done.stdout
    moved = store.find_importer(parse_ior("123-45-6789"))
    assert moved is not None and (moved.center_code, moved.size) == ("CEE008", "mid")
    machinery = store.find_importer(parse_ior("12-3456789AB"))
    assert machinery is not None and not machinery.partner_account


BAD_FILES = [
    # (file name, command, text, line, column); the bad row comes after good rows
    (
        "unknown-center.csv",
        "import-figures",
        FIGURES_HEADER + GOOD_FIGURES + "CEE011,2026,1,1,1,1,1,1\n",
        4,
        "center_code",
    ),
    (
        "bad-ior.csv",
        "import-importers",
        IMPORTERS_HEADER + GOOD_IMPORTERS + "12-345,Sample Bad Co,CEE001,30,no,small\n",
        4,
        "ior_number",
    ),
    (
        "negative.csv",
        "import-figures",
        COMMENT + FIGURES_HEADER + GOOD_FIGURES + "CEE001,2026,1,10,1,-5,1,1\n",
        5,
        "entries",
    ),
    ("not-a-number.csv", "import-figures", FIGURES_HEADER + GOOD_FIGURES + "CEE001,2026,1,10,1,5,1,12.5\n", 4, "staff"),
    (
        "missing-column.csv",
        "import-figures",
        COMMENT + FIGURES_HEADER.replace(",staff", "") + "CEE001,2026,1,1,1,1,1\n",
        2,
        "staff",
    ),
    (
        "missing-column-importers.csv",
        "import-importers",
        IMPORTERS_HEADER.replace("name,", "") + "12-3456789AB,CEE010,84,no,large\n",
        1,
        "name",
    ),
    ("bad-quarter.csv", "import-figures", FIGURES_HEADER + GOOD_FIGURES + "CEE001,2026,5,1,1,1,1,1\n", 4, "quarter"),
    (
        "bad-yes-no.csv",
        "import-importers",
        COMMENT * 2 + IMPORTERS_HEADER + GOOD_IMPORTERS + "07-1111111AB,Sample Maybe Co,CEE002,09,maybe,small\n",
        6,
        "partner_account",
    ),
    (
        "bad-size.csv",
        "import-importers",
        IMPORTERS_HEADER + GOOD_IMPORTERS + "07-1111111AB,Sample Huge Co,CEE002,09,no,huge\n",
        4,
        "size",
    ),
    (
        "unknown-center-importers.csv",
        "import-importers",
        IMPORTERS_HEADER + GOOD_IMPORTERS + "07-1111111AB,Sample Co,NOTELG,09,no,small\n",
        4,
        "center_code",
    ),
    ("short-row.csv", "import-figures", FIGURES_HEADER + GOOD_FIGURES + "CEE001,2026,1,1,1\n", 4, "entries"),
    (
        "duplicate-ssn.csv",
        "import-importers",
        IMPORTERS_HEADER + GOOD_IMPORTERS + "123-45-6789,A,CEE004,64,no,small\n123456789,B,CEE004,64,no,small\n",
        5,
        "ior_number",
    ),
]


@pytest.mark.parametrize("name, command, text, line, column", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_row_fails_the_whole_file_and_changes_nothing(
    cli: Cli, tmp_path: Path, name: str, command: str, text: str, line: int, column: str
) -> None:
    before = cli.dump()
    path = write(tmp_path / name, text)
    done = cli(command, str(path), expect=1)
    assert name in done.stderr
    assert f"line {line}" in done.stderr
    assert f"column {column}" in done.stderr
    assert "inserted" not in done.stdout
    assert cli.dump() == before


def test_a_mistyped_ssn_is_not_echoed(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path / "typo.csv", IMPORTERS_HEADER + "123-45-67899,Sample Typo Co,CEE004,64,no,small\n")
    done = cli("import-importers", str(path), expect=1)
    assert "67899" not in done.stderr and "123-45" not in done.stderr
    assert "typo.csv, line 2, column ior_number" in done.stderr


def test_missing_file(cli: Cli, tmp_path: Path) -> None:
    done = cli("import-figures", str(tmp_path / "nowhere.csv"), expect=1)
    assert "nowhere.csv" in done.stderr and "no such file" in done.stderr


def _requests() -> list[str]:
    refs = [
        store.create_request("change_center", {"ior_numbers": ["123456789"], "company": "Sample"}, "a@example.com").ref,
        store.create_request("outreach_call", {"company": "Sample Harbor Textiles LLC"}, "b@example.com").ref,
        store.create_request("site_visit", {"ior": "123-45-6789", "city": "Laredo, TX"}, "c@example.com").ref,
    ]
    store.dispose_engines()
    return refs


def test_export_requests(cli: Cli, tmp_path: Path) -> None:
    refs = _requests()
    out = tmp_path / "out" / "requests.csv"
    done = cli("export-requests", str(out))
    assert "3 requests exported" in done.stdout
    content = out.read_text(encoding="utf-8")
    for ssn in SSN_FORMS:
        assert ssn not in content
    assert "***-**-6789" in content
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [r["ref"] for r in rows] == refs
    assert rows[0]["status"] == "submitted" and "submitted" in rows[0]["history"]

    cli("export-requests", "--kind", "outreach_call", str(out))
    assert [r["ref"] for r in csv.DictReader(out.open(encoding="utf-8"))] == [refs[1]]
    cli("export-requests", "--since", "2999-01-01", str(out))
    assert list(csv.DictReader(out.open(encoding="utf-8"))) == []
    stdout = cli("export-requests", "--kind", "site_visit", "-").stdout
    assert refs[2] in stdout and "***-**-6789" in stdout

    bad = cli("export-requests", "--since", "yesterday", str(out), expect=2)
    assert "YYYY-MM-DD" in bad.stderr
    cli("export-requests", "--kind", "complaint", str(out), expect=2)


def test_set_status(cli: Cli) -> None:
    ref = _requests()[0]
    done = cli("set-status", ref, "under_review", "--note", "with the Detroit team")
    assert f"{ref}: submitted -> under_review" in done.stdout
    cli("set-status", ref.lower(), "closed")
    record = store.get_request(ref)
    assert record is not None and record.status == "closed"
    assert [(e.status, e.note) for e in record.history] == [
        ("submitted", None),
        ("under_review", "with the Detroit team"),
        ("closed", None),
    ]

    before = cli.dump()
    unknown = cli("set-status", "CR-1999-000042", "closed", expect=1)
    assert "CR-1999-000042" in unknown.stderr and "No request" in unknown.stderr
    cli("set-status", ref, "approved", expect=2)
    assert cli.dump() == before


def test_database_unavailable_is_one_clear_line(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "x.db")
    cli.url = "postgresql+psycopg2://nobody@127.0.0.1:1/nothing"
    done = cli("set-status", "CR-2026-000001", "closed", expect=1)
    assert "unavailable" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command", [[], ["init"], ["seed"], ["import-figures"], ["import-importers"], ["export-requests"], ["set-status"]]
)
def test_help(command: list[str], tmp_path: Path) -> None:
    done = Cli(tmp_path / "x.db")(*command, "--help")
    assert "usage: python -m bot.db" in done.stdout


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx"])
def test_export_cells_that_a_spreadsheet_would_run_are_neutralised(cell: str) -> None:
    from bot.db.importer import safe_cell

    assert safe_cell(cell) == "'" + cell


def test_export_cells_are_masked_and_others_kept() -> None:
    from bot.db.importer import safe_cell

    assert safe_cell("a 123-456789 b") == "a ***-**-6789 b"
    assert safe_cell("CR-2026-000001") == "CR-2026-000001"
