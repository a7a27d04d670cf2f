"""Words and numbers in knowledge and messages: HTS references, folded names, reflowed answers."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

# Words that say nothing about a product when matched against HTS chapter titles.
TITLE_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "or",
        "of",
        "the",
        "other",
        "thereof",
        "articles",
        "article",
        "products",
        "product",
        "parts",
        "goods",
        "miscellaneous",
        "not",
        "than",
        "their",
        "its",
        "with",
        "for",
        "in",
        "on",
        "by",
        "to",
        "from",
        "such",
        "similar",
        "kind",
        "made",
        "prepared",
        "preparations",
    ]
)


def reflow(text: str) -> str:
    """Join the lines of each paragraph, so that answers wrapped in the YAML file read as flowing text.

    Blank lines (paragraphs) and list items (lines starting with ``-``, ``*`` or ``1.``) are kept.
    """
    out: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        starts_item = re.match(r"^([-*]|\d+\.)\s", stripped)
        if out and stripped and out[-1] and not starts_item:
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


CHAPTER_WORD = r"(?:chapters?|chap\.?|ch\.?)"
_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
# "sixty one" → 61, for chapters written in words ("chapter sixty-one").
NUMBER_WORDS: dict[str, int] = {
    **{w: i for i, w in enumerate(_UNITS, 1)},
    **{w: i for i, w in enumerate(_TEENS, 10)},
    **{w: 10 * i for i, w in enumerate(_TENS, 2)},
    **{f"{t} {u}": 10 * i + j for i, t in enumerate(_TENS, 2) for j, u in enumerate(_UNITS, 1)},
}


def normalise_hts(text: Optional[str]) -> Optional[str]:
    """The digits of an HTS reference (``chapter 3`` → ``03``, ``8471.30`` → ``847130``), or None if invalid."""
    if not text:
        return None
    t = text.strip().lower()
    chapter = re.fullmatch(rf"(?:hts(?:us)?\s+)?{CHAPTER_WORD}\s*(\d{{1,2}}|[a-z -]+)", t)
    if chapter:
        number = chapter.group(1)
        value = int(number) if number.isdigit() else NUMBER_WORDS.get(" ".join(number.replace("-", " ").split()))
        return f"{value:02d}" if value and 1 <= value <= 99 else None
    t = re.sub(r"^(?:hts(?:us)?|heading|subheading|tariff(?:\s+number)?)\s*[:#]?\s*", "", t)
    if not re.fullmatch(r"[\d.\s]+", t):
        return None
    digits = re.sub(r"[.\s]", "", t)
    return digits if len(digits) in (2, 4, 6, 8, 10) else None


def fold(text: str) -> str:
    """Lower case, ``&`` as ``and``, punctuation as spaces."""
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s-]", " ", text).split())


def singular(word: str) -> str:
    """A crude singular of an English word (``batteries`` → ``battery``), for matching chapter titles."""
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word


def plain(text: str) -> str:
    """``text`` without accents or tildes (``más reciente`` → ``mas reciente``, ``año`` → ``ano``), as users who
    type without them write it.
    """
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))
