"""The speed patches of bot.patches and bot/stores.py change how fast Rasa answers, never what it answers.

The whole bot, in-process with the trained model and the real action server, answers the test stories and the
held-out NLU test messages with the same replies and the same tracker events (parse results included) with and
without the speed-ups (``CEE_SPEEDUPS``), each run in a process of its own. The in-memory tracker store's own
equivalence test is ``tests/test_stores.py``.
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
from typing import Any

import pytest
import yaml

from bot.runtime.processes import free_ports
from bot.settings import ROOT
from bot.train import MODEL_PATH

TURN_TIMEOUT_S = 20


# -- the whole bot, with and without the speed-ups ---------------------------------------------------------------------


def _conversations() -> list[list[str]]:
    """The user turns of the test stories, some longer conversations, and every third held-out NLU test message."""
    conversations = []
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for story in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("stories", []):
            turns = [
                re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", str(step["user"]).strip())
                for step in story.get("steps", [])
                if "user" in step
            ]
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

    from bot.patches import install
    from bot.runtime.endpoints import MEMORY_TRACKER_STORE
    from bot.settings import load_settings

    configure_logging_and_warnings(logging.WARNING)
    install(load_settings())
    fast = os.environ.get("CEE_SPEEDUPS") != "0"
    store = EndpointConfig(type=MEMORY_TRACKER_STORE) if fast else None

    def clean(event: dict[str, Any]) -> dict[str, Any]:
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
        agent = await load_agent(
            model_path=model,
            endpoints=AvailableEndpoints(
                action=EndpointConfig(action_url), tracker_store=store, nlg=EndpointConfig(type="bot.nlg.KnowledgeNLG")
            ),
        )
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
    # One action server for both runs of each conversation: the importer look-up limit would count both.
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'cee.db'}",
        "SANIC_HOST": "127.0.0.1",
        "IMPORTER_LOOKUP_LIMIT": "100000",
    }
    seeded = subprocess.run([sys.executable, "-m", "bot.db", "seed"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert seeded.returncode == 0, seeded.stderr
    port = free_ports(1)[0]
    with (workdir / "actions.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
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
            [sys.executable, __file__, str(MODEL_PATH), action_url, str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "CEE_SPEEDUPS": mode, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT)},
            timeout=1800,
        )
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
