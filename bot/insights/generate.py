"""A seeded generator of conversations in a tracker store, for the report's benchmark and tests.

``python -m bot.insights.generate --conversations 100000 --url sqlite:///var/insights-bench.db`` appends
conversations shaped as the bot stores them (the same event types, columns and JSON fields, masked): a session
start, then one to five turns of a user message (intent ranking, entities, FAQ selector results, channel), the
action, the bot's answer (with its ``utter_action``), the context slots (``ctx_topic``, ``ctx_center``) and
``action_listen``. The same seed gives the same conversations; their times are spread over the ``days`` before
``now``. About 6 % of turns are questions the bot does not understand (``nlu_fallback``).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Iterator
from typing import Any, Optional

from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION
from sqlalchemy import event as sa_event

from bot.insights.scenarios import Turn, faq_ids, pick_turn, selector
from bot.insights.sql import tracker_engine
from bot.ior import mask_text

CHANNELS = (("socketio", 0.6), ("slack", 0.2), ("rest", 0.15), ("cmdline", 0.05))
BATCH = 20_000
MODEL = {"model_id": "0b5e1d6c7f0a4a51b0f2f3e8c1d2a9b7", "assistant_id": "cee-guide"}  # in every event, as Rasa writes

Row = dict[str, Any]


def _row(sender: str, type_name: str, ts: float, data: dict[str, Any], **columns: Optional[str]) -> Row:
    """One ``events`` row as Rasa's SQL store writes it."""
    return {
        "sender_id": sender,
        "type_name": type_name,
        "timestamp": ts,
        "intent_name": columns.get("intent_name"),
        "action_name": columns.get("action_name"),
        "data": json.dumps({"event": type_name, "timestamp": ts, "metadata": MODEL, **data}),
    }


def _action(sender: str, ts: float, name: str) -> Row:
    data = {
        "name": name,
        "policy": "policy_2_RulePolicy",
        "confidence": 1.0,
        "action_text": None,
        "hide_rule_turn": False,
    }
    return _row(sender, "action", ts, data, action_name=name)


def _slot(sender: str, ts: float, name: str, value: Any) -> Row:
    return _row(sender, "slot", ts, {"name": name, "value": value}, action_name=name)


def _user(sender: str, ts: float, turn: Turn, channel: str, rng: random.Random) -> Row:
    text = mask_text(turn.text)
    ranking = [{"name": turn.intent, "confidence": turn.confidence}] + [
        {"name": name, "confidence": rng.random() * 0.05} for name in turn.alternatives
    ]
    parse = {
        "intent": {"name": turn.intent, "confidence": turn.confidence},
        "entities": turn.entities,
        "text": text,
        "message_id": f"{rng.getrandbits(128):032x}",
        "metadata": {},
        "text_tokens": [[i, i + 4] for i in range(0, len(text), 5)],
        "intent_ranking": ranking,
        "responseselector": turn.selector or selector(rng.choice(faq_ids()), rng),
        "text_normalised": text,
    }
    data = {"text": text, "parse_data": parse, "input_channel": channel, "message_id": parse["message_id"]}
    return _row(sender, "user", ts, data, intent_name=turn.intent)


def conversation(index: int, rng: random.Random, start: float) -> Iterator[Row]:
    """The rows of one generated conversation starting at ``start`` (Unix seconds)."""
    sender = f"gen-{index:07d}"
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    ts = start
    yield _action(sender, ts, "action_session_start")
    yield _row(sender, "session_started", ts, {})
    yield _slot(sender, ts, "session_started_metadata", {"client_ip": "127.0.0.1"})
    yield _action(sender, ts, "action_listen")
    for number in range(1, rng.randint(1, 5) + 1):
        ts += rng.uniform(4, 90)
        turn = pick_turn(rng)
        yield _user(sender, ts, turn, channel, rng)
        yield _row(sender, "user_featurization", ts, {"use_text_for_featurization": False})
        answered = ts + (rng.uniform(2.5, 15) if rng.random() < 0.01 else rng.lognormvariate(-1.2, 0.5))
        yield _action(sender, answered, turn.action)
        utter = {UTTER_ACTION: turn.utter_action} if turn.utter_action else {}
        empty = dict.fromkeys(("elements", "quick_replies", "buttons", "attachment", "image", "custom"))
        bot_data = {"metadata": {**MODEL, **utter}, "text": turn.answer, "data": empty}
        yield _row(sender, "bot", answered, bot_data)
        if turn.topic:
            yield _slot(sender, answered, "ctx_topic", turn.topic)
            yield _slot(sender, answered, "ctx_turn", float(number))
            yield _slot(sender, answered, "ctx_awaiting", None)
            if turn.center:
                yield _slot(sender, answered, "ctx_center", turn.center)
        yield _action(sender, answered, "action_listen")
        ts = answered


def rows(count: int, seed: int = 15, days: int = 30, now: Optional[float] = None) -> Iterator[Row]:
    """The rows of ``count`` conversations, started at random times within the ``days`` before ``now``."""
    rng = random.Random(seed)
    end = (time.time() if now is None else now) - 900
    for index in range(count):
        yield from conversation(index, rng, end - rng.random() * (days * 86_400 - 900))


def generate(url: str, count: int, seed: int = 15, days: int = 30, now: Optional[float] = None) -> int:
    """Append ``count`` generated conversations to the tracker store at ``url``; how many rows were written.

    The ``events`` table is created as Rasa creates it when it does not exist yet.
    """
    from rasa.core.tracker_store import SQLTrackerStore

    engine = tracker_engine(url)
    if engine.dialect.name == "sqlite":
        sa_event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA journal_mode=WAL"))
    table = SQLTrackerStore.SQLEvent.__table__
    table.create(engine, checkfirst=True)
    written, batch = 0, []
    try:
        with engine.begin() as connection:
            for row in rows(count, seed, days, now):
                batch.append(row)
                if len(batch) >= BATCH:
                    connection.execute(table.insert(), batch)
                    written, batch = written + len(batch), []
            if batch:
                connection.execute(table.insert(), batch)
                written += len(batch)
    finally:
        engine.dispose()
    return written


def main(argv: Optional[list[str]] = None) -> None:
    """``python -m bot.insights.generate``: append generated conversations to a tracker store."""
    parser = argparse.ArgumentParser(prog="python -m bot.insights.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the tracker store's SQLAlchemy URL")
    parser.add_argument("--conversations", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--days", type=int, default=30, help="spread the conversations over this many days")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    written = generate(args.url, args.conversations, args.seed, args.days)
    print(f"{args.conversations} conversations ({written} events) in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
