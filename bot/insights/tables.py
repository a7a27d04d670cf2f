"""The report's tables: what each holds, built from the rows :mod:`bot.insights.events` and the database give.

A :class:`Table` is what the HTML page shows (with a caption and column headers), what its CSV file holds, and
what a chart draws. Every builder is a pure function of its rows, so the tests can give rows of their own.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.db.spreadsheet import safe_row
from bot.insights.similar import Group

Cell = str | int | float
TOP = 15  # rows of the "top" tables
TOPIC_COLUMNS = (
    ("product", ("product",)),
    ("importer", ("importer",)),
    ("figure", ("figure", "trend")),
    ("about the Center", ("center_info", "center_contact")),
)


@dataclass(frozen=True)
class Table:
    """One table of the report: ``name`` is its file name (``<name>.csv``) and anchor; the first column names rows."""

    name: str
    title: str
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    def csv(self) -> str:
        """The table as CSV text: a header row, then the rows, every cell made safe for spreadsheets."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(safe_row(self.columns))
        writer.writerows(safe_row(row) for row in self.rows)
        return out.getvalue()


def traffic_tables(rows: Iterable[tuple[str, str, str, int]]) -> tuple[Table, Table]:
    """Conversations and messages by day and channel, and by channel, from ``(day, channel, sender, messages)``."""
    by_day: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    senders: dict[str, set[str]] = defaultdict(set)
    messages: Counter[str] = Counter()
    for day, channel, sender, count in rows:
        cell = by_day[(day, channel)]
        cell[0], cell[1] = cell[0] + 1, cell[1] + count
        senders[channel].add(sender)
        messages[channel] += count
    daily = Table(
        "traffic_by_day",
        "Conversations and messages by day",
        "Conversations (with at least one message that day) and user messages, by UTC day and channel",
        ("Day", "Channel", "Conversations", "Messages"),
        tuple((day, channel, c, m) for (day, channel), (c, m) in sorted(by_day.items())),
    )
    channels = sorted(senders, key=lambda c: (-len(senders[c]), c))
    total = Table(
        "traffic_by_channel",
        "Conversations and messages by channel",
        "Conversations and user messages in the period, by channel",
        ("Channel", "Conversations", "Messages"),
        tuple((c, len(senders[c]), messages[c]) for c in channels),
    )
    return daily, total


def counted(name: str, title: str, caption: str, first: str, rows: Sequence[tuple[str, int]]) -> Table:
    """A "top" table: the :data:`TOP` largest counts with their share of all."""
    total = sum(n for _, n in rows) or 1
    top = tuple((label, n, f"{100 * n / total:.1f} %") for label, n in rows[:TOP])
    return Table(name, title, caption, (first, "Count", "Share"), top)


def faq_table(rows: Sequence[tuple[str, int]], titles: dict[str, str]) -> Table:
    """The FAQ articles answered most, with their titles."""
    total = sum(n for _, n in rows) or 1
    top = tuple((a, titles.get(a, ""), n, f"{100 * n / total:.1f} %") for a, n in rows[:TOP])
    return Table(
        "top_faq",
        "Top FAQ articles",
        f"The {TOP} FAQ articles answered most",
        ("Article", "Title", "Answers", "Share"),
        top,
    )


def unanswered_table(groups: Sequence[Group]) -> Table:
    """The unanswered questions, grouped by similarity, with counts and masked examples."""
    return Table(
        "unanswered",
        "Unanswered questions",
        "Questions that ended in a fallback or were marked not helpful, grouped by similarity (masked examples)",
        ("Question (most asked)", "Count", "Fallbacks", "Not helpful", "Examples"),
        tuple((g.label, g.count, g.fallbacks, g.not_helpful, " | ".join(g.examples)) for g in groups[:50]),
    )


def demand_table(rows: Iterable[tuple[str, str | None, int]], names: dict[str, str]) -> Table:
    """Questions answered per Center, by kind (product, importer, figure, about the Center)."""
    kinds = {topic: column for column, topics in TOPIC_COLUMNS for topic in topics}
    counts: dict[str, Counter[str]] = {code: Counter() for code in names}
    for topic, center, n in rows:
        if center and topic in kinds:
            counts.setdefault(center, Counter())[kinds[topic]] += n
    body: list[tuple[Cell, ...]] = []
    for code, by_kind in counts.items():
        cells = [by_kind[column] for column, _ in TOPIC_COLUMNS]
        body.append((names.get(code, code), code, *cells, sum(cells)))
    return Table(
        "center_demand",
        "Demand by Center",
        "Questions answered about each Center: products, importers, figures and the Center itself",
        ("Center", "Code", *(column.capitalize() for column, _ in TOPIC_COLUMNS), "Total"),
        tuple(sorted(body, key=lambda r: (-int(r[-1]), str(r[1])))),
    )


def requests_table(rows: Iterable[tuple[str, str, str]]) -> Table:
    """Requests by kind, Center and status, from ``(kind, Center, status)``."""
    counts = Counter(rows)
    return Table(
        "requests",
        "Requests by kind, Center and status",
        "Requests stored in the period (change of Center, outreach call, site visit), by Center and status",
        ("Kind", "Center", "Status", "Requests"),
        tuple((*key, n) for key, n in sorted(counts.items())),
    )


def feedback_table(rows: Iterable[tuple[str, bool]]) -> Table:
    """Helpful and not helpful per answer, from ``(answer id, helpful)``."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for answer, helpful in rows:
        counts[answer][0 if helpful else 1] += 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1][1], -item[1][0], item[0]))
    return Table(
        "feedback",
        "Feedback on answers",
        "Answers marked helpful or not helpful, most not helpful first",
        ("Answer", "Helpful", "Not helpful"),
        tuple((answer, h, n) for answer, (h, n) in ordered[: TOP * 2]),
    )
