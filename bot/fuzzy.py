"""Names, products and figure words misspelt beyond what the spelling step corrects ("Base Meals", "sttaef",
"frozen shrip").

The spelling step (``bot/spelling.py``) corrects a word one or two edits away from a dictionary word, leaves a real
word alone ("Meals") and sometimes picks the wrong one ("shrip" as "ship"). The actions ask these functions when the
message named no Center or no figure exactly, and for a product phrase longer than the one found exactly: a name
close to a span of the message as typed or as corrected. Every word keeps its first letter, longer words may have
more edits than short ones, and a common English word is never read as a misspelling of another.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Optional

from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from bot.knowledge import Center, knowledge
from bot.knowledge.words import plain
from bot.vocab import METRIC_WORDS

_POST = re.compile(r"\bpost\W*e[a-z]{2,6}\b", re.IGNORECASE)  # "post etry", "post enrty actions"
_WORD = re.compile(r"[a-z]+")
_IGNORED = {"center", "centre", "centers", "centres", "cee", "the", "and", "of", "for", "at", "in", "with", "to"}
# A word this frequent in English (wordfreq's Zipf scale) is meant as itself: "stuff" is not "staff"; among the many
# product words, one this frequent in Spanish too: "cubre" (covers) is not "cobre" (copper), though "Mami" is Miami.
COMMON = 3.0
# Center names and figure words are checked against English words that common, and against Spanish words this common:
# "mismo" (same) is not Miami, "Mami" still is.
VERY_COMMON = 5.0


def _edits(target: str, strict: bool = False) -> int:
    """The edits a misspelling of ``target`` may have (letters swapped count as one); ``strict`` for the many
    product words, where a misspelt question word would otherwise find one ("whiah" is not "wheat").
    """
    shift = 2 if strict else 0
    return 1 if len(target) < 5 + shift else 2 if len(target) < 9 + shift else 3


def _close(word: str, target: str, strict: bool = False) -> bool:
    """Whether ``word`` reads as a misspelling of ``target``: same first letter, few edits, not a common word."""
    if len(word) < 4 or word[0] != target[0] or word == target:
        return word == target
    if OSA.distance(word, target) > _edits(target, strict):
        return False
    spanish = COMMON if strict else VERY_COMMON
    return zipf_frequency(word, "en") < COMMON and zipf_frequency(word, "es") < spanish


def metric_in(text: str, besides: Optional[str] = None) -> Optional[str]:
    """The figure a message names, misspelt or not ("how many sttaef", "post etry actions", "empelados"), other
    than ``besides`` ("no not entries, impotrs" with ``besides="entries"`` is importers); None when there is none.
    """
    if _POST.search(text) and besides != "post_entry_actions":
        return "post_entry_actions"
    targets = {**METRIC_WORDS}
    for vocabulary in knowledge().vocabularies:  # "empelados"; English words first
        targets.update((w, m) for w, m in vocabulary.metric_words.items() if w not in targets and _WORD.fullmatch(w))
    for word in _WORD.findall(plain(text.lower())):
        for target, metric in targets.items():
            if metric != besides and _close(word, target):
                return metric
    return None


@functools.lru_cache(maxsize=4)
def _names(kb_id: int) -> tuple[tuple[str, Center], ...]:
    """Every Center name of five letters or more, folded (the knowledge object's id keys the cache)."""
    kb = knowledge()
    found = []
    for center in kb.centers:
        for name in center.names:
            folded = " ".join(_WORD.findall(name.lower()))
            if len(folded.replace(" ", "")) >= 5 and folded not in _IGNORED:
                found.append((folded, center))
    return tuple(found)


def centers_in(text: str) -> list[Center]:
    """The Centers a message names with a misspelling ("Base Meals", "Laredoo"), best match first, without repeats."""
    words = _WORD.findall(text.lower())
    scored: list[tuple[int, int, Center]] = []
    for name, center in _names(id(knowledge())):
        size = len(name.split())
        for start in range(len(words) - size + 1):
            span = " ".join(words[start : start + size])
            if span in _IGNORED or abs(len(span) - len(name)) > 2 or (size == 1 and not _close(span, name)):
                continue
            distance = OSA.distance(span, name)
            if span[0] == name[0] and distance <= _edits(name.replace(" ", "")):
                scored.append((distance, start, center))
    found: list[Center] = []
    for _, _, center in sorted(scored, key=lambda item: (item[1], item[0])):  # in the order the message names them
        if center not in found:
            found.append(center)
    return found


@functools.lru_cache(maxsize=4)
def _products(kb_id: int) -> dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]:
    """Every product phrase as words, as written, and its HTS code, by the first letter of its first word (the
    knowledge object's id keys the cache).
    """
    by_letter: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    for product in knowledge().all_products:
        for words in product.words:
            if words != plain(words):  # "neumáticos": its form without accents ("neumaticos") is listed too
                continue
            phrase = tuple(_WORD.findall(words.lower()))
            by_letter.setdefault(phrase[0][0], []).append((phrase, words, product.hts))
    return {letter: tuple(phrases) for letter, phrases in by_letter.items()}


def load() -> None:
    """Build the indexes of Center names and product phrases now, not on the first message that needs them."""
    kb_id = id(knowledge())
    _names(kb_id)
    _products(kb_id)


def product_in(texts: Sequence[str], found: Optional[tuple[str, str]]) -> Optional[tuple[str, str]]:
    """The product a message names: ``found`` (the product list's exact match, see ``Knowledge.find_product``) unless
    one of ``texts`` (the message as typed and as corrected) names a longer product phrase, misspelt or not.

    Returns:
        ``(words as written in the product list, HTS chapter or heading)``, or ``found``.
    """
    products = _products(id(knowledge()))
    exact = found is not None and any(plain(found[0]) == name for group in products.values() for _, name, _ in group)
    best, best_size = (found, len(found[0].split())) if found and exact else (found, 0)
    for text in dict.fromkeys(texts):
        words = _WORD.findall(plain(text.lower()))
        for start, first in enumerate(words):
            for phrase, name, hts in products.get(first[0], ()):
                if best_size < len(phrase) <= len(words) - start and all(
                    _close(word, target, strict=True) for word, target in zip(words[start:], phrase)
                ):
                    best, best_size = (name, hts), len(phrase)
    return best
