"""The conversation test set: load it, make its typo copy, ask it against the real REST server, judge every turn.

``python -m tests.conversations.runner`` starts its own stack (action server, Rasa with the HTTP API behind a token,
a fresh sample database), asks every conversation of ``tests/conversations/**/*.yml`` clean and with typos, and writes
``results/conversations.json`` and ``results/conversations-failures.md``. ``tests/e2e/test_conversations.py`` runs the
same and fails below the thresholds. The YAML format is in ``tests/conversations/README.md``.

The conversations CBP staff saved from ``make shell`` (``/save``, :mod:`bot.staff_console`) are in ``staff/``: checks,
not part of the independent set, so :func:`load` leaves them out and ``load(staff=True)`` reads them. The runner asks
them too (clean only) and reports them apart (``"staff"`` in the JSON); ``--staff`` asks only them.

``--set es`` asks the Spanish set instead (``tests/conversations_es/**/*.yml``, issue 16), clean and with typos, and
writes ``results/conversations_es.json`` and ``results/conversations_es-failures.md`` (no staff checks).

A turn is judged on what the user gets (the reply's text, in the language the bot should answer in) and on which
action Rasa ran (``tests/conversations/judge.py``); a conversation passes when every one of its turns does.
"""

from __future__ import annotations

import json
import random
import re
import sys
import urllib.request
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from bot.knowledge import knowledge
from tests.conversations.judge import KINDS, Reply, as_list, judge, languages

FOLDER = Path(__file__).parent
SETS = {"en": FOLDER, "es": FOLDER.parent / "conversations_es"}  # --set: the English set, the Spanish one (issue 16)
RESULTS = {"en": "conversations", "es": "conversations_es"}  # the results' file names, without the extension
SET_HELP = "en: tests/conversations, with the staff checks (default); es: tests/conversations_es, no staff checks"
STAFF = "staff"  # the folder of the tests saved from make shell (tests/conversations/staff/README.md)
FOLLOW_UP_KINDS = ("followup_ellipsis", "followup_reference", "missing_piece", "correction", "new_topic")


@dataclass(frozen=True)
class Turn:
    user: str
    expect: dict[str, Any]


@dataclass(frozen=True)
class Conversation:
    id: str
    tags: Sequence[str]
    turns: Sequence[Turn]
    path: str


@dataclass
class Outcome:
    conversation: Conversation
    passed: bool
    failures: list[str] = field(default_factory=list)
    replies: Sequence[Reply] = ()  # what the bot did for each turn


def load(folder: Path = FOLDER, *, staff: bool = False) -> list[Conversation]:
    """Every conversation of the YAML files under ``folder``, checked for form (``ValueError`` names the file).

    Args:
        folder: the test set's folder.
        staff: False for the independent set (every file but those of ``folder/staff``), True for the staff checks
            (the files of ``folder/staff``).
    """
    found: list[Conversation] = []
    ids = set()
    kb = knowledge()
    faq_ids = {a.id for a in kb.articles}
    paths = sorted((folder / STAFF).glob("*.yml")) if staff else sorted(folder.rglob("*.yml"))
    for path in paths:
        if not staff and path.relative_to(folder).parts[0] == STAFF:
            continue
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("conversations") or []:
            where = f"{path.relative_to(folder)}: {item.get('id')}"
            if item.get("id") in ids or not item.get("turns"):
                raise ValueError(f"{where}: missing or repeated id, or no turns")
            ids.add(item["id"])
            turns = [Turn(str(t["user"]), dict(t["expect"])) for t in item["turns"]]
            for turn in turns:
                kind = turn.expect.get("answer")
                if kind not in KINDS:
                    raise ValueError(f"{where}: unknown answer kind {kind!r}")
                for faq in as_list(turn.expect.get("faq")):
                    if faq not in faq_ids:
                        raise ValueError(f"{where}: unknown FAQ article {faq!r}")
            found.append(Conversation(item["id"], tuple(item.get("tags") or ()), tuple(turns), str(path)))
    return found


# -- the typo copy ----------------------------------------------------------------------------------------------------
_WORD = re.compile(r"(?<![\w@.-])[A-Za-z]{5,}(?![\w@.-])")


