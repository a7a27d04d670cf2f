"""Spelling normalisation: "wich centre handels eletronics" → "which center handles electronics", "que cernto maneja
los jguuetes" → "que centro maneja los juguetes".

Each language has its speller; their dictionaries (``bot/spelling_words.py``) are built from ``knowledge/`` and word
frequencies (wordfreq), and training adds the words of the training examples and keeps the result in the model. At run
time only the model's copy is read: nothing is downloaded.

A word is corrected only when it is made of letters (an apostrophe allowed), has at least four of them, and is neither
a known word nor a domain word nor in ``spelling.yml``'s ``keep`` list; it becomes the closest domain word
(SymSpell, one edit for words of four letters, two for longer ones that keep their first letter, and for
words of five or six letters only into a domain word that keeps their first and last letters), else the closest
common English word (among words equally close, a domain word wins: "shrip" is "shrimp", not "ship"). Anything with a
digit or a symbol (importer numbers, HTS codes, e-mails, references, CF-28) is never touched. The Spanish speller
reads and writes words without their accents: most users leave them out, so "¿Qué es...?" is read as "¿que
es...?", the way the model learnt it, and a correction comes out without them too ("cernto" → "centro", "telefno" →
"telefono"; :class:`bot.normalise.OriginalText` gives the entities their accents back). A domain word whose bare form
is a common English word keeps its accents: the entity rules know it only as written ("té", "carbón"). It also
accepts the known English words, because Spanish speakers use the English trade words as they are ("partner
accounts", "entries").
The English speller leaves a word with an accent as it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from bot.knowledge.words import plain

DOMAIN_BOOST = 1_000  # a domain word wins over a general word at the same edit distance

# A whitespace-separated chunk: leading punctuation (Spanish's opening marks too), a word of letters (an inner
# apostrophe allowed), trailing punctuation.
_CHUNK = re.compile(r"^([\"'(\[¿¡]*)([^\W\d_]+(?:'[^\W\d_]+)?)([\"')\].,;:!?]*)$")

Span = tuple[int, int, int, int]  # (original start, original end, new start, new end) of a replaced word


@dataclass(frozen=True)
class Correction:
    """A message's text after spelling normalisation, with the replaced words' positions."""

    original: str
    text: str
    spans: tuple[Span, ...]

    def without_prefix(self, length: int) -> Correction:
        """This correction with the first ``length`` characters of the corrected text dropped (a courtesy that opens
        the message): the original keeps them, and they map to nothing in the corrected text.
        """
        typed = self.to_original(0, length)[1]
        kept = tuple((o0, o1, n0 - length, n1 - length) for o0, o1, n0, n1 in self.spans if n0 >= length)
        return Correction(self.original, self.text[length:], ((0, typed, 0, 0), *kept) if length else kept)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a character range of the corrected text back to the original text."""
        return self._map(start, end, new_to_old=True)

    def to_corrected(self, start: int, end: int) -> tuple[int, int]:
        """Map a character range of the original text to the corrected text."""
        return self._map(start, end, new_to_old=False)

    def _map(self, start: int, end: int, new_to_old: bool) -> tuple[int, int]:
        def one(pos: int, is_end: bool) -> int:
            shift = 0
            for o_start, o_end, n_start, n_end in self.spans:
                src = (n_start, n_end) if new_to_old else (o_start, o_end)
                dst = (o_start, o_end) if new_to_old else (n_start, n_end)
                if pos >= src[1]:
                    shift = dst[1] - src[1]
                elif pos > src[0] or (is_end and pos == src[1]):
                    return dst[1] if is_end else dst[0]
                else:
                    break
            return pos + shift

        return one(start, False), one(end, True)


