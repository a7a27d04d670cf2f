"""``python -m bench``: measure CEE Guide and a stock Rasa 3.6 starter bot in the same run; write results/bench.*.

Only one bot is under load at a time, and every phase runs in ABBA order (stock, ours, ours, stock) so that both see
the same drift of a shared machine:

1. create the starter bot (``rasa init --no-prompt`` in a temporary folder; it trains its first model);
2. cold starts (3 of each bot, alternating; the median counts), then warm-up and memory;
3. one user, 20 concurrent users, long conversations (2 rounds each); memory after the load;
4. an answer edit on CEE Guide's running server (``bench/edits.py``);
5. training from scratch, then after a small change (in copies of the inputs), unless ``--skip-training``: the
   starter bot after an edit to a reply's text, CEE Guide after five questions added to an FAQ article.

The targets of issues 7 and 13 are checked here, never in a timed test (``make bench`` is not part of ``make test``).

Everything runs on 127.0.0.1 and free ports, in a temporary folder that is removed at the end (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from bench import edits, load, report, training
from bench.bots import BotUnderTest, OurBot, StockBot, post
from bot.settings import ROOT


def _parse(argv: Optional[list[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=20, help="concurrent users (default 20)")
    parser.add_argument("--turns", type=int, default=30, help="messages per concurrent user (default 30)")
    parser.add_argument("--single-users", type=int, default=20, help="one-user phase: conversations (default 20)")
    parser.add_argument("--single-turns", type=int, default=10, help="one-user phase: messages each (default 10)")
    parser.add_argument("--long-turns", type=int, default=50, help="turns of a long conversation (default 50)")
    parser.add_argument("--long-conversations", type=int, default=3, help="long conversations (default 3)")
    parser.add_argument("--cold-starts", type=int, default=3, help="cold starts of each bot; the median counts")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each load phase, in ABBA order (default 2)")
    parser.add_argument("--only", choices=("ours", "stock"), help="measure one bot only (no ratios)")
    parser.add_argument("--skip-training", action="store_true", help="do not measure training times")
    parser.add_argument("--out", type=Path, default=ROOT / "results", help="report folder (default results/)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, starter bot)")
    return parser.parse_args(argv)


def _say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


def _rounds(
    bots: list[BotUnderTest], rounds: int, name: str, measure: Callable[[BotUnderTest], Any]
) -> dict[str, list[Any]]:
    """Run ``measure`` for each bot ``rounds`` times, in ABBA order, so that both see the same drift of the machine."""
    runs: dict[str, list[Any]] = {bot.name: [] for bot in bots}
    for round_ in range(rounds):
        for bot in bots if round_ % 2 == 0 else list(reversed(bots)):
            _say(f"{name} {round_ + 1}/{rounds}: {bot.label}")
            runs[bot.name].append(measure(bot))
    return runs


def _cold_starts(bots: list[BotUnderTest], per_bot: dict[str, Any], rounds: int) -> None:
    """Start each bot ``rounds`` times, alternating the order (ABBA...), one at a time; keep the last ones running.

    The median is the figure: a single start on a shared machine depends too much on what else runs meanwhile.
    """
    runs: dict[str, list[dict[str, float]]] = {bot.name: [] for bot in bots}
    for round_ in range(rounds):
        order = bots if round_ % 2 == 0 else list(reversed(bots))
        for bot in order:
            _say(f"cold start {round_ + 1}/{rounds}: {bot.label}")
            runs[bot.name].append(bot.start())
            if round_ < rounds - 1:
                bot.stop()
    for bot in bots:
        keys = runs[bot.name][0].keys()
        per_bot[bot.name]["cold_start"] = {
            **{key: round(statistics.median(run[key] for run in runs[bot.name]), 2) for key in keys},
            "runs": runs[bot.name],
        }


def _users(bot: BotUnderTest, users: int, turns: int, concurrent: bool) -> dict[str, Any]:
    """One round of simulated users: every turn, the wall time and each server's CPU time."""
    cpu_before = bot.cpu_seconds()
    summary, done = load.run_users(bot.rest_url, users, turns, bot.messages, concurrent=concurrent)
    cpu = {name: seconds - cpu_before.get(name, 0.0) for name, seconds in bot.cpu_seconds().items()}
    return {"turns": done, "wall": summary["wall_s"], "cpu": cpu, "load_average": round(os.getloadavg()[0], 2)}


