"""The conversation test set (tests/conversations), clean and with typos, against the real servers.

Written apart from the training data (tests/conversations/README.md); the figures go to results/conversations.json
and every failed turn to results/conversations-failures.md. The floors below are what this model must keep; the
issue's targets (97 % clean, 93 % with typos, 95 % for each follow-up kind) are reported next to them in
docs/understanding.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.settings import ROOT
from bot.train import MODEL_PATH
from tests.conversations.runner import FOLLOW_UP_KINDS, RESULTS, SETS, load, report, run, typo_copy
from tests.stack import conversation_stack

# Trainings of the same inputs with other DIET seeds (2026-12-04: 7, 11, 23 and 42) got 0.972 to 0.978 clean, 0.947
# to 0.954 with typos, and 0.944 or more for every follow-up kind. The typo floor is the target (11
# conversations of margin); the clean and follow-up floors sit one to two conversations' worth under their targets
# (0.97, 0.95): seed 42 was one conversation above 0.97, and seed 11 had 34 of 36 in one follow-up kind.
CLEAN_FLOOR = 0.96
TYPO_FLOOR = 0.93
FOLLOW_UP_FLOOR = 0.93
MIN_CONVERSATIONS, MIN_MULTI_TURN, MIN_PER_FOLLOW_UP_KIND = 400, 120, 10
# The Spanish set (tests/conversations_es, issue 16), asked in the same stack and judged in the turn's language;
# results/conversations_es.json and results/conversations_es-failures.md.
# Regression floors, under the target (0.95) for seed noise on a set this size: with Spanish read without its
# accents (2026-12-06), seeds 7 and 11 got 265 and 264 of 275 clean, 262 and 259 with typos; each floor is 8 to 11
# conversations under them.
SPANISH_FLOORS = {"clean": 0.93, "typo": 0.91}
MIN_SPANISH_CONVERSATIONS = 150  # the acceptance line


@pytest.fixture(scope="module")
def figures() -> Iterator[dict[str, Any]]:
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    conversations = load()
    with conversation_stack() as (rasa_url, token):
        clean = run(rasa_url, token, conversations)
        typos = run(rasa_url, token, typo_copy(conversations))
        staff = run(rasa_url, token, load(staff=True))  # the checks saved from make shell (staff/), reported apart
        spanish = load(SETS["es"])
        spanish_clean = run(rasa_url, token, spanish)
        spanish_typos = run(rasa_url, token, typo_copy(spanish))
    figures = report(clean, typos, ROOT / "results", staff)
    figures["es"] = report(spanish_clean, spanish_typos, ROOT / "results", name=RESULTS["es"])
    yield figures


def test_the_set_is_big_enough() -> None:
    conversations = load()
    assert len(conversations) >= MIN_CONVERSATIONS
    assert sum(len(c.turns) > 1 for c in conversations) >= MIN_MULTI_TURN
    for kind in FOLLOW_UP_KINDS:
        assert sum(kind in c.tags for c in conversations) >= MIN_PER_FOLLOW_UP_KIND, kind


def test_typo_copy_changes_words_but_never_numbers_or_codes() -> None:
    conversations = load()
    copies = typo_copy(conversations)
    assert copies == typo_copy(conversations)  # seeded
    changed = sum(a.turns[0].user != b.turns[0].user for a, b in zip(conversations, copies))
    assert changed > len(conversations) / 3
    for original, copy in zip(conversations, copies):
        for a, b in zip(original.turns, copy.turns):
            assert [t for t in a.user.split() if any(ch.isdigit() for ch in t) or "@" in t] == [
                t for t in b.user.split() if any(ch.isdigit() for ch in t) or "@" in t
            ]


def test_clean_conversations(figures: dict[str, Any]) -> None:
    clean = figures["clean"]
    assert clean["pass_rate"] >= CLEAN_FLOOR, f"{clean['passed']}/{clean['n']}: see results/conversations-failures.md"


def test_conversations_with_typos(figures: dict[str, Any]) -> None:
    typo = figures["typo"]
    assert typo["pass_rate"] >= TYPO_FLOOR, f"{typo['passed']}/{typo['n']}: see results/conversations-failures.md"


def test_staff_checks(figures: dict[str, Any]) -> None:
    staff = figures["staff"]  # each one an answer staff found right in make shell: all must pass
    assert staff["passed"] == staff["n"], f"{staff['passed']}/{staff['n']}: see results/conversations-failures.md"


def test_the_spanish_set_is_big_enough() -> None:
    assert len(load(SETS["es"])) >= MIN_SPANISH_CONVERSATIONS


def test_spanish_conversations(figures: dict[str, Any]) -> None:
    for part in ("clean", "typo"):
        result = figures["es"][part]
        assert result["n"] >= MIN_SPANISH_CONVERSATIONS, result["n"]
        assert result["pass_rate"] >= SPANISH_FLOORS[part], (
            f"{part} {result['passed']}/{result['n']}: see {RESULTS['es']}-failures.md"
        )


@pytest.mark.parametrize("kind", FOLLOW_UP_KINDS)
def test_each_follow_up_kind(figures: dict[str, Any], kind: str) -> None:
    result = figures["by_kind"][kind]
    assert result["n"] >= MIN_PER_FOLLOW_UP_KIND and result["pass_rate"] >= FOLLOW_UP_FLOOR, result
