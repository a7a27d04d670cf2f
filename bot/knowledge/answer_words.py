"""Another language's words for the answers of the request forms: the ``answers`` of ``knowledge/<language>/words.yml``.

The lists are named in :data:`bot.vocab.ANSWER_WORDS` (yes, no, not sure, ...) and :data:`bot.vocab.ANSWER_VALUES`
(the words for each value of a choice: ``role: {importer: [importador]}``). A word stands for the value stored for
the English answer, so what is stored is the same in every language. Every phrase is kept as written and without
accents (:func:`bot.knowledge.phrases.forms`); a common English word is allowed ("no", "broker"): these words are
read only as answers to a form's question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.knowledge.files import KnowledgeError
from bot.knowledge.phrases import phrase_list
from bot.vocab import ANSWER_VALUES, ANSWER_WORDS


@dataclass(frozen=True)
class AnswerWords:
    """One language's answer words: ``words`` by list name, ``values`` by choice and value."""

    words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    values: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)


def alternation(phrases: tuple[str, ...]) -> str:
    """A regular expression (no groups) that finds any of ``phrases`` as whole words, the longest first."""
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


def load_answer_words(path: Path, data: Any) -> AnswerWords:
    """The ``answers`` mapping of ``words.yml`` (``data``; None when there is none).

    Raises:
        KnowledgeError: an unknown list or value, a list that is no list of words, a word of two values.
    """
    if data is None:
        return AnswerWords()
    if not isinstance(data, dict):
        raise KnowledgeError(path, None, "answers must be a mapping of word lists")
    words: dict[str, tuple[str, ...]] = {}
    values: dict[str, dict[str, tuple[str, ...]]] = {}
    line = data.get("__line__")
    for name, value in data.items():
        if name == "__line__":
            continue
        if name in ANSWER_WORDS:
            words[name] = phrase_list(path, line, value, f"answers: '{name}'", alone=False)
        elif name in ANSWER_VALUES and isinstance(value, dict):
            values[name] = _choice(path, name, value)
        else:
            known = ", ".join((*ANSWER_WORDS, *ANSWER_VALUES))
            raise KnowledgeError(path, line, f"answers: '{name}' is not one of {known} (choices map values to words)")
    return AnswerWords(words, values)


def _choice(path: Path, name: str, value: dict[Any, Any]) -> dict[str, tuple[str, ...]]:
    """The words of each value of one choice; a word may name one value only."""
    line = value.get("__line__")
    found: dict[str, tuple[str, ...]] = {}
    owner: dict[str, str] = {}
    for key, phrases in value.items():
        if key == "__line__":
            continue
        if str(key) not in ANSWER_VALUES[name]:
            allowed = ", ".join(ANSWER_VALUES[name])
            raise KnowledgeError(path, line, f"answers: {name}: '{key}' is not one of {allowed}")
        found[str(key)] = phrase_list(path, line, phrases, f"answers: {name}: '{key}'", alone=False)
        for phrase in found[str(key)]:
            if owner.setdefault(phrase, str(key)) != str(key):
                raise KnowledgeError(path, line, f"answers: {name}: '{phrase}' names {owner[phrase]} and {key}")
    return found