class Speller:
    """Corrects the misspelt words of a message (see the module docstring for which words)."""

    def __init__(
        self,
        domain: dict[str, int],
        common: dict[str, int],
        known: Iterable[str],
        replace: dict[str, str],
        keep: Iterable[str],
        fold: bool = False,
        accented: Iterable[str] = (),
    ) -> None:
        from symspellpy import SymSpell

        self.fold = fold  # read and correct words without their accents (Spanish)
        self.accented = set(accented)  # words that keep their accents: "té" (without, "te" names nothing)
        self.replace = dict(replace)
        self.accepted = set(known) | set(domain) | {w.lower() for w in keep}
        self.domain = set(domain)
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in common.items():
            self._symspell.create_dictionary_entry(word, count)
        for word, count in domain.items():
            self._symspell.create_dictionary_entry(word, count * DOMAIN_BOOST)

    @classmethod
    def load(cls, path: Path) -> dict[str, Speller]:
        """The speller of each language of a dictionary written by ``bot.spelling_words.ensure_dictionary`` or kept
        in a trained model.
        """
        data = json.loads(path.read_text(encoding="utf-8"))
        if "languages" not in data:  # a model trained before there were sections: its dictionary is English
            data = {**data, "languages": {"en": {key: data[key] for key in ("domain", "common", "known")}}}
        return {language: cls.from_data(data, language) for language in data["languages"]}

    @classmethod
    def from_data(cls, data: dict[str, Any], language: str = "en") -> Speller:
        """The speller of ``language`` for a dictionary's content (``bot/spelling_words.py``)."""
        section, english = data["languages"][language], data["languages"]["en"]
        if language == "en":
            return cls(section["domain"], section["common"], section["known"], data["replace"], data["keep"])
        known = [*section["known"], *english["known"]]  # the English trade words are used as they are
        accented = section.get("accented", ())  # a dictionary built before there was such a list has none
        return cls(section["domain"], section["common"], known, {}, data["keep"], fold=True, accented=accented)

    def word(self, word: str) -> Optional[str]:
        """The correction of one lower-case word, or None when it stays as it is (a folding speller gives a word
        with accents without them: "qué" is read as "que", as most users write it).
        """
        if word in self.replace:
            return self.replace[word]
        if self.fold:
            if word in self.accented:
                return None
            bare = plain(word)
            return self._closest(bare) or (bare if bare != word else None)
        return self._closest(word) if word.isascii() else None

    def _closest(self, word: str) -> Optional[str]:
        """The closest word to a misspelt ``word`` (lower case, and without accents for a folding speller), or None
        when it is no misspelling (see the module docstring).
        """
        if len(word) < 4 or word in self.accepted or "'" in word:
            return None
        from symspellpy import Verbosity

        # One edit for words of four letters, two for longer ones when the first letter stays. Two edits in a word of
        # five or six letters only make a domain word with the same first and last letters ("ceneor" is center,
        # "eaiil" email): a short unknown word two edits from another word is more often a name or gibberish than a
        # typo ("lorem" is not "more", "blorp" not "blood").
        found = self._symspell.lookup(word, Verbosity.CLOSEST, max_edit_distance=1 if len(word) <= 4 else 2)
        found = [
            s
            for s in found
            if s.distance == 1 or (s.term[0] == word[0] and (len(word) > 6 or _ends_alike(word, s.term, self.domain)))
        ]
        if not found:
            return None
        # Among the closest words, swapped letters ("mnay") beat a more frequent word one edit away ("may"); then a
        # letter left out, the commonest typo, beats a letter changed ("tuch" is "touch", not "much"; "basd" is
        # "based", not "base"); then a domain word beats a general one ("shrip" is "shrimp", not "ship").
        same_letters = [s for s in found if sorted(s.term) == sorted(word)]
        left_out = [s for s in found if len(s.term) == len(word) + 1 and _dropped_one(word, s.term)]
        domain = [s for s in (left_out or found) if s.term in self.domain]
        return max(same_letters or domain or left_out or found, key=lambda s: s.count).term

    def mostly_unknown(self, text: str) -> bool:
        """Whether ``text`` is made of words of which no domain word and at most a third are known English words or
        misspellings of one ("zxcvbnm lkjhg", "blorp zanzibar quux").

        Text with a digit never qualifies: it may hold a number (an HTS code, an importer number).
        """
        if any(ch.isdigit() for ch in text):
            return False
        words = re.findall(r"[^\W\d_]+", text.lower())
        if not words or any(w in self.domain or w in self.replace for w in words):
            return False
        known = sum(1 for w in words if w in self.accepted or w in self._symspell.words or self.word(w))
        return known * 3 <= len(words)

    def correct(self, text: str) -> Correction:
        """Correct every misspelt word of ``text``; everything else (spacing included) stays as it is."""
        out: list[str] = []
        spans: list[Span] = []
        position = shift = 0
        for match in re.finditer(r"\S+", text):
            chunk = _CHUNK.match(match.group())
            fixed = self.word(chunk.group(2).lower()) if chunk else None
            if chunk and fixed == plain(chunk.group(2).lower()):
                fixed = plain(chunk.group(2))  # only its accents left out: "Electrónica" is "Electronica"
            if chunk is None or fixed is None:
                continue
            start = match.start() + len(chunk.group(1))
            end = start + len(chunk.group(2))
            out += [text[position:start], fixed]
            spans.append((start, end, start + shift, start + shift + len(fixed)))
            shift += len(fixed) - (end - start)
            position = end
        out.append(text[position:])
        return Correction(text, "".join(out), tuple(spans))


def _ends_alike(typed: str, word: str, domain: set[str]) -> bool:
    """Whether ``word`` is a domain word that ends with the letter ``typed`` ends with."""
    return word in domain and word[-1] == typed[-1]


def _dropped_one(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter left out."""
    return any(word[:i] + word[i + 1 :] == typed for i in range(len(word)))
