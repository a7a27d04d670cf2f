"""The conversation test set: load it, make its typo copy, ask it against the real REST server, judge every turn.

``python -m tests.conversations.runner`` starts its own stack (action server, Rasa with the HTTP API behind a token,
a fresh sample database), asks every conversation of ``tests/conversations/**/*.yml`` clean and with typos, and writes
``results/conversations.json`` and ``results/conversations-failures.md``. ``tests/e2e/test_conversations.py`` runs the
same and fails below the thresholds. The YAML format is in ``tests/conversations/README.md``.

The conversations CBP staff saved from ``make shell`` (``/save``, :mod:`bot.staff_console`) are in ``staff/``: checks,
not part of the independent set, so :func:`load` leaves them out and ``load(staff=True)`` reads them. The runner asks
them too (clean only) and reports them apart (``"staff"`` in the JSON); ``--staff`` asks only them.

A turn is judged on what the user gets (the reply's text) and on which action Rasa ran; a conversation passes when
every one of its turns does.
"""

from __future__ import annotations

import json
import random
import re
import sys
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml

from bot import replies
from bot.knowledge import Knowledge, knowledge
from bot.vocab import METRICS, label_reply

FOLDER = Path(__file__).parent
STAFF = "staff"  # the folder of the tests saved from make shell (tests/conversations/staff/README.md)
METRIC_LABELS = {
    metric: replies.text(label_reply(metric)) for metric in METRICS
}  # "partner_accounts": "partner accounts"
FOLLOW_UP_KINDS = ("followup_ellipsis", "followup_reference", "missing_piece", "correction", "new_topic")
FORMS = {
    "form_change_center": "change_center_form",
    "form_outreach_call": "outreach_call_form",
    "form_site_visit": "site_visit_form",
}
SIMPLE = {
    "greet": ("utter_greet",),
    "goodbye": ("utter_goodbye",),
    "thanks": ("utter_you_are_welcome",),
    "help": ("utter_help",),
    "handoff": ("utter_handoff",),
    "out_of_scope": ("utter_out_of_scope",),
    "list_centers": ("action_list_centers",),
    "request_status": ("action_request_status", "request_status_form"),
    "cancelled": ("utter_cancelled", "action_cancel_request", "utter_request_cancelled"),
    "fallback": ("action_two_stage_fallback", "action_default_fallback", "utter_default", "utter_ask_rephrase"),
}


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
                for faq in _as_list(turn.expect.get("faq")):
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


# -- judging ----------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reply:
    """What the bot did for one user message: its texts and the actions Rasa ran."""

    text: str
    actions: Sequence[str]


def _as_list(value: Any) -> list[str]:
    return [] if value is None else [str(v) for v in (value if isinstance(value, list) else [value])]


def _center_label(kb: Knowledge, code: str) -> str:
    return kb.center(code).label


def _has(text: str, *parts: str) -> bool:
    lower = text.lower()
    return all(part.lower() in lower for part in parts)


def _figure_ok(kb: Knowledge, reply: Reply, expect: dict[str, Any]) -> bool:
    metric = METRIC_LABELS.get(expect.get("metric", ""), "")
    if expect.get("center"):
        return _has(reply.text, _center_label(kb, expect["center"]), f"{metric}**")
    return _has(reply.text, metric) and ("had the most" in reply.text or "Which Center would you like" in reply.text)


