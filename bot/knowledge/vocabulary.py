"""Another language's words for what the bot finds in a message: the figures (metrics), fiscal periods, a ranking
from the bottom and product words (``knowledge/<language>/words.yml`` and ``products.yml``, see
``knowledge/README.md``).

Every phrase is kept as written and without accents (users often leave them out); a one-word phrase that is also a
common English word ("personal", "pan") is refused, so that no English message is read as naming a figure or a
product through a Spanish word, and an unaccented form that is one ("cafe" of "café") is left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from re import Pattern
from typing import Any

from bot.fiscal import PERIOD_WORDS
from bot.knowledge.answer_words import AnswerWords, load_answer_words
from bot.knowledge.files import KnowledgeError, read_yaml, require
from bot.knowledge.model import Product
from bot.knowledge.phrases import check_phrase, forms, phrase_list
from bot.knowledge.words import fold
from bot.vocab import METRICS

_FEWEST = "fewest"  # the key of the fewest words' pattern beside the metrics' keys
_OWN = ":in_language"  # after a metric's key: the key of the pattern of its words that need the language


def _alternation(phrases: Iterable[str]) -> Pattern[str]:
    """A pattern that finds any of ``phrases`` as whole words, the longest first, in lower-case text."""
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(p) for p in ordered)})(?!\w)")


@dataclass(frozen=True)
class Vocabulary:
    """One language's words for the figures, periods, rankings and products, every phrase in all its forms."""

    metric_phrases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # metric key -> phrases
    metric_words: dict[str, str] = field(default_factory=dict)  # single word -> metric key (bot/fuzzy.py)
    # metric key -> words that name it only in a message of this language ("personal": English too)
    metric_words_in_language: dict[str, tuple[str, ...]] = field(default_factory=dict)
    periods: dict[str, str] = field(default_factory=dict)  # phrase -> the English period word it stands for
    fewest: tuple[str, ...] = ()  # words that ask for the Center with the fewest
    products: list[Product] = field(default_factory=list)
    borrowed: frozenset[str] = frozenset()  # English trade words used as they are: no sign of the language
    answers: AnswerWords = field(default_factory=AnswerWords)  # the words of the request forms' answers
    _patterns: dict[str, Pattern[str]] = field(default_factory=dict, repr=False)  # by metric key, and FEWEST

    def __post_init__(self) -> None:
        self._patterns.update((k, _alternation(v)) for k, v in self.metric_phrases.items() if v)
        self._patterns.update((k + _OWN, _alternation(v)) for k, v in self.metric_words_in_language.items() if v)
        if self.fewest:
            self._patterns[_FEWEST] = _alternation(self.fewest)

    def names_metric(self, metric: str, text: str, in_language: bool = False) -> bool:
        """Whether ``text`` names ``metric`` by one of its phrases, or (``in_language``: the message is in this
        vocabulary's language) by one of the words that name it only then ("personal").
        """
        patterns = [self._patterns.get(metric), self._patterns.get(metric + _OWN) if in_language else None]
        return any(pattern and pattern.search(text.lower()) for pattern in patterns)

    def asks_fewest(self, text: str) -> bool:
        """Whether ``text`` asks for the Center with the fewest ("¿qué centro tiene menos socios?")."""
        return self.names_metric(_FEWEST, text)

    def period_words(self, english: str) -> tuple[str, ...]:
        """This language's phrases for the English period word ``english`` ("quarter": "trimestre")."""
        return tuple(phrase for phrase, word in self.periods.items() if word == english)


def load_vocabulary(folder: Path, english_products: list[Product]) -> Vocabulary:
    """Read ``words.yml`` and ``products.yml`` of a language's folder (both optional).

    Raises:
        KnowledgeError: a mistake, with the file and line.
    """
    path = folder / "words.yml"
    data = read_yaml(path) if path.exists() else {}
    phrases, words, in_language = _metrics(path, data)
    return Vocabulary(
        metric_phrases=phrases,
        metric_words=words,
        metric_words_in_language=in_language,
        periods=_periods(path, data),
        fewest=phrase_list(path, data.get("__line__"), data["fewest"], "fewest") if "fewest" in data else (),
        products=_products(folder / "products.yml", english_products),
        borrowed=_borrowed(path, data),
        answers=load_answer_words(path, data.get("answers")),
    )


