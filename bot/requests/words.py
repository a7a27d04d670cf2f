"""The words of every language that answer a request form's question, as regular expressions for the readers.

English words are patterns in the code (:mod:`bot.requests.answers`, :mod:`bot.requests.choices`,
:mod:`bot.requests.times`, with the values in :mod:`bot.vocab`); the other languages' words are the ``answers`` of
``knowledge/<language>/words.yml`` (:mod:`bot.knowledge.answer_words`). An answer is read in every language, so a
Spanish word in a conversation still taken for English ("mensual") is understood, and each word gives the value the
English word gives: what is stored is the same whatever the language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from bot.knowledge import knowledge
from bot.knowledge.answer_words import alternation

NOTHING = r"(?!x)x"  # a pattern that finds nothing: no language has the words


def _whole(phrases: Iterable[str]) -> str:
    """A pattern (no groups) that finds any of ``phrases`` as whole words in lower-case text."""
    found = tuple(dict.fromkeys(phrases))
    return rf"(?<!\w)(?:{alternation(found)})(?!\w)" if found else NOTHING


def words(name: str) -> str:
    """A pattern that finds the other languages' words of list ``name`` (``affirm``, ``percent``...)."""
    return _whole(p for vocabulary in knowledge().vocabularies for p in vocabulary.answers.words.get(name, ()))


def values(choice: str) -> dict[str, tuple[str, ...]]:
    """The other languages' words for each value of ``choice`` (``role``: {``importer``: (``importador``, ...)})."""
    found: dict[str, tuple[str, ...]] = {}
    for vocabulary in knowledge().vocabularies:
        for value, phrases in vocabulary.answers.values.get(choice, {}).items():
            found[value] = (*found.get(value, ()), *phrases)
    return found


def choice_patterns(choice: str, english: Mapping[str, str]) -> dict[str, str]:
    """Each value of ``choice`` with the pattern that names it: its ``english`` pattern or another language's word,
    in the order of ``english`` (then the values only other languages name).
    """
    other = values(choice)
    return {
        value: "|".join(p for p in (english.get(value), _whole(other.get(value, ()))) if p and p != NOTHING) or NOTHING
        for value in dict.fromkeys((*english, *other))
    }


def said_alone(name: str, english: str, text: str) -> bool:
    """Whether ``text`` is nothing but one word of ``english`` (a pattern) or of list ``name`` ("sí", "claro")."""
    return bool(re.fullmatch(rf"\W*(?:{english}|{words(name)})\W*", " ".join(text.lower().split())))
