"""Figures, their ratios to the stock bot, the targets of issues 7 and 13, and the JSON and Markdown reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional


@dataclass(frozen=True)
class Figure:
    """A figure of the report: its key, label and unit, and how to read it from a bot's results."""

    key: str
    label: str
    unit: str
    get: Callable[[dict[str, Any]], Optional[float]]


def _dig(*path: str) -> Callable[[dict[str, Any]], Optional[float]]:
    def get(bot: dict[str, Any]) -> Optional[float]:
        value: Any = bot
        for part in path:
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value if isinstance(value, (int, float)) else None

    return get


def _first(*values: Optional[float]) -> Optional[float]:
    """The first value that is not None (0.0 is a value)."""
    return next((v for v in values if v is not None), None)


FIGURES = [
    Figure("cold_start", "cold start to first answer", "s", _dig("cold_start", "first_answer_s")),
    Figure("rss", "resident memory after warm-up (RSS)", "MiB", _dig("memory_after_warm_up", "rss_mib")),
    Figure("pss", "memory after warm-up (PSS)", "MiB", _dig("memory_after_warm_up", "pss_mib")),
    Figure("rss_after_load", "resident memory after the load (RSS)", "MiB", _dig("memory_after_load", "rss_mib")),
    Figure("single_p50", "1 user: p50", "ms", _dig("single_user", "p50_ms")),
    Figure("single_p95", "1 user: p95", "ms", _dig("single_user", "p95_ms")),
    Figure("concurrent_p50", "20 users: p50", "ms", _dig("concurrent", "p50_ms")),
    Figure("concurrent_p95", "20 users: p95", "ms", _dig("concurrent", "p95_ms")),
    Figure("throughput", "20 users: throughput", "msg/s", _dig("concurrent", "throughput_msg_s")),
    Figure("cpu_per_message", "CPU per message (20 users, servers)", "ms", _dig("concurrent", "cpu_ms_per_message")),
    Figure("turn1", "long conversation: turn 1", "ms", _dig("long_conversation", "turn1_ms")),
    Figure("turn_last", "long conversation: last turn", "ms", _dig("long_conversation", "last_turn_ms")),
    Figure("turn_ratio", "long conversation: last turn / turn 1", "×", _dig("long_conversation", "ratio")),
    Figure("train_scratch", "training from scratch", "s", _dig("training", "from_scratch_s")),
    Figure(
        "edit_live",
        "an answer edit reaches users (ours: live, no training; stock: retraining)",
        "s",
        lambda bot: _first(_dig("edit_live", "seconds")(bot), _dig("training", "after_reply_text_edit_s")(bot)),
    ),
    Figure("add_questions", "5 questions added to an FAQ: retraining", "s", _dig("training", "add_questions_s")),
]


@dataclass(frozen=True)
class Target:
    """A goal for a figure, in words, and its check on (ours, stock): met, missed or None (no figure)."""

    figure: str
    text: str
    check: Callable[[Optional[float], Optional[float]], Optional[bool]]  # (ours, stock) -> met


def _ratio_target(limit: float, higher: bool = False) -> Callable[[Optional[float], Optional[float]], Optional[bool]]:
    def check(ours: Optional[float], stock: Optional[float]) -> Optional[bool]:
        if ours is None or stock is None or stock == 0:
            return None
        return ours / stock >= limit if higher else ours / stock <= limit

    return check


def _own_target(limit: float) -> Callable[[Optional[float], Optional[float]], Optional[bool]]:
    """A limit on our own figure (no ratio)."""

    def check(ours: Optional[float], stock: Optional[float]) -> Optional[bool]:
        return None if ours is None else ours <= limit

    return check


TARGETS = [
    Target("throughput", "throughput with 20 users ≥ 2× stock", _ratio_target(2.0, higher=True)),
    Target("concurrent_p95", "p95 with 20 users ≤ 0.5× stock", _ratio_target(0.5)),
    Target("single_p50", "single-user p50 ≤ stock", _ratio_target(1.0)),
    Target("cold_start", "cold start ≤ 0.6× stock", _ratio_target(0.6)),
    Target("rss", "resident memory ≤ stock", _ratio_target(1.0)),
    Target("turn_ratio", "turn-50 latency ≤ 1.5× turn-1 (ours)", _own_target(1.5)),
    Target("train_scratch", "training from scratch ≤ 2× stock", _ratio_target(2.0)),
    Target("edit_live", "an answer edit live on the running server ≤ 10 s, no training (ours)", _own_target(10)),
    Target("add_questions", "5 questions added to an FAQ retrained ≤ 60 s (ours)", _own_target(60)),
]
OWN = {"turn_ratio", "edit_live", "add_questions"}  # targets on our own figure, not on a ratio


