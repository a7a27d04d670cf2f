"""Answer times: from each user message to the bot's next message in its conversation, in buckets, and the slowest
answers with their questions (masked).
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections import Counter
from collections.abc import Sequence

from sqlalchemy.engine import Engine

from bot.insights import events
from bot.insights.tables import Table

SLOWEST = 20
TIME_BUCKETS = ((1.0, "under 1 s"), (2.0, "1–2 s"), (5.0, "2–5 s"), (10.0, "5–10 s"), (math.inf, "10 s or more"))


def tables_of(engine: Engine, period: events.Period) -> tuple[Table, Table]:
    """The answer-time tables of a period: every answer time is read (one number each), the slowest kept on a heap."""
    times: list[float] = []
    slow: list[tuple[float, int]] = []
    for row_id, seconds in events.answer_times(engine, period):
        times.append(seconds)
        if len(slow) < SLOWEST:
            heapq.heappush(slow, (seconds, row_id))
        elif seconds > slow[0][0]:
            heapq.heapreplace(slow, (seconds, row_id))
    slowest = sorted(slow, reverse=True)
    found = events.messages(engine, [row_id for _, row_id in slowest])
    rows = []
    for seconds, row_id in slowest:
        ts, channel, intent, words = found.get(row_id, (0.0, "", "", ""))
        when = dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
        rows.append((when, channel, intent, words, seconds))
    return time_tables(times, rows)


def time_tables(times: Sequence[float], slowest: Sequence[tuple[str, str, str, str, float]]) -> tuple[Table, Table]:
    """Answer times in buckets (with the median and 95th percentile), and the slowest answers.

    Args:
        times: seconds from each user message to the bot's next message.
        slowest: ``(when (UTC), channel, intent, question masked, seconds)``, slowest first.
    """
    buckets: Counter[str] = Counter()
    for seconds in times:
        buckets[next(label for limit, label in TIME_BUCKETS if seconds < limit)] += 1
    ordered = sorted(times)
    median = ordered[len(ordered) // 2] if ordered else 0.0
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] if ordered else 0.0
    spread = Table(
        "answer_times",
        "Answer times",
        f"Time from a user message to the bot's answer (median {median:.2f} s, 95th percentile {p95:.2f} s)",
        ("Time", "Answers"),
        tuple((label, buckets[label]) for _, label in TIME_BUCKETS),
    )
    slow = Table(
        "slowest_answers",
        "Slowest answers",
        f"The {SLOWEST} slowest answers in the period (questions masked)",
        ("Seconds", "When (UTC)", "Channel", "Intent", "Question"),
        tuple((round(s, 2), when, channel, intent, question) for when, channel, intent, question, s in slowest),
    )
    return spread, slow
