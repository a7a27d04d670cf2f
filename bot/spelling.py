"""Spelling normalisation: "wich centre handels eletronics" → "which center handles electronics".

The dictionary is built by ``python -m bot.build`` from ``knowledge/`` (Center names, products, HTS chapter titles,
``spelling.yml``) and English word frequencies (wordfreq), and saved under a path that carries a hash of its content
(like the spaCy pipeline), so a changed dictionary retrains. Training adds the words of the training examples and keeps
the result in the model. At run time only the model's copy is read: nothing is downloaded.

A word is corrected only when it is made of letters (an apostrophe allowed), has at least four of them, and is neither
a known English word nor a domain word nor in ``spelling.yml``'s ``keep`` list; it becomes the closest domain word
(SymSpell, one edit for words of four letters, two for longer ones that keep their first letter, and for
words of five or six letters only into a domain word that keeps their first and last letters), else the closest
common English word (among words equally close, a domain word wins: "shrip" is "shrimp", not "ship"). Anything with a
digit or a symbol (importer numbers, HTS codes, e-mails, references, CF-28) is never touched.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from bot.knowledge import Knowledge
from bot.settings import MODELS_DIR, ROOT
from bot.vocab import METRIC_WORDS

SPELLING_DIR = MODELS_DIR / "spelling"
KNOWN_WORDS = 60_000  # English words accepted as they are (wordfreq's most frequent)
COMMON_WORDS = 8_000  # English words a typo may be corrected to, besides the domain words
DOMAIN_BOOST = 1_000  # a domain word wins over a general word at the same edit distance
VERSION = 6  # bump when this module changes how it corrects: the dictionary's path changes and the model retrains

# A whitespace-separated chunk: leading punctuation, a word of letters (an inner apostrophe allowed), trailing
# punctuation.
_CHUNK = re.compile(r"^([\"'(\[]*)([A-Za-z]+(?:'[A-Za-z]+)?)([\"')\].,;:!?]*)$")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")

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
    ) -> None:
        from symspellpy import SymSpell

        self.replace = dict(replace)
        self.accepted = set(known) | set(domain) | {w.lower() for w in keep}
        self.domain = set(domain)
        self._symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word, count in common.items():
            self._symspell.create_dictionary_entry(word, count)
        for word, count in domain.items():
            self._symspell.create_dictionary_entry(word, count * DOMAIN_BOOST)

    @classmethod
    def load(cls, path: Path) -> Speller:
        """Load a dictionary written by :func:`ensure_dictionary` or kept in a trained model."""
        return cls.from_data(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Speller:
        """A speller for a dictionary's content (see :func:`render_dictionary` and :func:`with_examples`)."""
        return cls(data["domain"], data["common"], data["known"], data["replace"], data["keep"])

    def word(self, word: str) -> Optional[str]:
        """The correction of one lower-case word, or None when it stays as it is."""
        if word in self.replace:
            return self.replace[word]
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


# -- the dictionary: its knowledge part built by `python -m bot.build`, its examples part at training -------------
def _ends_alike(typed: str, word: str, domain: set[str]) -> bool:
    """Whether ``word`` is a domain word that ends with the letter ``typed`` ends with."""
    return word in domain and word[-1] == typed[-1]


def _dropped_one(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with one letter left out."""
    return any(word[:i] + word[i + 1 :] == typed for i in range(len(word)))


def domain_words(kb: Knowledge) -> dict[str, int]:
    """The words of the domain with their counts: Center names, products, HTS chapter titles and ``spelling.yml``.

    FAQ titles, answers and replies are left out on purpose: editing them must not change the model.
    """
    names: list[str] = [w for p in kb.products for w in p.words]
    for center in kb.centers:
        names += [*center.names, center.industries]
    names += [rule.title for rule in kb.chapters.values()]
    names += [*kb.spelling["replace"].values(), *kb.spelling["keep"], *METRIC_WORDS]
    return _count(names, known=None)


def with_examples(data: dict[str, Any], examples: Iterable[str]) -> dict[str, Any]:
    """The dictionary ``data`` plus the known English words of the training examples, counted as domain words.

    Their deliberate typos are left out (only words of the known English list count), so the bot learns to correct
    them. Training adds them (``bot/normalise.py``): the dictionary file itself does not change when examples do, so
    adding questions leaves ``config.yml`` as it is and the model can be fine-tuned.
    """
    domain = dict(data["domain"])
    for word, count in _count(examples, known=set(data["known"])).items():
        domain[word] = domain.get(word, 0) + count
    return {**data, "domain": dict(sorted(domain.items()))}


def _count(texts: Iterable[str], known: Optional[set[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if known is None or word in known:
                counts[word] = counts.get(word, 0) + 1
    return counts


def render_dictionary(kb: Knowledge) -> str:
    """The dictionary file's content (JSON), from the knowledge base and wordfreq."""
    from wordfreq import top_n_list, word_frequency

    english = [w for w in top_n_list("en", KNOWN_WORDS) if _WORD.fullmatch(w)]
    common = {w: max(1, int(word_frequency(w, "en") * 1e9)) for w in english[:COMMON_WORDS] if len(w) >= 3}
    payload = {
        "version": VERSION,
        "domain": dict(sorted(domain_words(kb).items())),
        "common": common,
        "known": sorted(english),
        "replace": kb.spelling["replace"],
        "keep": sorted(kb.spelling["keep"]),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def dictionary_path(content: str) -> Path:
    """Where a dictionary with this content is saved: the hash in its name makes Rasa retrain when it changes."""
    return SPELLING_DIR / f"words-{hashlib.sha256(content.encode()).hexdigest()[:12]}.json"


def ensure_dictionary(kb: Knowledge) -> Path:
    """Write the dictionary unless one with the same content exists; remove older ones.

    Returns:
        Its path, relative to the project root (as written in ``config.yml``).
    """
    content = render_dictionary(kb)
    path = dictionary_path(content)
    if not path.exists():
        SPELLING_DIR.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(content, encoding="utf-8")
        tmp.rename(path)
    for old in SPELLING_DIR.glob("words-*.json"):
        if old != path:
            old.unlink()
    return path.relative_to(ROOT)