def _fmt(value: Optional[float]) -> str:
    if value is None:
        return "–"
    return f"{value:,.2f}" if abs(value) < 10 else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def evaluate(results: dict[str, Any]) -> dict[str, Any]:
    """Add ``figures`` (ours, stock, ratio) and ``targets`` (met or not) to the results."""
    ours, stock = results["bots"].get("ours", {}), results["bots"].get("stock", {})
    figures: dict[str, dict[str, Any]] = {}
    for figure in FIGURES:
        a, b = figure.get(ours), figure.get(stock)
        ratio = round(a / b, 2) if a is not None and b not in (None, 0) else None
        figures[figure.key] = {"label": figure.label, "unit": figure.unit, "ours": a, "stock": b, "ratio": ratio}
    targets = []
    for target in TARGETS:
        row = figures[target.figure]
        met = target.check(row["ours"], row["stock"])
        targets.append(
            {
                "target": target.text,
                "figure": target.figure,
                "ours": row["ours"],
                "stock": row["stock"],
                "ratio": row["ratio"],
                "met": met,
            }
        )
    results["figures"] = figures
    results["targets"] = targets
    return results


def _met(met: Optional[bool]) -> str:
    return "met" if met else "not measured" if met is None else "NOT met"


def console_lines(results: dict[str, Any]) -> list[str]:
    """The figures as a table for the terminal."""
    lines = [f"{'figure':42} {'ours':>10} {'stock':>10} {'ours/stock':>10}"]
    for row in results["figures"].values():
        label = f"{row['label']} ({row['unit']})"
        lines.append(f"{label:42} {_fmt(row['ours']):>10} {_fmt(row['stock']):>10} {_fmt(row['ratio']):>10}")
    lines.append("")
    for target in results["targets"]:
        what = f"ours {_fmt(target['ours'])}" if target["figure"] in OWN else f"ratio {_fmt(target['ratio'])}"
        lines.append(f"{_met(target['met']):>12}  {target['target']}  ({what})")
    return lines


def markdown(results: dict[str, Any]) -> str:
    """The report as Markdown (``results/bench.md``)."""
    env = results["environment"]
    out = [
        "# CEE Guide benchmark",
        "",
        f"Run {results['started']} on {env['cpus']} CPUs (load average at the start {env['load_average_start']}), "
        f"Rasa {env['rasa']}, Python {env['python']}. Generated by `make bench` (`python -m bench`); the numbers "
        "come from one run on a shared machine, so compare ratios, not absolute values.",
        "",
        "| figure | CEE Guide | stock starter bot | ratio |",
        "|---|---:|---:|---:|",
    ]
    errors = [f"**Error:** {error}." for error in results.get("errors", [])]
    out[4:4] = errors + [""] * bool(errors)
    for row in results["figures"].values():
        out.append(
            f"| {row['label']} ({row['unit']}) | {_fmt(row['ours'])} | {_fmt(row['stock'])} | {_fmt(row['ratio'])} |"
        )
    out += ["", "## Targets (issues 7 and 13)", "", "| target | ours, or ratio | result |", "|---|---:|---|"]
    for target in results["targets"]:
        value = target["ours"] if target["figure"] in OWN else target["ratio"]
        out.append(f"| {target['target']} | {_fmt(value)} | {_met(target['met'])} |")
    settings = results["settings"]
    out += [
        "",
        "## How it was measured",
        "",
        "- Both bots on 127.0.0.1, each on its own ports, measured one at a time (never both under load at once), "
        f"each phase {settings['rounds']} times in ABBA order (stock, ours, ours, stock) so that both see the same "
        "drift of a shared machine; every simulated user is a new conversation id.",
        f"- Cold start: from starting the processes to the first non-empty REST answer (`hello`); median of "
        f"{settings['cold_starts']} starts of each bot, alternating. CEE Guide starts its action server and Rasa "
        "server together, as `make run` does.",
        "- Memory: RSS and PSS summed over the process trees of the Rasa server and the action server (CEE Guide); "
        f"the starter bot: {results['bots'].get('stock', {}).get('details', {}).get('action_server', '')}.",
        f"- 1 user: {settings['single_users']} conversations of {settings['single_turns']} messages, one after the "
        f"other. 20 users: {settings['users']} users at once × {settings['turns']} messages each; throughput = "
        "answered messages / wall time, over all rounds. CPU per message: CPU time of the bot's servers / answered "
        "messages.",
        f"- Long conversation: {settings['long_conversations']} conversations of {settings['long_turns']} turns per "
        f"round; the median latency of the first {settings['window']} turns against the last {settings['window']} "
        "(the same messages).",
        "- Training, in a copy of the training inputs with an empty cache: from scratch (starter bot: `rasa train "
        "--force`; CEE Guide: `python -m bot.train --force`, the command `make train` runs), then the starter bot "
        "after a few words appended to `utter_greet` (its answers are in its model) and CEE Guide after five "
        "questions added to an FAQ article (`python -m bot.train` fine-tunes the last model; `add_questions_how` in "
        "bench.json says whether it did).",
        "- Answer edit (CEE Guide): the running server reads a copy of `knowledge/`; one FAQ answer is edited there "
        "and the figure is the time from saving the file to the first answer with the new text. Nothing is trained.",
        f"- Messages, CEE Guide: {', '.join(repr(m) for m in settings['messages']['ours'])}.",
        f"- Messages, starter bot: {', '.join(repr(m) for m in settings['messages']['stock'])}.",
        "",
        "Full figures (including errors, empty answers and the configuration of each bot) are in `results/bench.json`.",
        "",
    ]
    return "\n".join(out)


def write(results: dict[str, Any], out_dir: Path) -> None:
    """Write ``bench.json`` and ``bench.md`` to ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "bench.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (out_dir / "bench.md").write_text(markdown(results), encoding="utf-8")
