"""Why the bot gave an answer, and that exchange as a conversation test: the two staff commands of ``make shell``.

Pure functions over a tracker as Rasa's HTTP API gives it (``tracker.current_state(EventVerbosity.ALL)``: a dict with
``events`` and ``slots``), used by :mod:`bot.staff_console`:

* :func:`explain` writes ``/why``: the intent and its confidence, the next three intents, the FAQ article with its
  source (when the answer was one), the responses and actions that answered, the entities and the slots that are set;
* :func:`build_test` turns the conversation into a test in the format of ``tests/conversations/README.md``: each
  user turn with an ``expect`` read from what Rasa did (the action, the FAQ response, the context slots ``ctx_*`` the
  answer set), checked against the reply by the runner's own judge (``tests.conversations.runner.judge``) so that a
  saved test passes on the answer it was saved from;
* :func:`append_test` appends it to the staff file (``tests/conversations/staff/saved.yml`` by default) and
  :func:`new_id` gives it an id no other conversation has.

Social Security-format numbers are masked (:func:`bot.ior.mask_text`) in everything shown. A conversation that holds
one is saved only when every such number is a fictional one of ``knowledge/sample/importers.csv``, with a
``not_says`` check that the reply never shows it in full.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from rasa.nlu.constants import RESPONSE_SELECTOR_UTTER_ACTION_KEY as UTTER_ACTION  # a bot event's response

from bot.ior import IOR_IN_TEXT, IorKind, mask_text, try_parse_ior
from bot.knowledge import Knowledge, knowledge
from bot.settings import ROOT

STAFF_FOLDER = ROOT / "tests" / "conversations" / "staff"
STAFF_FILE = STAFF_FOLDER / "saved.yml"
SAMPLE_IMPORTERS = ROOT / "knowledge" / "sample" / "importers.csv"
ALTERNATIVES = 3  # intents shown after the chosen one
HIDDEN_SLOTS = ("session_started_metadata", "requested_slot")  # Rasa's bookkeeping, not the bot's memory

FORMS = {  # the runner's answer kinds for the guided requests (tests/conversations/judge.py FORMS)
    "change_center_form": "form_change_center",
    "outreach_call_form": "form_outreach_call",
    "site_visit_form": "form_site_visit",
}
SIMPLE = (  # an action or response that alone names the answer kind, in the runner's order of precedence
    ("cancelled", ("utter_cancelled", "action_cancel_request", "utter_request_cancelled")),
    ("request_status", ("action_request_status", "request_status_form")),
    ("fallback", ("action_two_stage_fallback", "action_default_fallback", "utter_default", "utter_ask_rephrase")),
    ("greet", ("utter_greet",)),
    ("goodbye", ("utter_goodbye",)),
    ("thanks", ("utter_you_are_welcome",)),
    ("help", ("utter_help",)),
    ("handoff", ("utter_handoff",)),
    ("out_of_scope", ("utter_out_of_scope",)),
    ("list_centers", ("action_list_centers",)),
)
TOPIC_TAGS = {  # the README's topic tag of each answer kind
    "faq": "faq",
    "smalltalk": "smalltalk",
    "list_centers": "centers",
    "center_info": "centers",
    "center_contact": "centers",
    "product_center": "product",
    "ask_product": "product",
    "importer_center": "importer",
    "ask_importer_number": "importer",
    "ior_format_error": "importer",
    "figure": "figures",
    "ranking": "figures",
    "total": "figures",
    "trend": "figures",
    "compare": "figures",
    "ask_center": "figures",
    "ask_metric": "figures",
    "form_change_center": "forms",
    "form_outreach_call": "forms",
    "form_site_visit": "forms",
    "cancelled": "forms",
    "request_status": "status",
}

Judge = Callable[[dict[str, Any], str, Sequence[str]], Optional[str]]  # (expect, reply text, actions) -> problem


class NotSaved(Exception):
    """The conversation cannot be saved as a test; the message says why, for staff."""


# -- the turns of a conversation --------------------------------------------------------------------------------------
@dataclass
class Turn:
    """One user message and what Rasa did until the next one (events as Rasa's HTTP API gives them)."""

    user: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The message as the user typed it."""
        return str(self.user.get("text") or "")

    @property
    def parse(self) -> dict[str, Any]:
        """How the NLU read the message (intent, ranking, entities, response selector)."""
        parse = self.user.get("parse_data")
        return parse if isinstance(parse, dict) else {}

    @property
    def actions(self) -> list[str]:
        """The actions run and the responses sent, as the runner counts them (``action_listen`` left out)."""
        names = []
        for event in self.events:
            if event.get("event") == "action" and event.get("name") != "action_listen":
                names.append(str(event["name"]))
            elif event.get("event") == "bot" and (event.get("metadata") or {}).get(UTTER_ACTION):
                names.append(str(event["metadata"][UTTER_ACTION]))
        return names

    @property
    def responses(self) -> list[str]:
        """The responses of ``knowledge/`` that answered (``utter_faq/change_how``, ``utter_greet``)."""
        return [
            str(e["metadata"][UTTER_ACTION])
            for e in self.events
            if e.get("event") == "bot" and (e.get("metadata") or {}).get(UTTER_ACTION)
        ]

    @property
    def slots_set(self) -> dict[str, Any]:
        """The slots this turn set, with their last value."""
        return {str(e["name"]): e.get("value") for e in self.events if e.get("event") == "slot" and e.get("name")}


def conversation(events: Iterable[dict[str, Any]]) -> list[Turn]:
    """The turns since the conversation began or was last restarted (``/restart``); a message that Rasa took back
    (``rewind``, the two-stage fallback) stays a turn of its own, as the runner counts it.
    """
    turns: list[Turn] = []
    for event in events:
        kind = event.get("event")
        if kind == "restart":
            turns = []
        elif kind == "user":
            turns.append(Turn(event))
        elif turns:
            turns[-1].events.append(event)
    return turns


# -- /why -------------------------------------------------------------------------------------------------------------
def _confidence(value: Any) -> str:
    try:
        return f"{float(value):.2f}"
    except (TypeError, ValueError):
        return "?"


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def faq_answer(turn: Turn) -> Optional[str]:
    """The retrieval intent of the FAQ or small-talk article that answered (``faq/change_how``), if one did."""
    for response in turn.responses:
        if response.startswith(("utter_faq/", "utter_chitchat/")):
            return response[len("utter_") :]
    return None


def selector_pick(turn: Turn) -> Optional[tuple[str, float]]:
    """The response selector's pick for the message's retrieval intent (``faq/change_how``, confidence), if any."""
    selector = turn.parse.get("response_selector") or {}
    intent = str((turn.parse.get("intent") or {}).get("name") or "")
    for key in (intent, "faq", "chitchat"):
        response = (selector.get(key) or {}).get("response") or {}
        if response.get("intent_response_key"):
            return str(response["intent_response_key"]), float(response.get("confidence") or 0.0)
    return None


def explain(state: dict[str, Any], kb: Optional[Knowledge] = None) -> list[str]:
    """The lines of ``/why`` for the latest answer of ``state`` (a tracker); [] when nobody has asked anything yet."""
    turns = conversation(state.get("events") or [])
    if not turns:
        return []
    kb = kb or knowledge()
    turn = turns[-1]
    parse = turn.parse
    intent = parse.get("intent") or {}
    name = str(intent.get("name") or "none")
    lines = [f'Why this answer to "{turn.text}" (turn {len(turns)}):']
    shown = f"{name} {_confidence(intent.get('confidence'))}"
    before = parse.get("intent_before_context")
    before_name = before.get("name") if isinstance(before, dict) else before
    if before_name and before_name != name:
        shown += f" (read with the turn before; the message alone: {before_name})"
    lines.append(f"  intent        {shown}")
    others = [r for r in parse.get("intent_ranking") or [] if r.get("name") != name][:ALTERNATIVES]
    lines.append(
        "  alternatives  "
        + (", ".join(f"{r.get('name')} {_confidence(r.get('confidence'))}" for r in others) or "none")
    )
    normalised = parse.get("text_normalised")
    if normalised and normalised != turn.text:
        lines.append(f'  read as       "{normalised}" (spelling corrected)')
    answered = faq_answer(turn)
    pick = selector_pick(turn)
    if answered:
        article = kb.article(answered)
        confidence = f", selector {pick[1]:.2f}" if pick and pick[0] == answered else ""
        if article:
            lines.append(f"  FAQ article   {article.id}: {article.title} ({article.group}{confidence})")
            lines.append(f"  source        {article.source or 'none'}")
        else:
            lines.append(f"  FAQ article   {answered} (no longer in knowledge/{confidence})")
    elif pick:
        lines.append(f"  FAQ article   none used (the selector's pick was {pick[0]}, {pick[1]:.2f})")
    else:
        lines.append("  FAQ article   none (not an FAQ answer)")
    actions = [a for a in turn.actions if "/" not in a]
    lines.append(f"  responses     {', '.join(turn.responses) or 'none from knowledge/replies (written by an action)'}")
    lines.append(f"  actions       {', '.join(actions) or 'none'}")
    entities = parse.get("entities") or []
    lines.append(
        "  entities      " + (", ".join(f"{e.get('entity')}={_value(e.get('value'))}" for e in entities) or "none")
    )
    changed = turn.slots_set
    slots = {k: v for k, v in (state.get("slots") or {}).items() if v is not None and k not in HIDDEN_SLOTS}
    lines.append(
        "  slots         "
        + (", ".join(f"{k}={_value(v)}{'*' if k in changed else ''}" for k, v in slots.items()) or "none set")
    )
    if any(k in changed for k in slots):
        lines.append("                (* set by this answer)")
    return [mask_text(line) for line in lines]


# -- /save: what the runner should expect -----------------------------------------------------------------------------
def _codes(value: Any) -> list[str]:
    return [code for code in str(value or "").split(",") if code]


def candidates(turn: Turn) -> list[dict[str, Any]]:
    """The expectations that describe what the bot did in ``turn``, the likeliest first (read from Rasa's events)."""
    found: list[dict[str, Any]] = []
    actions = turn.actions
    answered = faq_answer(turn)
    if answered:
        intent, article = answered.split("/", 1)
        found.append({"answer": "faq" if intent == "faq" else "smalltalk", "faq": article})
    found += [{"answer": kind} for form, kind in FORMS.items() if form in actions]
    found += [{"answer": kind} for kind, names in SIMPLE if any(n in actions for n in names)]
    slots = turn.slots_set
    topic, awaiting = slots.get("ctx_topic"), slots.get("ctx_awaiting")
    centers, metric = _codes(slots.get("ctx_center")), slots.get("ctx_metric")

    def with_(kind: str, center: bool = False, need_metric: bool = False) -> None:
        expect: dict[str, Any] = {"answer": kind}
        if center and centers:
            expect["center"] = centers[0]
        if need_metric and metric:
            expect["metric"] = metric
        found.append(expect)

    if awaiting == "center":
        with_("ask_center")
    elif awaiting == "metric":
        with_("ask_metric")
    elif awaiting == "product":
        with_("ask_product")
    if topic == "figure" and len(centers) > 1:
        found.append({"answer": "compare", "centers": centers, "metric": metric})
    if topic in ("figure", "trend"):
        with_(str(topic), center=True, need_metric=True)
    if topic in ("figure", "ranking"):
        with_("ranking", need_metric=True)
        with_("figure", need_metric=True)  # a figure for every Center
    if topic == "total":
        with_("total", need_metric=True)
    if topic in ("center_info", "center_contact"):
        with_(str(topic), center=True)
    if topic == "product":
        with_("product_center", center=True)
        with_("product_center")
    if topic == "importer" or any(a in actions for a in ("action_center_for_importer", "importer_lookup_form")):
        with_("importer_center", center=True)
        with_("importer_center")
        with_("ior_format_error")
        with_("ask_importer_number")
    unique: list[dict[str, Any]] = []
    for expect in found:
        if expect not in unique:
            unique.append(expect)
    return unique


def expectation(turn: Turn, reply: str, judge: Optional[Judge]) -> tuple[dict[str, Any], bool]:
    """The ``expect`` of ``turn`` and whether the runner's ``judge`` accepts it for ``reply`` (False when no judge).

    The first candidate the judge accepts; when none is accepted (or there is no judge), the likeliest one.
    """
    options = candidates(turn) or [{"answer": "fallback"}]
    not_says = sample_numbers(turn.text)
    if not_says:
        options = [{**o, "not_says": not_says} for o in options]
    if judge is not None:
        for expect in options:
            if judge(expect, reply, turn.actions) is None:
                return expect, True
    return options[0], False


# -- Social Security-format numbers -----------------------------------------------------------------------------------
def _sample_keys() -> set[str]:
    with SAMPLE_IMPORTERS.open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return {str(row.get("ior_number") or "").replace("-", "").upper() for row in rows}


def sample_numbers(text: str) -> list[str]:
    """The Social Security-format numbers of ``text`` as typed (sample ones: see :func:`check_numbers`)."""
    found = []
    for match in IOR_IN_TEXT.finditer(text):
        parsed = try_parse_ior(match.group(0))
        if parsed and parsed.kind is IorKind.SSN:
            found.append(match.group(0))
    return found


def check_numbers(texts: Iterable[str]) -> None:
    """Raise :class:`NotSaved` when a message holds a Social Security-format number that is not fictional sample data.

    A test is a file in the repository: a real person's number must never be written to it.
    """
    keys: Optional[set[str]] = None
    for text in texts:
        if mask_text(text) == text:
            continue
        numbers = sample_numbers(text)
        keys = _sample_keys() if keys is None else keys
        masked_all = mask_text(text).count("***-**-")
        if len(numbers) != masked_all or any(n.replace("-", "") not in keys for n in numbers):
            raise NotSaved(
                f'"{mask_text(text)}" holds a Social Security-format number that is not in the fictional sample data '
                f"(knowledge/sample/importers.csv). Tests are kept in the repository, so they use sample numbers only: "
                f"type /restart and ask again with a sample number such as 123-45-6789."
            )


# -- the test and its file --------------------------------------------------------------------------------------------
def slug(text: str, words: int = 6) -> str:
    """Lowercase words, digits and dashes, at most ``words`` words (``"Where's the Machinery Center?"`` →
    ``wheres-the-machinery-center``); numbers that may be personal are left out.
    """
    clean = re.sub(r"'", "", mask_text(text).lower())
    parts = [p for p in re.split(r"[^a-z0-9]+", clean) if p and not p.isdigit()]
    return "-".join(parts[:words])


def new_id(name: str, taken: set[str]) -> str:
    """``staff-<name>-NN``, the first number not in ``taken`` (ids are unique across every conversation file)."""
    base = "staff-" + (slug(name) or "conversation")
    for number in range(1, 10_000):
        candidate = f"{base}-{number:02d}"
        if candidate not in taken:
            return candidate
    raise NotSaved(f"too many tests named {base}; give /save another name")


@dataclass(frozen=True)
class Exchange:
    """A message the console sent and the text of what came back (the reply texts joined, as the runner reads it)."""

    user: str
    reply: str


def build_test(
    test_id: str,
    exchanges: Sequence[Exchange],
    turns: Sequence[Turn],
    judge: Optional[Judge],
    now: Optional[dt.datetime] = None,
) -> tuple[dict[str, Any], list[str]]:
    """The conversation test for ``exchanges`` (what the console sent and got) with ``turns`` (Rasa's events, as
    the runner pairs them: the n-th reply with the n-th user event), and warnings for staff.

    Raises:
        NotSaved: nothing was said, or a message holds a Social Security-format number that is not sample data.
    """
    if not exchanges:
        raise NotSaved("there is nothing to save yet: ask the bot something first.")
    check_numbers(e.user for e in exchanges)
    warnings: list[str] = []
    test_turns: list[dict[str, Any]] = []
    for number, exchange in enumerate(exchanges, 1):
        turn = turns[number - 1] if number <= len(turns) else Turn({"text": exchange.user})
        expect, confirmed = expectation(turn, exchange.reply, judge)
        test_turns.append({"user": exchange.user, "expect": expect})
        if judge is None:
            continue
        if not confirmed:
            warnings.append(
                f"turn {number}: the runner would not count this answer as {expect['answer']}; "
                "check that turn's expect in the file"
            )
    kinds = [t["expect"]["answer"] for t in test_turns]
    tags = ["staff", *dict.fromkeys(TOPIC_TAGS.get(kind, "basics") for kind in kinds)]
    if len(test_turns) > 1:
        tags.append("multi_turn")
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime("%Y-%m-%dT%H:%MZ")
    return {"id": test_id, "tags": tags, "saved": f"{stamp} from make shell", "turns": test_turns}, warnings


HEADER = """\
# Conversation tests saved by CBP staff from `make shell` (/save): checks of answers, NOT training data.
# Never copy a sentence from here into bot/data/. Format: tests/conversations/README.md; more: README.md here.
conversations:
"""


def append_test(path: Path, test: dict[str, Any]) -> None:
    """Append ``test`` to the staff file ``path`` (created with its header when missing), keeping what is there.

    Raises:
        NotSaved: the file could not be written, or is not a conversation file (it is left as it was).
    """
    item = yaml.safe_dump([test], sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
    block = "".join(f"  {line}\n" if line else "\n" for line in item.splitlines())
    try:
        before = path.read_text(encoding="utf-8") if path.exists() else None
        text = (before if before is not None else HEADER).rstrip("\n") + "\n" + block
        loaded = yaml.safe_load(text) or {}
        if not any(c.get("id") == test["id"] for c in loaded.get("conversations") or []):
            raise NotSaved(f"{path} is not a conversation file (its last line should be in `conversations:`)")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except (OSError, yaml.YAMLError, AttributeError) as exc:
        raise NotSaved(f"{path} could not be written: {exc}") from exc


def ids_in(paths: Iterable[Path]) -> set[str]:
    """Every conversation id in the YAML files ``paths`` (unreadable files count as none)."""
    ids: set[str] = set()
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        ids |= {str(c.get("id")) for c in (data.get("conversations") or []) if isinstance(c, dict)}
    return ids
