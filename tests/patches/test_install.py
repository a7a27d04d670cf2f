"""bot.patches.install: what it installs, in which order, and what it skips on another Rasa version.

Each installation runs in a process of its own, so that the patches do not leak into the other tests.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from typing import Any

import pytest

from bot.patches import ORDER, RASA_VERSION, speed_patches_wanted
from bot.settings import ROOT, Settings
from tests.patches.test_targets import ALWAYS, SPEED, target_id

TURNS = "bot.patches.turns:_take_turns"
SIZE_GUARD = "bot.patches.safety:install.<locals>.guard_message_size"
INSTALL = """
import inspect, json, logging, sys
records = []
handler = logging.Handler()
handler.emit = lambda record: records.append(record.getMessage())
logging.getLogger("bot.patches").addHandler(handler)
logging.getLogger("bot.patches").setLevel(logging.INFO)
import rasa
if len(sys.argv) > 1:
    rasa.__version__ = sys.argv[1]  # as if another Rasa were installed
from rasa.core.processor import MessageProcessor
from bot.patches import install, patching
from bot.settings import load_settings
install(load_settings())
count = len(patching.PATCHED)
install(load_settings())  # again: nothing more
def target(p):
    owner = None if inspect.ismodule(p.owner) else p.owner.__qualname__
    module = p.owner.__name__ if owner is None else p.owner.__module__
    return ".".join(part for part in (module, owner, p.name) if part)
print(json.dumps({
    "patched": [[target(p), p.key] for p in patching.PATCHED],
    "again": len(patching.PATCHED) - count,
    "handle_message": list(patching.chain(MessageProcessor.handle_message)),
    "log": records,
}))
"""


def installed(*args: str, **env: str) -> dict[str, Any]:
    """Install the patches in a fresh process (``args``: a Rasa version to pretend); what it patched and logged."""
    done = subprocess.run(
        [sys.executable, "-c", INSTALL, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONPATH": str(ROOT), **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_patched_attribute_is_in_the_signature_tables_and_installed_once() -> None:
    result = installed(CEE_SPEEDUPS="1")
    targets = [name for name, _key in result["patched"]]
    assert sorted(set(targets)) == sorted({target_id(t) for t in ALWAYS + SPEED})
    assert result["again"] == 0
    modules = [key.split(":")[0].rsplit(".", 1)[-1] for _name, key in result["patched"]]
    assert [m for i, m in enumerate(modules) if i == 0 or modules[i - 1] != m] == list(ORDER[1:])  # masking: no attr
    assert result["handle_message"] == [TURNS, SIZE_GUARD]  # the size guard outermost


def test_on_another_rasa_version_only_the_safety_patches_are_installed_and_the_log_says_so() -> None:
    result = installed("3.7.0", CEE_SPEEDUPS="1")
    assert sorted({name for name, _key in result["patched"]}) == sorted(target_id(t) for t in ALWAYS)
    assert result["handle_message"] == [SIZE_GUARD]
    assert any(f"Rasa 3.7.0 is not {RASA_VERSION}" in line and "skipped" in line for line in result["log"])


@pytest.mark.parametrize(
    "speedups, version, wanted, said",
    [
        (True, RASA_VERSION, True, []),
        (False, RASA_VERSION, False, ["CEE_SPEEDUPS is off"]),
        (True, "3.6.20", False, [f"Rasa 3.6.20 is not {RASA_VERSION}"]),
    ],
)
def test_when_the_speed_patches_are_wanted(
    speedups: bool, version: str, wanted: bool, said: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.patches"):
        assert speed_patches_wanted(Settings(speedups=speedups), version) is wanted
    assert [m for m in said if not any(m in record.getMessage() for record in caplog.records)] == []
    assert bool(caplog.records) == bool(said)