def _combine(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One summary of every round (all turns, total wall time, CPU per message) and each round's own figures."""
    result = load.summary([t for run in runs for t in run["turns"]], sum(run["wall"] for run in runs))
    answered = max(result["answered"], 1)
    cpu: dict[str, float] = {}
    for run in runs:
        for name, seconds in run["cpu"].items():
            cpu[name] = cpu.get(name, 0.0) + seconds
    result["cpu_ms_per_message"] = round(1000 * sum(cpu.values()) / answered, 1)
    result["cpu_ms_per_message_by_server"] = {name: round(1000 * s / answered, 1) for name, s in cpu.items()}
    result["rounds"] = []
    for run in runs:
        figures = load.summary(run["turns"], run["wall"])
        figures.pop("error_examples", None)
        result["rounds"].append({**figures, "load_average": run["load_average"]})
    return result


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run the benchmark as ``args`` say: both bots (or one), then their training; the results."""
    workdir = Path(tempfile.mkdtemp(prefix="cee-bench-"))
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")  # both bots: no telemetry calls during the run
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    bots: list[BotUnderTest] = []
    if args.only != "ours":
        bots.append(StockBot(workdir))
    if args.only != "stock":
        bots.append(OurBot(workdir))
    results: dict[str, Any] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "environment": {
            "cpus": os.cpu_count(),
            "load_average_start": round(os.getloadavg()[0], 2),
            "python": platform.python_version(),
            "rasa": _version("rasa"),
            "rasa_sdk": _version("rasa_sdk"),
        },
        "settings": {
            "users": args.users,
            "turns": args.turns,
            "single_users": args.single_users,
            "single_turns": args.single_turns,
            "long_turns": args.long_turns,
            "long_conversations": args.long_conversations,
            "window": 5,
            "rounds": args.rounds,
            "cold_starts": args.cold_starts,
            "messages": {"ours": OurBot.messages, "stock": StockBot.messages},
        },
        "bots": {bot.name: {"label": bot.label} for bot in bots},
    }
    per_bot = results["bots"]
    try:
        for bot in bots:
            _say(f"preparing {bot.label}" + (" (rasa init trains its first model)" if bot.name == "stock" else ""))
            prepared = bot.prepare()
            if prepared is not None:
                per_bot[bot.name]["rasa_init_s"] = round(prepared, 1)
        _cold_starts(bots, per_bot, args.cold_starts)
        for bot in bots:
            per_bot[bot.name]["warm_up"] = load.warm_up(bot.rest_url, bot.messages)
            time.sleep(2)
            per_bot[bot.name]["memory_after_warm_up"] = bot.memory()
        rounds = args.rounds
        single = _rounds(bots, rounds, "1 user", lambda b: _users(b, args.single_users, args.single_turns, False))
        concurrent = _rounds(bots, rounds, f"{args.users} users", lambda b: _users(b, args.users, args.turns, True))
        long = _rounds(
            bots,
            rounds,
            "long conversations",
            lambda b: load.long_conversation_turns(b.rest_url, args.long_turns, args.long_conversations, b.messages),
        )
        for bot in bots:
            per_bot[bot.name]["single_user"] = _combine(single[bot.name])
            per_bot[bot.name]["concurrent"] = _combine(concurrent[bot.name])
            per_bot[bot.name]["long_conversation"] = {
                **load.long_summary([t for run in long[bot.name] for t in run], args.long_turns),
                "conversations": rounds * args.long_conversations,
            }
        for bot in bots:
            per_bot[bot.name]["memory_after_load"] = bot.memory()
            per_bot[bot.name]["details"] = bot.details
            if isinstance(bot, OurBot):
                _say(f"an answer edit on the running server: {bot.label}")
                try:
                    per_bot[bot.name]["edit_live"] = edits.edit_live(
                        functools.partial(post, bot.rest_url, timeout=60), bot.knowledge
                    )
                except RuntimeError as exc:  # keep the other figures; the report says what failed
                    per_bot[bot.name]["edit_live"] = {"error": str(exc)}
                    results.setdefault("errors", []).append(f"answer edit on {bot.label} failed: {exc}")
    finally:
        for bot in bots:
            bot.stop()
    try:
        if not args.skip_training:
            for bot in bots:
                _say(f"training: {bot.label} (from scratch, then after a small change)")
                try:
                    if isinstance(bot, StockBot):
                        per_bot[bot.name]["training"] = training.stock(bot.project, workdir)
                    else:
                        per_bot[bot.name]["training"] = training.ours(workdir)
                except RuntimeError as exc:  # keep the other figures; the report says what failed
                    _say(f"training {bot.label} failed")
                    per_bot[bot.name]["training"] = {"error": str(exc)[-2000:]}
                    results.setdefault("errors", []).append(f"training {bot.label} failed (see bench.json)")
    finally:
        if args.keep:
            _say(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return report.evaluate(results)


def _version(module: str) -> str:
    try:
        from importlib.metadata import version

        return version(module.replace("_", "-"))
    except Exception:
        return "?"


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # run the finally blocks: stop the servers, remove the temporary folder


def main(argv: Optional[list[str]] = None) -> int:
    """``python -m bench``: the benchmark, its report in ``--out``; the exit code."""
    args = _parse(argv)
    signal.signal(signal.SIGTERM, _terminate)
    try:
        results = run(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    report.write(results, args.out)
    print()
    print("\n".join(report.console_lines(results)))
    print(f"\nwritten: {args.out / 'bench.json'}, {args.out / 'bench.md'}")
    for error in results.get("errors", []):
        print(f"benchmark error: {error}", file=sys.stderr)
    return 1 if results.get("errors") else 0


if __name__ == "__main__":
    sys.exit(main())