KINDS: dict[str, Callable[[Knowledge, Reply, dict[str, Any]], bool]] = {
    "faq": lambda kb, r, e: any(_has(r.text, kb.article(f"faq/{a}").answer[:80]) for a in _as_list(e.get("faq"))),
    "smalltalk": lambda kb, r, e: any(
        _has(r.text, kb.article(f"chitchat/{a}").answer[:80]) for a in _as_list(e.get("faq"))
    ),
    "center_info": lambda kb, r, e: _has(r.text, _center_label(kb, e["center"]), "is managed from"),
    "center_contact": lambda kb, r, e: _has(r.text, _center_label(kb, e["center"]), "CEE Directory"),
    "product_center": lambda kb, r, e: (
        _has(r.text, f"handled by the {_center_label(kb, e['center'])}")
        if e.get("center")
        else any(_has(r.text, w) for w in ("has not published", "underlying goods"))
    ),
    "importer_center": lambda kb, r, e: (
        _has(r.text, f"is assigned to the {_center_label(kb, e['center'])}")
        if e.get("center")
        else _has(r.text, "couldn't find importer")
    ),
    "ask_importer_number": lambda kb, r, e: _has(r.text, "What is the importer of record number"),
    "ior_format_error": lambda kb, r, e: _has(r.text, "isn't an importer of record number", "YYDDPP-NNNNN"),
    "figure": _figure_ok,
    "ranking": lambda kb, r, e: (
        _has(r.text, METRIC_LABELS[e["metric"]]) and bool(re.search(r"had the (most|fewest)", r.text))
    ),
    "total": lambda kb, r, e: _has(r.text, "Across the", METRIC_LABELS[e["metric"]]),
    "trend": lambda kb, r, e: _has(
        r.text, "quarter by quarter", _center_label(kb, e["center"]), METRIC_LABELS[e["metric"]]
    ),
    "compare": lambda kb, r, e: _has(r.text, METRIC_LABELS[e["metric"]], *(_center_label(kb, c) for c in e["centers"])),
    "ask_center": lambda kb, r, e: _has(r.text, "Which Center"),
    "ask_metric": lambda kb, r, e: _has(r.text, "Which figure would you like"),
    "ask_product": lambda kb, r, e: _has(r.text, "Which product do you mean"),
    **{kind: (lambda kb, r, e, form=form: form in r.actions) for kind, form in FORMS.items()},
    **{kind: (lambda kb, r, e, names=names: any(n in r.actions for n in names)) for kind, names in SIMPLE.items()},
}


def judge(kb: Knowledge, reply: Reply, expect: dict[str, Any]) -> Optional[str]:
    """None when the reply is right; otherwise what is wrong with it."""
    kind = expect["answer"]
    try:
        right = KINDS[kind](kb, reply, expect)
    except KeyError as exc:
        return f"expectation for {kind} lacks {exc}"
    missing = [s for s in _as_list(expect.get("says")) if not _has(reply.text, s)]
    present = [s for s in _as_list(expect.get("not_says")) if s.lower() in reply.text.lower()]
    if right and not missing and not present:
        return None
    why = [] if right else [f"not a {kind} answer { ({k: v for k, v in expect.items() if k != 'answer'}) }"]
    why += [f"does not say {s!r}" for s in missing] + [f"says {s!r}" for s in present]
    return "; ".join(why)


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
    """Ask and judge every conversation, several at a time."""
    kb = knowledge()

    def one(conversation: Conversation) -> Outcome:
        try:
            replies = ask(rasa_url, token, conversation)
        except Exception as exc:  # a server error is a failed conversation, with its reason
            return Outcome(conversation, False, [f"request failed: {exc}"])
        failures = []
        for number, (turn, reply) in enumerate(zip(conversation.turns, replies), 1):
            problem = judge(kb, reply, turn.expect)
            if problem:
                failures.append(
                    f"turn {number} {turn.user!r}: {problem}; got {reply.text[:160]!r} {list(reply.actions)}"
                )
        return Outcome(conversation, not failures, failures)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, conversations))


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
    clean: Sequence[Outcome], typos: Sequence[Outcome], out_dir: Path, staff: Optional[Sequence[Outcome]] = None
) -> dict[str, Any]:
    """Write ``conversations.json`` and ``conversations-failures.md`` to ``out_dir``; return the figures.

    ``staff``: the outcomes of the staff checks (``load(staff=True)``), reported apart from the independent set.
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
    (out_dir / "conversations.json").write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    lines = ["# Failed conversations", ""]
    for name, outcomes in parts:
        lines += [f"## {name}", ""]
        for outcome in outcomes:
            if not outcome.passed:
                lines.append(f"- **{outcome.conversation.id}** ({Path(outcome.conversation.path).name})")
                lines += [f"  - {failure}" for failure in outcome.failures]
        lines.append("")
    (out_dir / "conversations-failures.md").write_text("\n".join(lines), encoding="utf-8")
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
    args = parser.parse_args(argv)
    from bot.settings import ROOT

    checks = load(staff=True)
    if args.staff:
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
    conversations = load()
    with conversation_stack(args.model) as (rasa_url, token):
        clean = run(rasa_url, token, conversations)
        typos = run(rasa_url, token, typo_copy(conversations))
        staff = run(rasa_url, token, checks)
    figures = report(clean, typos, args.out or ROOT / "results", staff)
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
