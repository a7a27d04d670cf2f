"""The staff report on a small generated tracker store (SQLite and PostgreSQL give the same report) and a database
with requests and feedback: every table, the masking, the CSV files, the page and the command."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.db import store
from bot.insights import events, files, generate, html, report
from bot.insights.__main__ import main
from bot.insights.sql import json_field, tracker_engine, utc_day

NOW = 1_796_400_000.0  # 2026-12-04 UTC
CONVERSATIONS = 60


def _report(url: str) -> report.Report:
    generate.generate(url, CONVERSATIONS, seed=7, days=10, now=NOW)
    engine = tracker_engine(url)
    try:
        return report.build(engine, 10, now=NOW)
    finally:
        engine.dispose()


@pytest.fixture
def built(db_url: str) -> report.Report:
    store.init_db()
    at = dt.datetime.fromtimestamp(NOW - 3600, dt.timezone.utc)
    store.record_feedback("s1", "socketio", "faq/change_how", False, "how do I move 123-45-6789 to Miami", at=at)
    store.record_feedback("s2", "socketio", "faq/change_how", True, "how do I change Centers", at=at)
    return _report(db_url)


def test_every_table_is_filled_and_the_dialects_agree(built: report.Report, tmp_path: Path) -> None:
    names = [t.name for t in built.tables]
    for name in ("traffic_by_channel", "traffic_by_day", "top_intents", "top_faq", "unanswered", "center_demand",
                 "answer_times", "slowest_answers", "feedback", "requests"):  # fmt: skip
        assert name in names, name
    by_channel = built.table("traffic_by_channel")
    assert by_channel is not None and sum(int(r[1]) for r in by_channel.rows) == CONVERSATIONS
    sqlite_twin = _report(f"sqlite:///{tmp_path / 'twin.db'}")
    for name in ("traffic_by_channel", "traffic_by_day", "top_intents", "top_faq", "center_demand", "answer_times"):
        assert sqlite_twin.table(name) == built.table(name), name
    assert built.notes == ()


def test_unanswered_questions_are_grouped_and_masked(built: report.Report) -> None:
    table = built.table("unanswered")
    assert table is not None and table.rows
    text = table.csv()
    assert "123-45-6789" not in text and "987-65-4321" not in text
    assert "how do I move ***-**-6789 to Miami" in text  # the "not helpful" feedback's question
    counts = [int(row[1]) for row in table.rows]
    assert counts == sorted(counts, reverse=True)
    assert all(int(row[1]) == int(row[2]) + int(row[3]) for row in table.rows)


def test_center_demand_requests_and_slowest_answers(built: report.Report) -> None:
    demand = built.table("center_demand")
    assert demand is not None and len(demand.rows) == 10
    assert all(int(row[-1]) == sum(int(c) for c in row[2:-1]) for row in demand.rows)
    slowest = built.table("slowest_answers")
    assert slowest is not None and len(slowest.rows) == 20
    seconds = [float(row[0]) for row in slowest.rows]
    assert seconds == sorted(seconds, reverse=True)
    feedback = built.table("feedback")
    assert feedback is not None and feedback.rows == (("faq/change_how", 1, 1),)


def test_the_page_is_accessible_and_the_files_are_written(built: report.Report, tmp_path: Path) -> None:
    written = files.write(built, tmp_path / "out")
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<script" not in page
    assert page.count("<caption>") == len(built.tables)
    assert len(re.findall(r'<img src="[a-z_]+\.png" alt="[^"]{20,}"', page)) == len(built.charts)
    assert 'th scope="col"' in page and 'th scope="row"' in page
    assert {p.name for p in written} >= {"report.html", *(f"{t.name}.csv" for t in built.tables)}
    standalone = html.render(built, html.data_url, lambda t: f"{t.name}.csv")
    assert "data:image/png;base64," in standalone


def test_the_period_is_respected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    generate.generate(url, 20, seed=3, days=5, now=NOW - 30 * 86_400)
    engine = tracker_engine(url)
    try:
        assert events.intents(engine, events.Period(NOW - 7 * 86_400, NOW)) == []
        assert events.intents(engine, events.Period(NOW - 60 * 86_400, NOW))
    finally:
        engine.dispose()


def test_csv_cells_cannot_run_as_formulas() -> None:
    table = report.Table("t", "T", "c", ("Question", "Count"), (("=HYPERLINK(1)", 1), ("-2", 2)))
    assert table.csv().splitlines()[1:] == ["'=HYPERLINK(1),1", "'-2,2"]


def test_sql_dialects() -> None:
    assert json_field("sqlite", "metadata", "utter_action") == "json_extract(data, '$.metadata.utter_action')"
    assert json_field("postgresql", "text") == "(CAST(data AS json) #>> '{text}')"
    assert "to_timestamp" in utc_day("postgresql")
    with pytest.raises(ValueError):
        json_field("sqlite", "x'; DROP TABLE events; --")
    with pytest.raises(ValueError):
        tracker_engine("redis://localhost:6379/0")


def test_the_command(tmp_path: Path, sample_db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'conversations.db'}"
    generate.generate(url, 10, seed=1, days=2)
    assert main(["--days", "3", "--out", str(tmp_path / "r"), "--tracker-store", url]) == 0
    assert (tmp_path / "r" / "report.html").exists() and (tmp_path / "r" / "unanswered.csv").exists()
    assert main(["--days", "0", "--out", str(tmp_path / "r"), "--tracker-store", url]) == 2
    assert "1 to 3660 days" in capsys.readouterr().err
    assert (
        main(["--days", "3", "--out", str(tmp_path / "r"), "--tracker-store", f"sqlite:///{tmp_path / 'no.db'}"]) == 2
    )
    assert not (tmp_path / "no.db").exists() and "no tracker store" in capsys.readouterr().err
