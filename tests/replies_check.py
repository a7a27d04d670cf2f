"""The check that every sentence a user sees lives in ``knowledge/replies/`` (issue 17), used by
``tests/test_replies_catalogue.py``. It finds

* places where Python under ``bot/`` passes an English literal or f-string as user text (``utter_message(text=...)``,
  ``send_text_message(..., ...)``), or a module that talks to users holds a string literal (or the literal part of
  an f-string) with a word next to a space, that is a sentence or a piece of one ("Which Center?", " or ",
  f"chapter {n}"), outside docstrings, log calls, exceptions and regular expressions;
* reply keys used in code (``render("utter_x")``, ``say(..., "utter_x")``, ``Invalid("utter_x")``) that are missing from
  ``knowledge/replies/``;
* replies in ``knowledge/replies/`` used nowhere: not in code (keys built with an f-string such as
  ``f"utter_{kind.prefix}_intro"`` count for every key they can make), not in ``bot/data`` or ``bot/domain``, not a
  form's ``utter_ask_<form>_<slot>`` question and not one of the replies Rasa itself sends.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from re import Pattern
from typing import Optional

import yaml

# The modules whose strings reach users: every string literal with a word next to a space there is checked.
USER_FACING = (
    "actions/*.py",
    "requests/*.py",
    "channels/*.py",
    "patches/safety.py",
    "patches/console.py",
    "replies.py",
    "runtime/rasa_cli.py",
    "ior.py",
)
# Words in Python that are not sentences for users, each with why (keep these lists tiny): tables of data by name,
# and single strings, each in its file (relative to bot/).
ALLOWED_TABLES = {
    # US state and territory names (bot/requests/places.py): data that parsing and the site shown share, not
    # sentences; issue 17 item 4 moves the vocabulary to one place.
    "US_STATES",
    "_STATE_BY_NAME",
}
_SLACK_ACKNOWLEDGEMENTS = (  # HTTP bodies that Slack's Events API reads; nobody sees them in a conversation
    "Bot message delivered.",
    "channel not supported.",
    "The input message could not be processed.",
    "User clicked link button",
    "Invalid JSON.",
    "Invalid event.",
    "Message is not properly signed with a valid X-Slack-Signature header",
)
_STAFF_PAGE_HTTP = (  # the staff report page's HTTP errors and headers, for CBP staff's tools, not a conversation
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'",
    "not found",
    "this page needs the API token",
    "wrong token",
    "days must be a whole number from 1 to ",
    'attachment; filename=".csv"',
    "text/csv; charset=utf-8",
    "no such table or chart in this report",
)
ALLOWED = {
    *(("channels/slack.py", text) for text in _SLACK_ACKNOWLEDGEMENTS),
    *(("channels/staff.py", text) for text in _STAFF_PAGE_HTTP),
    # "chapter 3" found in a message, in the form bot.knowledge.normalise_hts reads (not a sentence)
    ("actions/lookup.py", "chapter "),
}
# Replies that Rasa sends by itself (its fallback actions), so no file of the project names them.
SENT_BY_RASA = {"utter_default", "utter_ask_rephrase"}
_WORDS = re.compile(r"[A-Za-z]{2,}\s|\s[A-Za-z]{2,}")  # a word next to a space: identifiers and keys have none
_KEY = re.compile(r"^utter_[\w/]+$")
_PATTERN = re.compile(r"\\b|\|")  # a regular expression kept in a table (word boundaries or alternatives)
_LOGGING = {"debug", "info", "warning", "error", "exception", "critical", "log", "raise_warning", "warn"}
_REGEX = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}


def _english(node: Optional[ast.AST]) -> bool:
    """True when ``node`` holds a string literal or an f-string with a letter (English for a user); the key of a
    subscript (``message["text"]``) and reply keys are not, nor markdown around a value (``f"**{name}**"``)."""
    keys = {id(n.slice) for n in ast.walk(node) if isinstance(n, ast.Subscript)} if node is not None else set()
    for child in ast.walk(node) if node is not None else ():
        if (
            isinstance(child, ast.Constant)
            and isinstance(child.value, str)
            and re.search(r"[A-Za-z]", child.value)
            and not _KEY.match(child.value)
            and id(child) not in keys
        ):
            return True
    return False


def _call_name(node: ast.Call) -> str:
    """The name of the function or method called: ``utter_message`` for ``dispatcher.utter_message(...)``."""
    return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")


def _carries_reply(node: ast.AST) -> bool:
    """True for an exception built with a reply key, such as ``Invalid("utter_invalid_email")``."""
    first = node.args[0] if isinstance(node, ast.Call) and node.args else None
    return isinstance(first, ast.Constant) and isinstance(first.value, str) and bool(_KEY.match(first.value))


def _target_names(node: ast.AST) -> set[str]:
    """The plain names an assignment assigns to."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
    return {t.id for t in targets if isinstance(t, ast.Name)}


