"""The database layer (bot.db.models and bot.db.store) against real SQLite and PostgreSQL databases."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from bot.db import importer, store
from bot.db.store import DatabaseUnavailable, FigureInput, ImporterInput, Period, UnknownRequest
from bot.ior import IorKind, parse_ior

CODES = [f"CEE{n:03d}" for n in range(1, 11)]
SSN = "123-45-6789"


def fig(code: str, fy: int, q: int, base: int, **overrides: int) -> FigureInput:
    """A figures row whose values are easy to predict: importers = base, entries = base * 10 + q, ..."""
    values = {
        "importers": base,
        "partner_accounts": base // 10,
        "entries": base * 10 + q,
        "post_entry_actions": base // 2 + q,
        "staff": 50 + q,
    }
    values.update(overrides)
    return FigureInput(center_code=code, fiscal_year=fy, quarter=q, **values)


# Six quarters (FY2025 Q1 to FY2026 Q2) for three Centers, CEE010 largest.
PERIODS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2)]
BASES = {"CEE010": 3000, "CEE001": 2000, "CEE006": 1000}
ROWS = [fig(code, fy, q, base + i) for code, base in BASES.items() for i, (fy, q) in enumerate(PERIODS)]


@pytest.fixture
def db(db_url: str) -> str:
    """An initialised, empty database."""
    store.init_db()
    return db_url


@pytest.fixture
def figures_db(db: str) -> str:
    """A database with :data:`ROWS`."""
    result = store.upsert_figures(ROWS, "test data")
    assert (result.inserted, result.updated) == (len(ROWS), 0)
    return db


@pytest.fixture
def sample_db(db: str) -> str:
    """A database seeded with the sample data from knowledge/sample."""
    assert importer.seed_sample_data() is not None
    return db


# -- schema ------------------------------------------------------------------------------------------------------------
def test_init_creates_tables_and_centers(db: str) -> None:
    tables = set(inspect(store.get_engine()).get_table_names())
    assert {"centers", "importers", "figures", "requests", "request_events"} <= tables
    assert store.center_codes() == CODES
    store.init_db()  # again: nothing breaks, nothing doubles
    assert store.center_codes() == CODES
    assert store.is_empty()


def test_engine_is_cached_per_url(db: str) -> None:
    assert store.get_engine() is store.get_engine(db)


def test_sqlite_engine_uses_wal_and_creates_its_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'deep' / 'er' / 'cee.db'}"
    try:
        engine = store.get_engine(url)
        assert (tmp_path / "deep" / "er").is_dir()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.dispose_engines()


def test_constraints_hold_in_the_database(db: str) -> None:
    with pytest.raises(IntegrityError):  # foreign key: unknown Center
        store.upsert_figures([fig("CEE011", 2025, 1, 10)], "test")
    # check constraint: negative counts
    with store.get_engine().connect() as connection, pytest.raises(IntegrityError):
        connection.execute(
            text(
                "INSERT INTO figures (center_code, fiscal_year, quarter, importers, partner_accounts, entries, "
                "post_entry_actions, staff, source, loaded_at) "
                "VALUES ('CEE001', 2025, 5, 1, 1, 1, 1, 1, 'x', CURRENT_TIMESTAMP)"
            )
        )
    assert store.is_empty()


# -- figures -----------------------------------------------------------------------------------------------------------
def test_empty_database_has_no_figures(db: str) -> None:
    assert store.latest_period() is None
    assert store.figure("CEE010", "entries") is None
    assert store.figure("CEE010", "entries", 2025) is None
    assert store.ranking("entries") == []
    assert store.totals("entries") is None
    assert store.series("CEE010", "entries") == []


def test_latest_period(figures_db: str) -> None:
    assert store.latest_period() == (2026, 2)
    assert store.latest_period() == Period(2026, 2)
    store.upsert_figures([fig("CEE006", 2026, 3, 5)], "later")
    assert store.latest_period() == (2026, 3)
    assert store.latest_period("CEE010") == (2026, 2)


def test_figure_for_the_latest_quarter_and_a_named_quarter(figures_db: str) -> None:
    latest = store.figure("cee010", "entries")
    assert latest is not None
    assert (latest.center_code, latest.fiscal_year, latest.quarter, latest.value) == ("CEE010", 2026, 2, 30052)
    assert (latest.quarters, latest.aggregate, latest.source) == (1, "quarter", "test data")
    assert latest.loaded_at.tzinfo is not None

    named = store.figure("CEE010", "staff", 2025, 3)
    assert named is not None and (named.value, named.fiscal_year, named.quarter) == (53, 2025, 3)
    q1 = store.figure("CEE010", "entries", quarter=1)  # the latest fiscal year that has a Q1
    assert q1 is not None and (q1.fiscal_year, q1.quarter, q1.value) == (2026, 1, 30041)
    assert store.figure("CEE010", "entries", 2024, 1) is None
    assert store.figure("CEE002", "entries") is None  # a Center without figures


def test_figure_for_a_fiscal_year_totals_the_quarters_loaded(figures_db: str) -> None:
    year = store.figure("CEE010", "entries", 2025)
    assert year is not None
    assert year.value == sum(3000 * 10 + i * 10 + q for i, (_fy, q) in enumerate(PERIODS[:4]))
    assert (year.quarter, year.quarters, year.last_quarter, year.aggregate) == (None, 4, 4, "sum")

    partial = store.figure("CEE010", "post_entry_actions", 2026)
    assert partial is not None
    assert partial.value == (3004 // 2 + 1) + (3005 // 2 + 2)
    assert (partial.quarters, partial.last_quarter) == (2, 2)

    # head counts are not added up: the year's value is its latest quarter loaded
    staff = store.figure("CEE010", "staff", 2025)
    assert staff is not None and (staff.value, staff.aggregate, staff.quarters) == (54, "latest", 4)
    importers = store.figure("CEE010", "importers", 2026)
    assert importers is not None and importers.value == 3005


def test_unknown_metric_or_quarter_is_refused(figures_db: str) -> None:
    with pytest.raises(ValueError):
        store.figure("CEE010", "tonnage")
    with pytest.raises(ValueError):
        store.figure("CEE010", "entries", 2025, 5)
    with pytest.raises(ValueError):
        store.ranking("tonnage")


def test_ranking(figures_db: str) -> None:
    latest = store.ranking("entries")
    assert [r.center_code for r in latest] == ["CEE010", "CEE001", "CEE006"]
    assert all((r.fiscal_year, r.quarter) == (2026, 2) for r in latest)

    store.upsert_figures([fig("CEE006", 2025, 1, 9000)], "correction")
    q1 = store.ranking("entries", 2025, 1)
    assert [r.center_code for r in q1] == ["CEE006", "CEE010", "CEE001"]
    assert q1[0].source == "correction" and q1[1].source == "test data"

    year = store.ranking("entries", 2025)
    assert [r.quarters for r in year] == [4, 4, 4]
    assert year[0].value == max(r.value for r in year)
    assert store.ranking("entries", 2019) == []


def test_totals(figures_db: str) -> None:
    total = store.totals("importers", 2025, 1)
    assert total is not None
    assert (total.value, total.centers, total.quarter, total.source) == (6000, 3, 1, "test data")
    year = store.totals("entries", 2026)
    assert year is not None
    expected = sum(r.value for r in store.ranking("entries", 2026))
    assert (year.value, year.quarters, year.quarter, year.aggregate) == (expected, 2, None, "sum")
    latest = store.totals("staff")
    assert latest is not None and (latest.fiscal_year, latest.quarter, latest.value) == (2026, 2, 3 * 52)


def test_series_quarter_by_quarter(figures_db: str) -> None:
    values = store.series("CEE001", "importers")
    assert [(r.fiscal_year, r.quarter) for r in values] == PERIODS
    assert [r.value for r in values] == [2000, 2001, 2002, 2003, 2004, 2005]
    last3 = store.series("CEE001", "importers", last_n=3)
    assert [(r.fiscal_year, r.quarter) for r in last3] == [(2025, 4), (2026, 1), (2026, 2)]
    assert store.series("CEE002", "importers") == []


def test_upsert_counts_inserted_updated_and_unchanged(figures_db: str) -> None:
    again = store.upsert_figures(ROWS, "test data")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, len(ROWS))
    changed = store.upsert_figures([fig("CEE010", 2026, 2, 1), fig("CEE005", 2026, 2, 7)], "test data")
    assert (changed.inserted, changed.updated, changed.unchanged) == (1, 1, 0)
    relabelled = store.upsert_figures(ROWS[:2], "CBP data (figures.csv)")
    assert relabelled.updated == 2
    latest = store.figure("CEE010", "importers")
    assert latest is not None and latest.value == 1


def test_a_failed_upsert_changes_nothing(figures_db: str) -> None:
    before = [(r.center_code, r.value, r.source) for r in store.ranking("entries", 2025, 1)]
    with pytest.raises(IntegrityError):
        store.upsert_figures([fig("CEE010", 2025, 1, 1), fig("CEE999", 2025, 1, 1)], "bad")
    assert [(r.center_code, r.value, r.source) for r in store.ranking("entries", 2025, 1)] == before
    with pytest.raises(ValueError):
        store.upsert_figures([fig("CEE010", 2025, 1, 1, staff=-1)], "bad")
    assert [(r.center_code, r.value, r.source) for r in store.ranking("entries", 2025, 1)] == before


# -- importers ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, code, kind, name",
    [
        ("12-3456789AB", "CEE010", IorKind.EIN, "Sample Machinery Works Inc"),
        ("123456789ab", "CEE010", IorKind.EIN, "Sample Machinery Works Inc"),
        ("232704-00123", "CEE006", IorKind.CBP, "Sample Gulf Energy Traders"),
        ("23270400123", "CEE006", IorKind.CBP, "Sample Gulf Energy Traders"),
        ("123-45-6789", "CEE004", IorKind.SSN, "Sample Sole Proprietor Imports"),
        (" 123 45 6789 ", "CEE004", IorKind.SSN, "Sample Sole Proprietor Imports"),
    ],
    ids=["ein", "ein-compact", "cbp", "cbp-compact", "ssn", "ssn-spaced"],
)
def test_find_importer_in_every_format(sample_db: str, typed: str, code: str, kind: IorKind, name: str) -> None:
    found = store.find_importer(parse_ior(typed))
    assert found is not None
    assert (found.center_code, found.ior.kind, found.name) == (code, kind, name)
    assert found.size in ("small", "mid", "large") and len(found.primary_hts_chapter) == 2


def test_importer_record_never_shows_an_ssn(sample_db: str) -> None:
    found = store.find_importer(parse_ior(SSN))
    assert found is not None
    assert found.ior.display == "***-**-6789"
    for shown in (repr(found), str(found), found.ior.display):
        assert "6789" in shown and SSN not in shown and "123456789" not in shown
    assert not found.partner_account and found.primary_hts_chapter == "64"
    machinery = store.find_importer(parse_ior("12-3456789AB"))
    assert machinery is not None and machinery.partner_account and machinery.size == "large"


def test_unknown_importer(sample_db: str) -> None:
    assert store.find_importer(parse_ior("99-9999999ZZ")) is None
    assert store.find_importer(parse_ior("999-00-0000")) is None


def test_upsert_importers(db: str) -> None:
    rows = [
        ImporterInput(parse_ior("12-3456789AB"), "A", "CEE010", "84", True, "large"),
        ImporterInput(parse_ior(SSN), "B", "CEE004", "64", False, "small"),
    ]
    first = store.upsert_importers(rows, "CBP data (test.csv)")
    assert (first.inserted, first.updated) == (2, 0)
    moved = store.upsert_importers([ImporterInput(parse_ior("123456789"), "B", "CEE008", "95", False, "mid")], "x")
    assert (moved.inserted, moved.updated) == (0, 1)
    found = store.find_importer(parse_ior(SSN))
    assert found is not None and (found.center_code, found.size, found.primary_hts_chapter) == ("CEE008", "mid", "95")
    assert found.source == "x"
    assert store.count_importers() == 2 and store.count_importers("CEE010") == 1


def test_seed_loads_the_sample_once(db: str) -> None:
    result = importer.seed_sample_data()
    assert result is not None
    figures = importer.parse_figures(importer.SAMPLE_FIGURES)
    importers = importer.parse_importers(importer.SAMPLE_IMPORTERS)
    assert result.figures.inserted == len(figures) and result.importers.inserted == len(importers)
    assert store.count_importers() == len(importers)
    assert store.find_importer(importers[0].ior).source == store.SAMPLE_SOURCE
    assert importer.seed_sample_data() is None
    assert store.count_importers() == len(importers)
    latest = store.figure("CEE010", "entries")
    assert latest is not None and latest.source == "sample data"
    assert len(store.ranking("staff")) == 10


# -- requests ----------------------------------------------------------------------------------------------------------
def test_request_refs_are_per_kind_and_year(db: str) -> None:
    year = dt.datetime.now(dt.timezone.utc).year
    refs = [
        store.create_request(kind, {"company": "Sample Co"}, "ops@example.com").ref
        for kind in ("change_center", "change_center", "outreach_call", "site_visit", "change_center")
    ]
    assert refs == [
        f"CR-{year}-000001",
        f"CR-{year}-000002",
        f"OC-{year}-000001",
        f"SV-{year}-000001",
        f"CR-{year}-000003",
    ]
    assert all(re.fullmatch(r"(CR|OC|SV)-\d{4}-\d{6}", ref) for ref in refs)


def test_create_and_get_request(db: str) -> None:
    details = {
        "ior_numbers": ["123456789"],
        "current_center": "CEE004",
        "reason": "product line changed",
        "company": "Sample Société Café",
        "hts_profile": {"64": 70, "42": 30},
    }
    record = store.create_request("change_center", details, " buyer@example.com ", "conv-1:msg-9")
    assert record.created and record.status == "submitted"
    assert record.details == details and record.contact_email == "buyer@example.com"
    assert [e.status for e in record.history] == ["submitted"]
    assert record.created_at.tzinfo is not None
    assert "123456789" not in repr(record) and "123456789" not in str(record)

    found = store.get_request(record.ref.lower())
    assert found is not None and found.ref == record.ref and found.details == details and not found.created
    assert store.get_request("CR-1999-000001") is None


def test_idempotency_key_stores_a_confirmation_once(db: str) -> None:
    first = store.create_request("site_visit", {"city": "Laredo"}, "a@example.com", "conv-7:confirm")
    again = store.create_request("site_visit", {"city": "Laredo"}, "a@example.com", "conv-7:confirm")
    assert first.created and not again.created and again.ref == first.ref
    other = store.create_request("site_visit", {"city": "Laredo"}, "a@example.com", "conv-8:confirm")
    no_key = [store.create_request("site_visit", {}, "a@example.com").ref for _ in range(2)]
    assert len({first.ref, other.ref, *no_key}) == 4
    assert len(store.export_requests()) == 4


def test_concurrent_confirmations_are_stored_once(db: str) -> None:
    barrier = threading.Barrier(8)

    def confirm(i: int) -> str:
        barrier.wait()
        key = "same-confirmation" if i % 2 == 0 else f"other-{i}"
        return store.create_request("outreach_call", {"i": i}, "x@example.com", key).ref

    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(confirm, range(8)))
    assert len({refs[i] for i in range(0, 8, 2)}) == 1  # the four identical confirmations share one request
    stored = store.export_requests("outreach_call")
    assert len(stored) == 5
    assert len({r.ref for r in stored}) == 5


def test_request_validation(db: str) -> None:
    with pytest.raises(ValueError):
        store.create_request("complaint", {}, "a@example.com")
    with pytest.raises(ValueError):
        store.create_request("site_visit", {}, "  ")
    with pytest.raises(TypeError):
        store.create_request("site_visit", {"when": object()}, "a@example.com")


def test_set_status_keeps_the_history(db: str) -> None:
    record = store.create_request("change_center", {}, "a@example.com")
    reviewed = store.set_status(record.ref, "under_review", "assigned to the Detroit team")
    closed = store.set_status(record.ref.lower(), "closed")
    assert (reviewed.status, closed.status) == ("under_review", "closed")
    assert [(e.status, e.note) for e in closed.history] == [
        ("submitted", None),
        ("under_review", "assigned to the Detroit team"),
        ("closed", None),
    ]
    assert closed.updated_at >= closed.created_at
    stored = store.get_request(record.ref)
    assert stored is not None and stored.status == "closed" and len(stored.history) == 3
    with pytest.raises(UnknownRequest):
        store.set_status("CR-1999-000009", "closed")
    with pytest.raises(ValueError):
        store.set_status(record.ref, "approved")


def test_export_requests_filters_by_kind_and_day(db: str) -> None:
    for kind in ("change_center", "outreach_call", "change_center"):
        store.create_request(kind, {}, "a@example.com")
    today = dt.datetime.now(dt.timezone.utc).date()
    assert [r.kind for r in store.export_requests()] == ["change_center", "outreach_call", "change_center"]
    assert len(store.export_requests("change_center")) == 2
    assert len(store.export_requests(since=today)) == 3
    assert store.export_requests(since=today + dt.timedelta(days=1)) == []
    with pytest.raises(ValueError):
        store.export_requests("complaint")


# -- failures ----------------------------------------------------------------------------------------------------------
def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    "make_url",
    [
        lambda tmp: f"postgresql+psycopg2://nobody@127.0.0.1:{_closed_port()}/nothing",
        lambda tmp: f"sqlite:///{tmp / 'never-initialised.db'}",
        lambda tmp: "nosuchdialect://somewhere/db",
    ],
    ids=["server-down", "no-tables", "bad-url"],
)
def test_database_unavailable(make_url: Callable[[Path], str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", make_url(tmp_path))
    store.dispose_engines()
    try:
        calls = [
            lambda: store.figure("CEE010", "entries"),
            lambda: store.latest_period(),
            lambda: store.ranking("entries"),
            lambda: store.find_importer(parse_ior(SSN)),
            lambda: store.create_request("site_visit", {}, "a@example.com"),
            lambda: store.get_request("CR-2026-000001"),
        ]
        for call in calls:
            with pytest.raises(DatabaseUnavailable) as caught:
                call()
            assert "6789" not in str(caught.value)
    finally:
        store.dispose_engines()


# -- fiscal periods ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "day, period",
    [
        (dt.date(2025, 10, 1), (2026, 1)),
        (dt.date(2025, 12, 31), (2026, 1)),
        (dt.date(2026, 1, 1), (2026, 2)),
        (dt.date(2026, 6, 30), (2026, 3)),
        (dt.date(2026, 9, 30), (2026, 4)),
    ],
)
def test_fiscal_period_of_a_day(day: dt.date, period: tuple) -> None:
    assert Period.of(day) == period


def test_fiscal_period_dates() -> None:
    q1 = Period(2026, 1)
    assert (q1.start, q1.end) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    q4 = Period(2026, 4)
    assert (q4.start, q4.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert q4.next() == (2027, 1) and q1.previous() == (2025, 4)


def test_sample_figures_cover_every_center(sample_db: str) -> None:
    counts: dict[str, list[FigureInput]] = {}
    for row in importer.parse_figures(importer.SAMPLE_FIGURES):
        counts.setdefault(row.center_code, []).append(row)
    for code in CODES:
        assert len(store.series(code, "entries", last_n=100)) == len(counts[code]) >= 8
