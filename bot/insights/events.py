"""What the report reads from the tracker store: aggregated in SQL, never one tracker at a time.

Each function runs one query over Rasa's ``events`` table for the events of a period (``since`` inclusive, ``until``
exclusive, Unix seconds) and returns plain rows. What each reads:

* traffic: user events by UTC day, and each conversation's channel (``input_channel`` of its first message);
* intents: the ``intent_name`` column of user events;
* FAQ articles: the ``utter_action`` of bot answers (``utter_faq/<article id>``);
* unanswered: user events read as ``nlu_fallback`` (their text, masked by the store);
* Center demand: the context slots an answer sets, ``ctx_topic`` and the ``ctx_center`` right after it;
* answer times: from a user event to the next bot event of the same conversation (window functions).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Optional

from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION
from sqlalchemy import text
from sqlalchemy.engine import Engine

from bot.insights.sql import json_field, utc_day
from bot.ior import mask_text

FALLBACK_INTENT = "nlu_fallback"
MAX_UNANSWERED = 20_000  # unanswered questions read, newest first


@dataclass(frozen=True)
class Period:
    """The report's period in Unix seconds: ``since`` inclusive, ``until`` exclusive."""

    since: float
    until: float

    @property
    def params(self) -> dict[str, float]:
        """The bound parameters of every query."""
        return {"since": self.since, "until": self.until}


IN_PERIOD = "timestamp >= :since AND timestamp < :until"


def _rows(engine: Engine, sql: str, period: Period, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(sql), {**period.params, **params})]


def traffic(engine: Engine, period: Period) -> list[tuple[str, str, str, int]]:
    """``(day, channel, sender_id, messages)``: each conversation's user messages per UTC day and channel.

    A conversation's channel is read from its first user message in the period (a sender id belongs to one channel),
    so the JSON is read once per conversation rather than once per message.
    """
    dialect = engine.dialect.name
    per_day = f"""
        SELECT {utc_day(dialect)}, sender_id, COUNT(*) FROM events WHERE type_name = 'user' AND {IN_PERIOD}
        GROUP BY 1, 2"""
    channels = f"""
        SELECT sender_id, {json_field(dialect, "input_channel")} FROM events WHERE id IN (
            SELECT MIN(id) FROM events WHERE type_name = 'user' AND {IN_PERIOD} GROUP BY sender_id)"""
    channel_of = {str(s): str(c or "unknown") for s, c in _rows(engine, channels, period)}
    return [(str(d), channel_of.get(str(s), "unknown"), str(s), int(n)) for d, s, n in _rows(engine, per_day, period)]


def intents(engine: Engine, period: Period) -> list[tuple[str, int]]:
    """``(intent, messages)`` of the user messages, most first."""
    sql = f"""
        SELECT intent_name, COUNT(*) FROM events WHERE type_name = 'user' AND {IN_PERIOD}
        GROUP BY intent_name ORDER BY 2 DESC, 1"""
    return [(str(i or "(none)"), int(n)) for i, n in _rows(engine, sql, period)]


def faq_answers(engine: Engine, period: Period) -> list[tuple[str, int]]:
    """``(article id, answers)``: bot answers given from an FAQ article, most first."""
    utter = json_field(engine.dialect.name, "metadata", UTTER_ACTION)
    sql = f"""
        SELECT utter, COUNT(*) FROM (
            SELECT {utter} AS utter FROM events
            WHERE type_name = 'bot' AND {IN_PERIOD} AND data LIKE '%utter_faq/%') AS answers
        WHERE utter LIKE 'utter_faq/%' GROUP BY utter ORDER BY 2 DESC, 1"""
    return [(str(u).split("/", 1)[1], int(n)) for u, n in _rows(engine, sql, period)]


def unanswered(engine: Engine, period: Period, limit: int = MAX_UNANSWERED) -> list[tuple[float, str]]:
    """``(timestamp, text)`` of the user messages the bot did not understand (``nlu_fallback``), newest first,
    masked again (stores written before masking existed hold them as typed).
    """
    sql = f"""
        SELECT timestamp, {json_field(engine.dialect.name, "text")} FROM events
        WHERE type_name = 'user' AND intent_name = :fallback AND {IN_PERIOD}
        ORDER BY timestamp DESC LIMIT :limit"""
    found = _rows(engine, sql, period, fallback=FALLBACK_INTENT, limit=limit)
    return [(float(ts), mask_text(str(words or ""))) for ts, words in found]


def center_demand(engine: Engine, period: Period) -> list[tuple[str, Optional[str], int]]:
    """``(topic, Center code or None, answers)``: the questions answered about a topic (``product``, ``importer``,
    ``figure``...), by the Center the answer named (None for all-Center answers such as rankings).
    """
    value = json_field(engine.dialect.name, "value")
    sql = f"""
        SELECT topic, center, COUNT(*) FROM (
            SELECT action_name AS name, {value} AS topic,
                   CASE WHEN LEAD(action_name) OVER w = 'ctx_center' THEN LEAD({value}) OVER w END AS center
            FROM events
            WHERE type_name = 'slot' AND action_name IN ('ctx_topic', 'ctx_center') AND {IN_PERIOD}
            WINDOW w AS (PARTITION BY sender_id ORDER BY id)) AS slots
        WHERE name = 'ctx_topic' AND topic IS NOT NULL
        GROUP BY topic, center"""
    return [(str(t), str(c) if c else None, int(n)) for t, c, n in _rows(engine, sql, period)]


def answer_times(engine: Engine, period: Period) -> Iterator[tuple[int, float]]:
    """``(user event id, seconds)`` from each user message to the bot's next message in its conversation."""
    sql = f"""
        SELECT id, next_ts - timestamp FROM (
            SELECT id, type_name, timestamp,
                   LEAD(type_name) OVER w AS next_type, LEAD(timestamp) OVER w AS next_ts
            FROM events WHERE type_name IN ('user', 'bot') AND {IN_PERIOD}
            WINDOW w AS (PARTITION BY sender_id ORDER BY id)) AS turns
        WHERE type_name = 'user' AND next_type = 'bot'"""
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True).execute(text(sql), period.params)
        for row_id, seconds in result:
            yield int(row_id), float(seconds)


def messages(engine: Engine, ids: list[int]) -> dict[int, tuple[float, str, str, str]]:
    """``{id: (timestamp, channel, intent, text masked)}`` of the given user events."""
    if not ids:
        return {}
    dialect = engine.dialect.name
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    sql = f"""
        SELECT id, timestamp, {json_field(dialect, "input_channel")}, intent_name, {json_field(dialect, "text")}
        FROM events WHERE id IN ({marks})"""
    with engine.connect() as connection:
        found = connection.execute(text(sql), {f"i{n}": value for n, value in enumerate(ids)})
        return {
            int(i): (float(ts), str(c or "unknown"), str(n or ""), mask_text(str(t or ""))) for i, ts, c, n, t in found
        }