def _borrowed(path: Path, data: dict[str, Any]) -> frozenset[str]:
    """The ``borrowed`` words of ``words.yml``: English trade words this language's speakers use as they are."""
    if "borrowed" not in data:
        return frozenset()
    line = data.get("__line__")
    words = [check_phrase(path, line, word, alone=False) for word in data["borrowed"] or [None]]
    for word in words:
        if not re.fullmatch(r"[a-z]+", word):
            raise KnowledgeError(path, line, f"borrowed: '{word}' must be one word of plain letters")
    return frozenset(words)


def _metrics(
    path: Path, data: dict[str, Any]
) -> tuple[dict[str, tuple[str, ...]], dict[str, str], dict[str, tuple[str, ...]]]:
    """The ``metrics`` of ``words.yml``: each metric's phrases, its single words, and its words that name it only in a
    message of this language (``in_language``: they may be common English words).
    """
    phrases: dict[str, tuple[str, ...]] = {}
    words: dict[str, str] = {}
    in_language: dict[str, tuple[str, ...]] = {}
    items = data.get("metrics") or {}
    for key, item in items.items():
        if key == "__line__":
            continue
        line = item.get("__line__") if isinstance(item, dict) else items.get("__line__")
        if key not in METRICS or not isinstance(item, dict):
            raise KnowledgeError(path, line, f"'{key}' is not a metric ({', '.join(METRICS)}) with phrases and words")
        phrases[key] = phrase_list(path, line, item.get("phrases"), f"'{key}' phrases")
        for word in phrase_list(path, line, item["words"], f"'{key}' words") if "words" in item else ():
            if " " in word or words.get(word, key) != key:
                raise KnowledgeError(path, line, f"'{word}' must be one word, of one metric only")
            words[word] = key
        if "in_language" in item:
            in_language[key] = phrase_list(path, line, item["in_language"], f"'{key}' in_language", alone=False)
    return phrases, words, in_language


def _periods(path: Path, data: dict[str, Any]) -> dict[str, str]:
    """The ``periods`` of ``words.yml``: each phrase and the English period word it stands for."""
    found: dict[str, str] = {}
    items = data.get("periods") or {}
    for english, value in items.items():
        if english == "__line__":
            continue
        line = items["__line__"]
        if english not in PERIOD_WORDS:
            raise KnowledgeError(path, line, f"periods: '{english}' is not one of {', '.join(PERIOD_WORDS)}")
        for phrase in phrase_list(path, line, value, f"periods: '{english}'", alone=False):
            if found.setdefault(phrase, english) != english:
                raise KnowledgeError(path, line, f"periods: '{phrase}' stands for two words")
    return found


def _products(path: Path, english: list[Product]) -> list[Product]:
    """``products.yml``: each entry's words, given the HTS code of the English product word it names (``en``)."""
    if not path.exists():
        return []
    hts_of = {fold(w): p.hts for p in english for w in p.words}
    products: list[Product] = []
    seen: dict[str, int] = {}
    for item in read_yaml(path).get("products") or []:
        line = item["__line__"]
        en = str(require(path, item, "en"))
        if fold(en) not in hts_of:
            raise KnowledgeError(path, line, f"'{en}' is not a word of products.yml")
        if not isinstance(item.get("words"), list) or not item["words"]:
            raise KnowledgeError(path, line, f"'{en}' needs a list of words")
        words: list[str] = []
        for written in item["words"]:
            word = check_phrase(path, line, written)
            if fold(word) in hts_of:
                raise KnowledgeError(path, line, f"'{word}' is already a word of products.yml")
            if fold(word) in seen:
                raise KnowledgeError(path, line, f"'{word}' is listed twice (also line {seen[fold(word)]})")
            seen[fold(word)] = line
            words += [f for f in forms(word) if fold(f) not in hts_of and f not in words]  # "sofas" of "sofás"
        products.append(Product(tuple(words), hts_of[fold(en)]))
    return products
