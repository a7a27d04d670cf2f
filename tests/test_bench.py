"""The benchmark's arithmetic and reports (bench/load.py, bench/report.py); the timings are `make bench`'s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import load, report


def _bot(
    throughput: float,
    p95: float,
    p50: float,
    cold: float,
    rss: float,
    ratio: float,
    scratch: float = 100.0,
    added: float = 50.0,
    edit: float = 2.0,
) -> dict[str, Any]:
    return {
        "training": {"from_scratch_s": scratch, "add_questions_s": added, "after_reply_text_edit_s": edit},
        "edit_live": {"seconds": edit},
        "cold_start": {"first_answer_s": cold},
        "memory_after_warm_up": {"rss_mib": rss, "pss_mib": rss},
        "single_user": {"p50_ms": p50, "p95_ms": p50 * 2},
        "concurrent": {"p50_ms": p95 / 2, "p95_ms": p95, "throughput_msg_s": throughput},
        "long_conversation": {"turn1_ms": 10.0, "last_turn_ms": 10.0 * ratio, "ratio": ratio},
    }


def _results(ours: dict[str, Any], stock: dict[str, Any]) -> dict[str, Any]:
    return {
        "started": "2026-11-30T00:00:00+00:00",
        "environment": {"cpus": 2, "load_average_start": 0.1, "python": "3.10", "rasa": "3.6.21"},
        "settings": {
            "users": 20,
            "turns": 30,
            "single_users": 20,
            "single_turns": 10,
            "long_turns": 50,
            "long_conversations": 3,
            "window": 5,
            "rounds": 2,
            "cold_starts": 3,
            "messages": {"ours": ["hi"], "stock": ["hello"]},
        },
        "bots": {"ours": ours, "stock": stock},
    }


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert load.percentile(values, 0.50) == 50.0
    assert load.percentile(values, 0.95) == 95.0
    assert load.percentile([3.0], 0.95) == 3.0


def test_long_summary_compares_the_same_messages_at_the_start_and_the_end() -> None:
    turns = [load.Turn(user=0, turn=n, seconds=0.010 if n <= 5 else 0.012, ok=True, empty=False) for n in range(1, 51)]
    summary = load.long_summary(turns, turns=50)
    assert summary["turn1_ms"] == 10.0 and summary["last_turn_ms"] == 12.0 and summary["ratio"] == 1.2


def test_every_target_is_checked_against_the_stock_bot() -> None:
    met = report.evaluate(_results(_bot(80, 300, 10, 10, 800, 1.2), _bot(35, 700, 20, 22, 1100, 2.0)))
    assert {t["figure"]: t["met"] for t in met["targets"]} == {
        "throughput": True,
        "concurrent_p95": True,
        "single_p50": True,
        "cold_start": True,
        "rss": True,
        "turn_ratio": True,
        "train_scratch": True,
        "edit_live": True,
        "add_questions": True,
    }
    missed = report.evaluate(
        _results(_bot(60, 400, 25, 15, 1200, 1.6, scratch=300, added=61, edit=10.5), _bot(35, 700, 20, 22, 1100, 2.0))
    )
    assert [t["figure"] for t in missed["targets"] if not t["met"]] == [
        "throughput",
        "concurrent_p95",
        "single_p50",
        "cold_start",
        "rss",
        "turn_ratio",
        "train_scratch",
        "edit_live",
        "add_questions",
    ]
    assert missed["figures"]["train_scratch"]["ratio"] == 3.0 and missed["figures"]["edit_live"]["ours"] == 10.5
    assert missed["figures"]["throughput"]["ratio"] == round(60 / 35, 2)


def test_reports_are_written_with_ratios_and_errors(tmp_path: Path) -> None:
    results = report.evaluate(_results(_bot(80, 300, 10, 10, 800, 1.2), _bot(40, 700, 20, 22, 1100, 2.0)))
    results["errors"] = ["training CEE Guide failed (see bench.json)"]
    report.write(results, tmp_path)
    assert json.loads((tmp_path / "bench.json").read_text())["figures"]["throughput"]["ratio"] == 2.0
    markdown = (tmp_path / "bench.md").read_text()
    assert "| 20 users: throughput (msg/s) | 80.0 | 40.0 | 2.00 |" in markdown
    assert "**Error:** training CEE Guide failed" in markdown
    assert "NOT met" not in markdown