def typo(text: str, rng: random.Random) -> str:
    """One or two character edits in a third of the words of five letters or more; anything else untouched."""
    words = list(_WORD.finditer(text))
    chosen = sorted(rng.sample(words, k=round(len(words) / 3)), key=lambda m: m.start()) if words else []
    out, position = [], 0
    for match in chosen:
        word = list(match.group())
        for _ in range(rng.choice((1, 1, 2))):
            i = rng.randrange(1, len(word) - 1)  # keep the first letter, as people do
            edit = rng.choice(("swap", "drop", "double", "replace"))
            if edit == "swap":
                word[i], word[i + 1] = word[i + 1], word[i]
            elif edit == "drop":
                del word[i]
            elif edit == "double":
                word.insert(i, word[i])
            else:
                word[i] = rng.choice("aeiourstnl")
        out += [text[position : match.start()], "".join(word)]
        position = match.end()
    return "".join(out) + text[position:]


def typo_copy(conversations: Sequence[Conversation], seed: int = 2026) -> list[Conversation]:
    """The same conversations with typos in the user's messages (seeded: the same copy every time)."""
    copies = []
    for conversation in conversations:
        rng = random.Random(f"{seed}:{conversation.id}")
        turns = tuple(Turn(typo(t.user, rng), t.expect) for t in conversation.turns)
        copies.append(Conversation(conversation.id, conversation.tags, turns, conversation.path))
    return copies


# -- asking the bot ---------------------------------------------------------------------------------------------------
def _post(url: str, body: dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def _get(url: str, timeout: float = 60) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def ask(rasa_url: str, token: str, conversation: Conversation) -> list[Reply]:
    """Send the conversation's messages in a new conversation; return what the bot did for each."""
    sender = f"conv-{uuid.uuid4().hex[:12]}"
    texts = []
    for turn in conversation.turns:
        answers = _post(f"{rasa_url}/webhooks/rest/webhook", {"sender": sender, "message": turn.user})
        texts.append("\n".join(a.get("text") or "" for a in answers))
    events = _get(f"{rasa_url}/conversations/{sender}/tracker?include_events=ALL&token={token}")["events"]
    per_turn: list[list[str]] = []
    for event in events:
        if event.get("event") == "user":
            per_turn.append([])
        elif per_turn and event.get("event") == "action" and event.get("name") != "action_listen":
            per_turn[-1].append(event["name"])
        elif per_turn and event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action"):
            per_turn[-1].append(event["metadata"]["utter_action"])
    per_turn += [[] for _ in range(len(texts) - len(per_turn))]
    return [Reply(text, tuple(actions)) for text, actions in zip(texts, per_turn)]


def run(rasa_url: str, token: str, conversations: Sequence[Conversation], workers: int = 4) -> list[Outcome]:
    """Ask and judge every conversation, several at a time, each turn in the language it should be answered in
    (:func:`tests.conversations.judge.languages`: messages are sent plain, the bot reads their language itself).
    """
    kb = knowledge()

    def one(conversation: Conversation) -> Outcome:
        try:
            replies = ask(rasa_url, token, conversation)
        except Exception as exc:  # a server error is a failed conversation, with its reason
            return Outcome(conversation, False, [f"request failed: {exc}"])
        failures = []
        expected = languages(conversation.tags, [turn.user for turn in conversation.turns])
        for number, (turn, reply, lang) in enumerate(zip(conversation.turns, replies, expected), 1):
            problem = judge(kb, reply, turn.expect, lang)
            if problem:
                failures.append(
                    f"turn {number} {turn.user!r}: {problem}; got {reply.text[:160]!r} {list(reply.actions)}"
                )
        return Outcome(conversation, not failures, failures, replies)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, conversations))


def replies_of(outcomes: Sequence[Outcome]) -> dict[str, list[dict[str, Any]]]:
    """What the bot did for each turn of each conversation (``--replies``), by conversation id."""
    return {o.conversation.id: [{"text": r.text, "actions": list(r.actions)} for r in o.replies] for o in outcomes}


