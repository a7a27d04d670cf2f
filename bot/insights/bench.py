"""``python -m bot.insights.bench``: how long the staff report takes on a tracker store of 100,000 conversations.

Fills a tracker store with :mod:`bot.insights.generate` (once: a store that already holds the conversations of the
same seed is reused), then builds the report of the whole period and writes its files, ``--runs`` times; the median
counts. Writes ``results/insights-bench.json``. The target (issue 15) is under 30 s; it is measured here, never in a
timed test. ``--url postgresql://...`` measures a PostgreSQL store (an empty database; the events are added);
``--postgres`` starts a throwaway PostgreSQL server from Debian's packages for it, as the tests do.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Optional

from sqlalchemy import text

from bot.insights import files, generate, report
from bot.insights.sql import has_events, tracker_engine
from bot.settings import ROOT, VAR_DIR

TARGET_SECONDS = 30.0
DAYS = 30


def _count(url: str) -> tuple[int, int]:
    """(conversations, events) in the store; (0, 0) when it has no events table."""
    engine = tracker_engine(url)
    try:
        if not has_events(engine):
            return 0, 0
        with engine.connect() as connection:
            row = connection.execute(text("SELECT COUNT(DISTINCT sender_id), COUNT(*) FROM events")).one()
            return int(row[0]), int(row[1])
    finally:
        engine.dispose()


def measure(url: str, conversations: int, runs: int, seed: int = 15) -> dict[str, Any]:
    """Fill the store when needed, then time the report ``runs`` times; the figures as a dict."""
    have, _ = _count(url)
    generated = None
    if have != conversations:
        if have:
            raise SystemExit(f"{url} holds {have} conversations, not {conversations}: give an empty store")
        started = time.perf_counter()
        generate.generate(url, conversations, seed=seed, days=DAYS)
        generated = round(time.perf_counter() - started, 1)
    _, events = _count(url)
    timings, build = [], []
    for _ in range(runs):
        engine = tracker_engine(url)
        started = time.perf_counter()
        built = report.build(engine, DAYS + 1)
        with tempfile.TemporaryDirectory() as out:
            files.write(built, Path(out))
        timings.append(time.perf_counter() - started)
        build.append(built.seconds)
        engine.dispose()
    by_channel = built.table("traffic_by_channel")
    counted = sum(int(row[1]) for row in by_channel.rows) if by_channel else 0
    seconds = statistics.median(timings)
    return {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "dialect": url.split(":", 1)[0].split("+", 1)[0],
        "conversations": conversations,
        "conversations_in_report": counted,
        "events": events,
        "runs": [round(t, 2) for t in timings],
        "build_seconds": [round(t, 2) for t in build],
        "seconds": round(seconds, 2),
        "target_seconds": TARGET_SECONDS,
        "met": seconds < TARGET_SECONDS,
        "generated_seconds": generated,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()},
    }


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A PostgreSQL server in a temporary folder with one empty database; yields its URL, stops it after."""
    from bot.runtime import postgres
    from bot.runtime.processes import free_ports

    if postgres.pg_bin() is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    user = postgres.pg_system_user()
    base = Path(tempfile.mkdtemp(prefix="insights-pg-"))
    if user:
        shutil.chown(base, user=user)
    data = base / "data"
    postgres.init_cluster(data, user)
    port = free_ports(1)[0]
    postgres.start_cluster(data, base / "server.log", port, base, user, "fsync=off", "synchronous_commit=off")
    try:
        postgres.create_databases(port, ["insights_bench"])
        yield f"postgresql+psycopg2://{postgres.SUPERUSER}@127.0.0.1:{port}/insights_bench"
    finally:
        postgres.stop_cluster(data, user, timeout=120)
        shutil.rmtree(base, ignore_errors=True)


def main(argv: Optional[list[str]] = None) -> None:
    """Run the benchmark; print the figure and write ``results/insights-bench.json``."""
    parser = argparse.ArgumentParser(prog="python -m bot.insights.bench", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=f"sqlite:///{VAR_DIR / 'insights-bench.db'}", help="the tracker store")
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server instead of --url")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the median counts (default 3)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "insights-bench.json")
    args = parser.parse_args(argv)
    if args.postgres:
        with throwaway_postgres() as url:
            figures = measure(url, args.conversations, args.runs)
    else:
        figures = measure(args.url, args.conversations, args.runs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    previous = json.loads(args.out.read_text(encoding="utf-8")) if args.out.exists() else {}
    previous[figures["dialect"]] = figures
    args.out.write_text(json.dumps(previous, indent=2) + "\n", encoding="utf-8")
    verdict = "met" if figures["met"] else "NOT met"
    print(
        f"Report of {figures['conversations_in_report']:,} conversations ({figures['events']:,} events, "
        f"{figures['dialect']}): {figures['seconds']} s (median of {args.runs}); "
        f"target {TARGET_SECONDS:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
