"""The checks of a language's word lists (``knowledge/<language>/words.yml`` and ``products.yml``): each phrase in lower
case, single-spaced, not a common English word when it names something by itself, and kept with and without accents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from wordfreq import zipf_frequency

from bot.knowledge.files import KnowledgeError
from bot.knowledge.words import plain

COMMON_ENGLISH = 3.0  # an English word this frequent (wordfreq's Zipf scale) is meant as English (bot/fuzzy.py)


def is_common_english(phrase: str) -> bool:
    """Whether ``phrase`` is one word that is common in English ("personal", "cafe")."""
    return " " not in phrase and zipf_frequency(phrase, "en") >= COMMON_ENGLISH


def forms(phrase: str) -> tuple[str, ...]:
    """``phrase`` as written and without accents, unless that form is a common English word."""
    bare = plain(phrase)
    return (phrase,) if bare == phrase or is_common_english(bare) else (phrase, bare)


def check_phrase(path: Path, line: Any, phrase: Any, alone: bool = True) -> str:
    """A phrase of a word list: a lower-case, single-spaced string, and (``alone``: it names something by itself)
    not a common English word.

    Raises:
        KnowledgeError: it is not, with the file and line.
    """
    if isinstance(phrase, bool) or not isinstance(phrase, (str, int)) or not str(phrase).strip():
        raise KnowledgeError(path, line, f"{phrase!r} is not a word (write it in quotes)")
    text = str(phrase)
    if text != text.lower() or text != " ".join(text.split()):
        raise KnowledgeError(path, line, f"write '{text}' in lower case, single-spaced")
    if alone and is_common_english(text):
        raise KnowledgeError(
            path, line, f"'{text}' is also a common English word: use it only in a longer phrase ('el personal')"
        )
    return text


def phrase_list(path: Path, line: Any, value: Any, what: str, alone: bool = True) -> tuple[str, ...]:
    """A list of phrases, each checked and given in all its forms."""
    if not isinstance(value, list) or not value:
        raise KnowledgeError(path, line, f"{what} needs a list of words")
    return tuple(dict.fromkeys(f for phrase in value for f in forms(check_phrase(path, line, phrase, alone))))
