"""The reading of answers that choose one of a few values: a change of Center's reason, the role, the company's
size, how often to call. Pure functions like :mod:`bot.requests.answers`: text and the button's choice in, the value
stored out (the same in every language, :mod:`bot.vocab`), or :class:`~bot.requests.answers.Invalid`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Optional

from bot.ior import mask_text
from bot.requests.answers import Invalid, fold, is_filler
from bot.requests.words import choice_patterns
from bot.vocab import (
    CADENCE_PATTERNS,
    CADENCES,
    REASON_PATTERNS,
    REASONS,
    ROLE_PATTERNS,
    ROLES,
    SIZE_PATTERNS,
    SIZES,
)


def _named(text: str, choice: str, english: Mapping[str, str]) -> list[str]:
    """The values of ``choice`` that the words of ``text`` name, in the order of ``english``'s patterns."""
    lower = fold(text).lower()
    return [value for value, pattern in choice_patterns(choice, english).items() if re.search(pattern, lower)]


def parse_reason(text: str, choice: Optional[str]) -> tuple[str, Optional[str]]:
    """``(reason, detail)``: a button choice, the reason's words, or a sentence (then "other" with that sentence)."""
    words = fold(text)
    if choice in REASONS:
        return choice, None
    if is_filler(words):
        raise Invalid("utter_invalid_reason")
    patterns = choice_patterns("reason", REASON_PATTERNS)
    first_word = re.compile(rf"^\W*(?:{patterns['other']})", re.I)  # "other" counts only as the first word
    named = [r for r in _named(words, "reason", REASON_PATTERNS) if r != "other"]
    reason = named[0] if named else ("other" if first_word.search(words.lower()) else None)
    long_enough = len(words.split()) >= 3 and len(re.findall(r"[^\W\d_]", words)) >= 12
    if reason is None:
        if not long_enough:
            raise Invalid("utter_invalid_reason")
        return "other", mask_text(words)
    detail = first_word.sub("", words).lstrip(" :,.;-") if reason == "other" else words
    return reason, (mask_text(detail) if len(detail.split()) >= 3 and len(words.split()) > 4 else None)


def _one_named(text: str, choice: Optional[str], name: str, allowed: Sequence[str], english: Mapping[str, str]) -> str:
    """The button's ``choice`` if allowed, else the one value of list ``name`` that the words name.

    Raises:
        Invalid: ``utter_invalid_<name>`` when no value or several are named.
    """
    if choice in allowed:
        return str(choice)
    found = _named(text, name, english)
    if len(found) != 1:
        raise Invalid(f"utter_invalid_{name}")
    return found[0]


def parse_role(text: str, choice: Optional[str]) -> str:
    """``importer`` or ``broker``: the button's choice, else the one role the words name.

    Raises:
        Invalid: ``utter_invalid_role`` when no role or both are named.
    """
    return _one_named(text, choice, "role", ROLES, ROLE_PATTERNS)


def parse_size(text: str, choice: Optional[str]) -> str:
    """``small``, ``mid`` or ``large``: the button's choice, else the one size the words name.

    Raises:
        Invalid: ``utter_invalid_size`` when no size or several are named.
    """
    return _one_named(text, choice, "size", SIZES, SIZE_PATTERNS)


def parse_cadence(text: str, choice: Optional[str]) -> str:
    """``monthly`` or ``quarterly``: the button's choice, else the words (``every three months``, ``trimestral``);
    quarterly words win ("every three months" also says "months").

    Raises:
        Invalid: ``utter_invalid_cadence`` otherwise.
    """
    if choice in CADENCES:
        return choice
    found = _named(text, "cadence", CADENCE_PATTERNS)
    if not found:
        raise Invalid("utter_invalid_cadence")
    return found[0]