def _skipped(tree: ast.AST) -> set[int]:
    """The ids of string nodes that are not user text: docstrings, log calls, exceptions, regular expressions (as
    arguments of ``re`` functions, or as patterns with ``\\b`` or ``|``), type annotations and the allowed tables."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        inside: list[ast.AST] = []
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            inside = [node.value]  # a docstring, or a string on its own
        elif isinstance(node, ast.Raise) and node.exc is not None and not _carries_reply(node.exc):
            inside = [node.exc]  # an exception for developers (one with a reply key has its values checked)
        elif isinstance(node, ast.Call) and _call_name(node) in _LOGGING | _REGEX:
            inside = [*node.args, *(k.value for k in node.keywords)]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and _target_names(node) & ALLOWED_TABLES:
            inside = [node.value] if node.value is not None else []
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            inside = [*node.args] if isinstance(owner, ast.Name) and owner.id in ALLOWED_TABLES else []
        if isinstance(node, (ast.AnnAssign, ast.arg)) and node.annotation is not None:
            inside.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            inside.append(node.returns)
        for part in inside:
            skipped.update(id(child) for child in ast.walk(part))
    return skipped


def scan_file(path: Path, user_facing: bool, name: str = "") -> list[str]:
    """Every place in one file that builds user text from English in Python, as ``file:line: what``.

    Args:
        path: the file.
        user_facing: check every string literal too, not only the text of messages sent.
        name: the file relative to ``bot/``, for the allow-list.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node) == "utter_message":
            text = next((k.value for k in node.keywords if k.arg == "text"), node.args[0] if node.args else None)
            if _english(text):
                found.append(f"{path}:{node.lineno}: utter_message with English text")
        elif (
            isinstance(node, ast.Call)
            and _call_name(node) == "send_text_message"
            and any(_english(a) for a in [*node.args[1:], *(k.value for k in node.keywords if k.arg == "text")])
        ):
            found.append(f"{path}:{node.lineno}: send_text_message with English text")
    if user_facing:
        skipped = _skipped(tree)
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.JoinedStr):
                literal = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                skipped.update(id(v) for v in node.values)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                literal = node.value
            else:
                continue
            if _WORDS.search(literal) and (name, literal) not in ALLOWED and not _PATTERN.search(literal):
                found.append(f"{path}:{node.lineno}: {literal[:60]!r}")
    return sorted(set(found), key=lambda f: (f.split(":")[0], int(f.split(":")[1])))


def _python(bot: Path) -> Iterator[Path]:
    """The Python files of the package (not the build outputs in ``bot/models``)."""
    return (p for p in sorted(bot.rglob("*.py")) if "models" not in p.relative_to(bot).parts)


def scan_tree(bot: Path) -> list[str]:
    """Every place under ``bot`` that builds user text from English in Python."""
    facing = {p for pattern in USER_FACING for p in bot.glob(pattern)}
    return [f for path in _python(bot) for f in scan_file(path, path in facing, path.relative_to(bot).as_posix())]


def _keys_in_code(bot: Path) -> tuple[set[str], list[Pattern[str]]]:
    """The reply keys that code names: literal keys, and patterns for keys built with an f-string."""
    literal: set[str] = set()
    patterns: list[Pattern[str]] = []
    for path in _python(bot):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        not_keys = {id(n) for d in ast.walk(tree) if isinstance(d, ast.Dict) for n in d.keys if n is not None}
        not_keys |= {id(v) for f in ast.walk(tree) if isinstance(f, ast.JoinedStr) for v in f.values}
        for node in ast.walk(tree):
            if id(node) in not_keys and not isinstance(node, ast.JoinedStr):
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _KEY.match(node.value):
                literal.add(node.value)
            elif (
                isinstance(node, ast.JoinedStr)
                and isinstance(node.values[0], ast.Constant)
                and str(node.values[0].value).startswith("utter_")
            ):
                parts = [re.escape(v.value) if isinstance(v, ast.Constant) else r"\w+" for v in node.values]
                patterns.append(re.compile("".join(parts)))
    return literal, patterns


def missing_keys(bot: Path, catalogue: set[str]) -> list[str]:
    """Reply keys named in code that ``knowledge/replies/`` does not define (FAQ and small-talk keys excepted)."""
    literal, _ = _keys_in_code(bot)
    return sorted(
        k for k in literal if k not in catalogue and "/" not in k and k not in ("utter_faq", "utter_chitchat")
    )


def _keys_in_yaml(bot: Path) -> set[str]:
    """Reply keys named in training stories and rules and in the domain, with the forms' questions."""
    keys: set[str] = set()
    for path in [*sorted((bot / "data").glob("*.yml")), *sorted((bot / "domain").glob("*.yml"))]:
        text = path.read_text(encoding="utf-8")
        keys.update(re.findall(r"\butter_\w+", text))
        forms = (yaml.safe_load(text) or {}).get("forms") or {} if path.parent.name == "domain" else {}
        for form, spec in forms.items():
            keys.update(f"utter_ask_{form}_{slot}" for slot in (spec or {}).get("required_slots") or [])
    return keys


def unused_keys(bot: Path, catalogue: set[str]) -> list[str]:
    """Replies of ``knowledge/replies/`` that nothing sends."""
    literal, patterns = _keys_in_code(bot)
    used = literal | _keys_in_yaml(bot) | SENT_BY_RASA
    return sorted(k for k in catalogue if k not in used and not any(p.fullmatch(k) for p in patterns))