def summary(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Pass rate overall and by tag."""
    by_tag: dict[str, list[bool]] = {}
    for outcome in outcomes:
        for tag in outcome.conversation.tags:
            by_tag.setdefault(tag, []).append(outcome.passed)
    passed = sum(o.passed for o in outcomes)
    return {
        "pass_rate": round(passed / len(outcomes), 4) if outcomes else 0.0,
        "n": len(outcomes),
        "passed": passed,
        "multi_turn": sum(len(o.conversation.turns) > 1 for o in outcomes),
        "by_kind": {tag: {"pass_rate": round(sum(v) / len(v), 4), "n": len(v)} for tag, v in sorted(by_tag.items())},
    }


def report(
    clean: Sequence[Outcome],
    typos: Sequence[Outcome],
    out_dir: Path,
    staff: Optional[Sequence[Outcome]] = None,
    name: str = RESULTS["en"],
) -> dict[str, Any]:
    """Write ``<name>.json`` and ``<name>-failures.md`` to ``out_dir`` (``conversations.json``...); return the figures.

    ``staff``: the outcomes of the staff checks (``load(staff=True)``), reported apart from the independent set.
    ``name``: ``conversations`` for the English set, ``conversations_es`` for the Spanish one (``RESULTS``).
    """
    figures = {"clean": summary(clean), "typo": summary(typos)}
    figures["by_kind"] = {
        kind: figures["clean"]["by_kind"].get(kind, {"pass_rate": 0.0, "n": 0}) for kind in FOLLOW_UP_KINDS
    }
    parts: list[tuple[str, Sequence[Outcome]]] = [("clean", clean), ("typo", typos)]
    if staff is not None:
        figures["staff"] = {k: v for k, v in summary(staff).items() if k != "by_kind"}
        parts.append(("staff", staff))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    lines = ["# Failed conversations", ""]
    for part, outcomes in parts:
        lines += [f"## {part}", ""]
        for outcome in outcomes:
            if not outcome.passed:
                lines.append(f"- **{outcome.conversation.id}** ({Path(outcome.conversation.path).name})")
                lines += [f"  - {failure}" for failure in outcome.failures]
        lines.append("")
    (out_dir / f"{name}-failures.md").write_text("\n".join(lines), encoding="utf-8")
    return figures


def main(argv: Optional[list[str]] = None) -> int:
    """Start a stack, ask both sets, write the results, print the figures."""
    import argparse

    from bot.train import MODEL_PATH
    from tests.stack import conversation_stack

    parser = argparse.ArgumentParser(prog="python -m tests.conversations.runner", description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL_PATH, help="the trained model to ask (default: the bot's)")
    parser.add_argument("--out", type=Path, help="folder for the results (default: results/)")
    parser.add_argument("--staff", action="store_true", help="ask only the tests staff saved from make shell (staff/)")
    parser.add_argument("--set", choices=sorted(SETS), default="en", help=SET_HELP)
    parser.add_argument("--replies", type=Path, help="also write what the bot did for every turn to this JSON file")
    args = parser.parse_args(argv)
    from bot.settings import ROOT

    checks = load(staff=True) if args.set == "en" else None
    if args.staff and checks is not None:
        if not checks:
            print(f"no staff checks in {FOLDER / STAFF} yet: save one with /save in make shell")
            return 0
        with conversation_stack(args.model) as (rasa_url, token):
            outcomes = run(rasa_url, token, checks)
        for outcome in outcomes:
            print(f"{'pass' if outcome.passed else 'FAIL'} {outcome.conversation.id}")
            for failure in outcome.failures:
                print(f"  {failure}")
        print(json.dumps({k: v for k, v in summary(outcomes).items() if k != "by_kind"}))
        return 0 if all(o.passed for o in outcomes) else 1
    conversations = load(SETS[args.set])
    with conversation_stack(args.model) as (rasa_url, token):
        clean = run(rasa_url, token, conversations)
        typos = run(rasa_url, token, typo_copy(conversations))
        staff = run(rasa_url, token, checks) if checks is not None else None
    figures = report(clean, typos, args.out or ROOT / "results", staff, RESULTS[args.set])
    if args.replies:
        done = {"clean": clean, "typo": typos}
        args.replies.write_text(json.dumps({part: replies_of(outcomes) for part, outcomes in done.items()}) + "\n")
    print(
        json.dumps(
            {
                k: {kk: vv for kk, vv in v.items() if kk != "by_kind"} if k != "by_kind" else v
                for k, v in figures.items()
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
