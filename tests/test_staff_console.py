"""The staff commands of ``make shell`` without a server: ``/why`` and ``/save`` on trackers shaped as Rasa makes them
(events as its HTTP API gives them), the saved tests read back by the conversation runner, and the console loop with
scripted input (bad commands, nothing said yet, the server down). Through tmux with the real model:
``tests/e2e/test_shell_why.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import aiohttp
import pytest
import yaml

from bot import staff_console, staff_review
from bot.knowledge import knowledge
from bot.staff_review import Exchange, NotSaved, append_test, build_test, conversation, explain, new_id
from tests.conversations import runner

SAMPLE_SSN = "123-45-6789"  # fictional: knowledge/sample/importers.csv (Sample Sole Proprietor Imports, CEE004)
FIGURE_REPLY = "The **Electronics Center (CEE007)** had **135 CBP staff** in FY2026 Q4 (Jul–Sep 2026)."
IMPORTER_REPLY = (
    "Importer ***-**-6789 (from the fictional sample data) is assigned to the Apparel, Footwear & Textiles Center "
    "(CEE004) in San Francisco, CA."
)


def user(text: str, intent: str, ranking: list[tuple[str, float]], **parse: Any) -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "input_channel": "cmdline",
        "parse_data": {
            "text": text,
            "intent": {"name": intent, "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
            "entities": parse.pop("entities", []),
            **parse,
        },
    }


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def bot(text: str, utter_action: Optional[str] = None) -> dict[str, Any]:
    metadata = {"utter_action": utter_action} if utter_action else {}
    return {"event": "bot", "text": text, "metadata": metadata}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def faq_turn() -> list[dict[str, Any]]:
    article = knowledge().article("faq/change_how")
    assert article is not None
    selector = {
        "faq": {
            "response": {
                "intent_response_key": "faq/change_how",
                "confidence": 0.73,
                "utter_action": "utter_faq/change_how",
            },
            "ranking": [{"intent_response_key": "faq/change_how", "confidence": 0.73}],
        }
    }
    return [
        user(
            "how do I change my center",
            "faq",
            [
                ("faq", 0.99),
                ("request_change_center", 0.004),
                ("change_answer", 0.003),
                ("stop", 0.001),
                ("greet", 0.0),
            ],
            response_selector=selector,
        ),
        action("utter_faq"),
        bot(article.answer, "utter_faq/change_how"),
        action("action_listen"),
    ]


def figure_turn() -> list[dict[str, Any]]:
    return [
        user(
            "how many staff does the electronics center have",
            "ask_figure",
            [("ask_figure", 0.998), ("list_centers", 0.001)],
            entities=[{"entity": "metric", "value": "staff"}, {"entity": "center", "value": "electronics"}],
        ),
        slot("center", "electronics"),
        action("action_figure"),
        bot(FIGURE_REPLY),
        slot("ctx_topic", "figure"),
        slot("ctx_turn", 1.0),
        slot("ctx_center", "CEE007"),
        slot("ctx_metric", "staff"),
        action("action_listen"),
    ]


def importer_turn(number: str = SAMPLE_SSN) -> list[dict[str, Any]]:
    return [
        user(
            f"lookup {number}",
            "center_for_importer",
            [("center_for_importer", 1.0)],
            entities=[{"entity": "ior_number", "value": number}],
        ),
        slot("ior_number", number),
        action("importer_lookup_form"),
        action("action_center_for_importer"),
        bot(IMPORTER_REPLY),
        slot("ctx_topic", "importer"),
        slot("ctx_center", "CEE004"),
        slot("ctx_importer", "***-**-6789"),
        action("action_listen"),
    ]


def state(*turns: list[dict[str, Any]], **slots: Any) -> dict[str, Any]:
    events: list[dict[str, Any]] = [
        action("action_session_start"),
        {"event": "session_started"},
        action("action_listen"),
    ]
    for turn in turns:
        events += turn
    return {"events": events, "slots": {"session_started_metadata": {"client_ip": "1"}, "cc_email": None, **slots}}


def judge(expect: dict[str, Any], text: str, actions: Any) -> Optional[str]:
    return runner.judge(knowledge(), runner.Reply(text, tuple(actions)), expect)


# -- /why -------------------------------------------------------------------------------------------------------------
def test_why_shows_intent_alternatives_faq_article_source_and_slots() -> None:
    article = knowledge().article("faq/change_how")
    assert article is not None
    lines = explain(state(figure_turn(), faq_turn(), ctx_topic="figure", center="electronics"))
    text = "\n".join(lines)
    assert 'Why this answer to "how do I change my center" (turn 2)' in lines[0]
    assert "intent        faq 0.99" in text
    assert "alternatives  request_change_center 0.00, change_answer 0.00, stop 0.00" in text  # the top 3 after faq
    assert "greet" not in text
    assert f"FAQ article   change_how: {article.title} ({article.group}, selector 0.73)" in text
    assert f"source        {article.source}" in text
    assert "responses     utter_faq/change_how" in text
    assert "slots         ctx_topic=figure, center=electronics" in text
    assert "session_started_metadata" not in text and "cc_email" not in text  # bookkeeping and empty slots left out


def test_why_of_an_action_answer_marks_the_slots_it_set_and_masks_numbers() -> None:
    lines = explain(state(importer_turn(), ior_number=SAMPLE_SSN, ctx_topic="importer", ctx_turn=1.0))
    text = "\n".join(lines)
    assert SAMPLE_SSN not in text  # neither the message, the entity nor the slot shows the number in full
    assert 'to "lookup ***-**-6789"' in text
    assert "entities      ior_number=***-**-6789" in text
    assert "ior_number=***-**-6789*" in text and text.endswith("ctx_turn=1\n                (* set by this answer)")
    assert "FAQ article   none (not an FAQ answer)" in text
    assert "actions       importer_lookup_form, action_center_for_importer" in text


def test_why_before_any_message_and_after_a_restart_has_nothing_to_explain() -> None:
    assert explain(state()) == []
    assert explain(state(faq_turn(), [{"event": "restart"}])) == []


def test_conversation_starts_again_at_a_restart_and_counts_taken_back_messages() -> None:
    turns = conversation(state(faq_turn(), [{"event": "restart"}], figure_turn(), importer_turn())["events"])
    assert [t.text for t in turns] == ["how many staff does the electronics center have", f"lookup {SAMPLE_SSN}"]
    assert turns[0].actions == ["action_figure"]
    rewound = conversation([*faq_turn(), {"event": "rewind"}, *figure_turn()])
    assert len(rewound) == 2  # as the runner pairs replies with user events


# -- /save ------------------------------------------------------------------------------------------------------------
def test_saved_expectations_are_read_from_rasas_events_and_pass_the_runners_judge() -> None:
    turns = conversation(state(faq_turn(), figure_turn(), importer_turn())["events"])
    faq_answer = knowledge().article("faq/change_how").answer  # type: ignore[union-attr]
    exchanges = [
        Exchange(turns[0].text, faq_answer),
        Exchange(turns[1].text, FIGURE_REPLY),
        Exchange(turns[2].text, IMPORTER_REPLY),
    ]
    test, warnings = build_test("staff-x-01", exchanges, turns, judge)
    assert warnings == []
    assert [t["expect"] for t in test["turns"]] == [
        {"answer": "faq", "faq": "change_how"},
        {"answer": "figure", "center": "CEE007", "metric": "staff"},
        {"answer": "importer_center", "center": "CEE004", "not_says": [SAMPLE_SSN]},
    ]
    assert test["tags"] == ["staff", "faq", "figures", "importer", "multi_turn"]


def test_an_answer_the_judge_does_not_accept_is_saved_with_a_warning() -> None:
    turns = conversation(figure_turn())
    test, warnings = build_test("staff-x-01", [Exchange(turns[0].text, "something else")], turns, judge)
    assert test["turns"][0]["expect"]["answer"] == "figure"
    assert warnings and "turn 1" in warnings[0]


def test_nothing_said_or_a_real_social_security_number_is_not_saved() -> None:
    with pytest.raises(NotSaved, match="nothing to save"):
        build_test("staff-x-01", [], [], judge)
    turns = conversation(importer_turn("987-65-4320"))
    with pytest.raises(NotSaved, match="not in the fictional sample data") as error:
        build_test("staff-x-01", [Exchange("lookup 987-65-4320", "")], turns, judge)
    assert "987-65-4320" not in str(error.value)


def test_ids_are_unique_and_in_the_readmes_form() -> None:
    assert new_id("Where's the Machinery Center?", set()) == "staff-wheres-the-machinery-center-01"
    assert new_id("machinery", {"staff-machinery-01"}) == "staff-machinery-02"
    assert new_id(f"lookup {SAMPLE_SSN}", set()) == "staff-lookup-01"  # no number in an id
    assert new_id("???", set()) == "staff-conversation-01"


def test_saved_tests_are_appended_and_the_runner_loads_them(tmp_path: Path) -> None:
    folder = tmp_path / "conversations"
    path = folder / "staff" / "saved.yml"
    turns = conversation(figure_turn())
    for name in ("one", "two"):
        test, _ = build_test(new_id(name, set()), [Exchange(turns[0].text, FIGURE_REPLY)], turns, judge)
        append_test(path, test)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Conversation tests saved by CBP staff") and "NOT training data" in text
    loaded = runner.load(folder, staff=True)
    assert [c.id for c in loaded] == ["staff-one-01", "staff-two-01"]
    assert loaded[0].turns[0].expect == {"answer": "figure", "center": "CEE007", "metric": "staff"}
    assert runner.load(folder) == []  # not part of the independent set


def test_the_runner_reports_staff_checks_apart(tmp_path: Path) -> None:
    independent = runner.load()[:2]
    outcomes = [runner.Outcome(independent[0], True), runner.Outcome(independent[1], True)]
    check = runner.Outcome(independent[1], False, ["turn 1: not a faq answer"])
    figures = runner.report(outcomes, outcomes, tmp_path, staff=[check])
    assert figures["clean"]["n"] == 2 and figures["clean"]["pass_rate"] == 1.0  # the checks count apart
    assert figures["staff"] == {
        "pass_rate": 0.0,
        "n": 1,
        "passed": 0,
        "multi_turn": int(len(check.conversation.turns) > 1),
    }
    assert "## staff" in (tmp_path / "conversations-failures.md").read_text(encoding="utf-8")


def test_the_runner_with_no_staff_checks_starts_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    if runner.load(staff=True):
        pytest.skip("the repository has staff checks: asking them needs a server")
    assert runner.main(["--staff"]) == 0
    assert "no staff checks" in capsys.readouterr().out


def test_a_file_that_is_not_a_conversation_file_is_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "saved.yml"
    path.write_text("something: else\n", encoding="utf-8")
    test, _ = build_test("staff-x-01", [Exchange("hi", "")], [], None)
    with pytest.raises(NotSaved):
        append_test(path, test)
    assert path.read_text(encoding="utf-8") == "something: else\n"


def test_the_repositorys_staff_checks_load_and_keep_apart_from_the_independent_set() -> None:
    staff = runner.load(staff=True)
    independent = {c.id for c in runner.load()}
    assert not {c.id for c in staff} & independent
    assert all(c.path.startswith(str(staff_review.STAFF_FOLDER)) for c in staff)
    assert not any(c.path.startswith(str(staff_review.STAFF_FOLDER)) for c in runner.load())


# -- the console loop -------------------------------------------------------------------------------------------------
class Scripted:
    """Input typed at the prompt, one line per call; then /stop. Like Rasa's, it first prints the bot's last message."""

    def __init__(self, lines: list[str]) -> None:
        self.lines: Iterator[str] = iter(lines)

    async def __call__(self, previous: Any) -> Optional[str]:
        if previous is not None:
            print(previous.get("text"))
        return next(self.lines, "/stop")


@pytest.fixture()
def console_run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Any:
    from rasa.core.channels import console

    monkeypatch.setenv("STAFF_TESTS_FILE", str(tmp_path / "saved.yml"))
    monkeypatch.setattr(console, "_print_bot_output", lambda message, *a, **k: print(message.get("text")))

    def run(lines: list[str], tracker: dict[str, Any], replies: dict[str, str], down: bool = False) -> str:
        monkeypatch.setattr(console, "_get_user_input", Scripted(lines))

        async def send(text: str) -> list[dict[str, Any]]:
            if down:
                raise aiohttp.ClientConnectionError("refused")
            return [{"recipient_id": "me", "text": replies[text]}]

        async def read_state(sender: str) -> dict[str, Any]:
            return tracker

        import asyncio

        asyncio.run(staff_console.StaffConsole("me", send, read_state).run())
        return capsys.readouterr().out

    return run


def test_console_commands_before_anything_was_said(console_run: Any) -> None:
    out = console_run(["/why", "/save", "/nonsense", "/help"], state(), {})
    assert "No answer yet: ask the bot something first, then type /why." in out
    assert "Not saved: there is nothing to save yet" in out
    assert "There is no command /nonsense. Type /help" in out
    assert "/save [name]" in out and "/why" in out and "/stop" in out


def test_console_why_and_save_after_an_answer(console_run: Any, tmp_path: Path) -> None:
    question = "how many staff does the electronics center have"
    out = console_run([question, "/why", "/save Electronics staff"], state(figure_turn()), {question: FIGURE_REPLY})
    assert FIGURE_REPLY in out
    assert "intent        ask_figure 1.00" in out
    assert "Saved as staff-electronics-staff-01" in out and "(1 turn)" in out
    saved = yaml.safe_load((tmp_path / "saved.yml").read_text(encoding="utf-8"))["conversations"]
    assert saved[0]["turns"] == [
        {"user": question, "expect": {"answer": "figure", "center": "CEE007", "metric": "staff"}}
    ]


def test_console_says_when_the_bot_does_not_answer(console_run: Any) -> None:
    out = console_run(["hello", "/why"], state(), {}, down=True)
    assert "The bot did not answer (ClientConnectionError)" in out
    assert "No answer yet" in out  # nothing was recorded


def test_console_restart_starts_a_new_conversation_to_save(console_run: Any) -> None:
    question = "how many staff does the electronics center have"
    out = console_run([question, "/restart", "/save"], state(), {question: FIGURE_REPLY, "/restart": ""})
    assert "Not saved: there is nothing to save yet" in out


def test_console_sends_the_language_choice_to_the_bot(console_run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import ROOT

    intents = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"]

    async def is_intent(self: Any, name: str) -> bool:  # the server's domain, as the running shell reads it
        return name in intents

    monkeypatch.setattr(staff_console.StaffConsole, "is_intent", is_intent)
    out = console_run(["/es", "¡Español!", "/en", "inglés", "/help"], state(), {"/es": "es", "/en": "en"})
    assert "es\nes\nen\nen\n" in out  # each reached the bot as "/es" or "/en"
    assert "/es, /en" in out  # and /help lists them
