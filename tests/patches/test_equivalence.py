"""bot/speedups.py and bot/stores.py change how fast Rasa answers, never what it answers.

* The in-memory tracker store gives back the same trackers as Rasa's (unit tests, no model needed).
* The whole bot, in-process with the trained model and the real action server, answers the test stories and the
  held-out NLU test messages with the same replies and the same tracker events (parse results included) with and
  without the speed-ups, each run in a process of its own.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.serve import free_ports
from bot.settings import ROOT
from bot.train import MODEL_PATH

TURN_TIMEOUT_S = 20

# -- the tracker store ------------------------------------------------------------------------------------------------


def _tracker_events() -> List[Any]:
    from rasa.shared.core.events import (
        ActionExecuted,
        ActiveLoop,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )

    def turn(text: str, intent: str, action: str) -> List[Any]:
        return [
            UserUttered(text, {"name": intent, "confidence": 0.9}),
            ActionExecuted(action),
            BotUttered(f"reply to {text}"),
            ActionExecuted("action_listen"),
        ]

    first = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    form = [UserUttered("look up my importer", {"name": "center_for_importer", "confidence": 0.9}),
            ActionExecuted("importer_lookup_form"), ActiveLoop("importer_lookup_form"),
            SlotSet("requested_slot", "ior_number"), ActionExecuted("action_listen")]  # fmt: skip
    second = [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("center", "CEE010"),
              ActionExecuted("action_listen")]  # fmt: skip
    return first + turn("hi", "greet", "utter_greet") + form + second + turn("thanks", "thank", "utter_you_are_welcome")


def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.from_path(ROOT / "domain.yml")


@pytest.mark.parametrize("sessions", [1, 2])
def test_memory_store_gives_back_what_rasas_in_memory_store_does(sessions: int) -> None:
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

    from bot.stores import MemoryTrackerStore

    domain = _domain()
    events = _tracker_events()
    if sessions == 1:
        events = events[: -8]  # up to the open form
    tracker = DialogueStateTracker.from_events("someone", events, domain.slots)
    results = []
    for store in (InMemoryTrackerStore(domain), MemoryTrackerStore(domain)):
        asyncio.run(store.save(tracker))
        last = asyncio.run(store.retrieve("someone"))
        full = asyncio.run(store.retrieve_full_tracker("someone"))
        results.append([t.current_state(EventVerbosity.ALL) for t in (last, full)])
        assert list(asyncio.run(store.keys())) == ["someone"]
        assert asyncio.run(store.retrieve("nobody")) is None
    for state in (*results[0], *results[1]):
        for event in state["events"]:
            event.pop("timestamp", None)
        state.pop("latest_event_time", None)
    assert results[0] == results[1]


def test_a_copied_tracker_is_independent() -> None:
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.stores import copy_tracker

    domain = _domain()
    tracker = DialogueStateTracker.from_events("someone", _tracker_events()[:-8], domain.slots)
    copy = copy_tracker(tracker)
    assert copy.current_state() == tracker.current_state() and copy.active_loop == tracker.active_loop
    copy.update(SlotSet("requested_slot", None))
    copy.active_loop.rejected = True  # type: ignore[union-attr]
    assert tracker.get_slot("requested_slot") == "ior_number"
    assert tracker.active_loop is not None and not tracker.active_loop.rejected
    assert len(copy.events) == len(tracker.events) + 1


# -- fair turns ------------------------------------------------------------------------------------------------------


def test_turns_go_in_order_and_a_returning_message_goes_first() -> None:
    from bot.speedups import _Turns

    async def scenario() -> List[str]:
        turns, order = _Turns(), []

        async def message(name: str, returning: bool = False) -> None:
            await turns.acquire(returning)
            order.append(name)
            await asyncio.sleep(0)
            turns.release()

        await turns.acquire(False)  # someone computes
        waiting = [asyncio.ensure_future(message(n)) for n in ("new 1", "new 2")]
        await asyncio.sleep(0)
        back = asyncio.ensure_future(message("back from the action server", returning=True))
        await asyncio.sleep(0)
        turns.release()
        await asyncio.gather(*waiting, back)
        return order

    assert asyncio.run(scenario()) == ["back from the action server", "new 1", "new 2"]


def test_a_cancelled_wait_passes_the_turn_on() -> None:
    from bot.speedups import _Turns

    async def scenario() -> bool:
        turns = _Turns()
        await turns.acquire(False)
        cancelled = asyncio.ensure_future(turns.acquire(False))
        after = asyncio.ensure_future(turns.acquire(False))
        await asyncio.sleep(0)
        cancelled.cancel()
        turns.release()
        await asyncio.wait_for(after, 5)  # the turn reached the next waiter
        turns.release()
        await asyncio.wait_for(turns.acquire(False), 5)  # and is free again afterwards
        return True

    assert asyncio.run(scenario())


@pytest.mark.parametrize(
    "hold, expected",
    [
        (0.05, ["quick answer", "other computes", "slow answer"]),  # the default: a quick exchange keeps the turn
        (0.0, ["other computes", "quick answer", "slow answer"]),  # every exchange hands the turn on
    ],
)
def test_others_compute_while_a_message_waits_for_a_slow_answer(
    hold: float, expected: List[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import speedups

    monkeypatch.setattr(speedups, "HOLD_TURN_SECONDS", hold)

    async def scenario() -> List[str]:
        turns, order = speedups._turns(), []
        turn = speedups._Turn()
        speedups._CURRENT_TURN.set(turn)
        await turns.acquire(False)
        turn.held = True

        async def other() -> None:
            await turns.acquire(False)
            order.append("other computes")
            turns.release()

        waiting = asyncio.ensure_future(other())
        await asyncio.sleep(0)

        async def quick() -> str:
            await asyncio.sleep(0.01)
            return "quick answer"

        async def slow() -> str:
            await asyncio.sleep(0.2)
            return "slow answer"

        order.append(await speedups._off_turn(quick))
        order.append(await speedups._off_turn(slow))
        assert turn.held  # it has the turn again
        turn.held = False
        turns.release()
        await waiting
        return order

    assert asyncio.run(scenario()) == expected


# -- the whole bot, with and without the speed-ups ---------------------------------------------------------------------


def _conversations() -> List[List[str]]:
    """The user turns of the test stories, some longer conversations, and every third held-out NLU test message."""
    conversations = []
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories", []):
            turns = [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", str(step["user"]).strip())
                     for step in story.get("steps", []) if "user" in step]  # fmt: skip
            if turns:
                conversations.append(turns)
    conversations += [
        ["blorp zanzibar quux", "/out_of_scope"],
        ["look up the center for my importer number", "not a number", "stop"],
        ["look up the center for my importer number", "what is a cee", "12-3456789AB"],
        [turn for conversation in conversations for turn in conversation] * 2,  # a long one: 50+ turns
    ]
    singles = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            lines = [line.strip() for line in str(item.get("examples", "")).splitlines()]
            singles += [re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:]) for line in lines if line.startswith("- ")]
    return conversations + [[text] for text in singles[::3]]


def _run_conversations(model: str, action_url: str, out: str) -> None:
    """In a process of its own: talk to the bot in-process; write every reply and event (``CEE_SPEEDUPS`` decides)."""
    import logging

    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints
    from rasa.shared.core.trackers import EventVerbosity
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.endpoints import EndpointConfig

    from bot.server import install_patches
    from bot.serve import MEMORY_TRACKER_STORE

    configure_logging_and_warnings(logging.WARNING)
    install_patches()
    fast = os.environ.get("CEE_SPEEDUPS") != "0"
    store = EndpointConfig(type=MEMORY_TRACKER_STORE) if fast else None

    def clean(event: Dict[str, Any]) -> Dict[str, Any]:
        for key in ("timestamp", "metadata", "model_id", "assistant_id", "message_id", "input_channel"):
            event.pop(key, None)
        if "parse_data" in event:
            event["parse_data"].pop("message_id", None)
        return event

    class TurnTimeout(Exception):
        pass

    def alarm(signum: int, frame: Any) -> None:
        raise TurnTimeout()  # interrupts even a turn that computes without pausing

    signal.signal(signal.SIGALRM, alarm)

    async def main() -> None:
        agent = await load_agent(model_path=model, endpoints=AvailableEndpoints(
            action=EndpointConfig(action_url), tracker_store=store, nlg=EndpointConfig(type="bot.nlg.KnowledgeNLG")))
        results = []
        for number, conversation in enumerate(_conversations()):
            replies = []
            try:
                for text in conversation:
                    signal.alarm(TURN_TIMEOUT_S)
                    try:
                        replies.append(await agent.handle_text(text, sender_id=f"c{number}"))
                    finally:
                        signal.alarm(0)
            except TurnTimeout:  # a bot that loops (a bug of its own): noted, not compared
                results.append({"turns": conversation, "timeout": True})
                continue
            tracker = await agent.processor.get_tracker(f"c{number}")
            events = [clean(e) for e in tracker.current_state(EventVerbosity.ALL)["events"]]
            results.append({"turns": conversation, "replies": replies, "events": events})
        Path(out).write_text(json.dumps(results, sort_keys=True, default=str))

    asyncio.run(main())


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    workdir = tmp_path_factory.mktemp("speedups")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{workdir / 'cee.db'}", "SANIC_HOST": "127.0.0.1"}
    seeded = subprocess.run([sys.executable, "-m", "bot.db", "seed"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr
    port = free_ports(1)[0]
    with (workdir / "actions.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, (workdir / "actions.log").read_text()
                time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/webhook", workdir
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_bot_answers_the_same_with_and_without_the_speedups(action_server: Any) -> None:
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    action_url, workdir = action_server
    outputs = {}
    for mode in ("0", "1"):
        out = workdir / f"conversations-{mode}.json"
        done = subprocess.run(
            [sys.executable, __file__, str(MODEL_PATH), action_url, str(out)], cwd=ROOT, capture_output=True, text=True,
            env={**os.environ, "CEE_SPEEDUPS": mode, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)},
            timeout=1800,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        outputs[mode] = json.loads(out.read_text())
    slow, fast = outputs["0"], outputs["1"]
    assert len(slow) == len(fast) > 100
    looping = [s["turns"] for s, f in zip(slow, fast) if s.get("timeout") or f.get("timeout")]
    assert len(looping) <= 5, f"{len(looping)} conversations did not finish in time, e.g. {looping[:3]}"
    different = [s["turns"] for s, f in zip(slow, fast) if s != f and not (s.get("timeout") or f.get("timeout"))]
    assert different == [], f"{len(different)} conversations differ, e.g. {different[:3]}"


if __name__ == "__main__":  # the test runs this file in a process of its own, with PYTHONPATH set to the project
    _run_conversations(*sys.argv[1:4])
