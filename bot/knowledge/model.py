"""The typed contents of ``knowledge/``: Centers, the HTS table, product words, FAQ articles, and their look-ups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from re import Pattern
from typing import TYPE_CHECKING, Any, Optional

from bot.knowledge.language_choice import LanguageChoice
from bot.knowledge.words import TITLE_STOPWORDS, fold, normalise_hts, singular

if TYPE_CHECKING:  # the translations are read by bot.knowledge.translations, which imports this module
    from bot.knowledge.translations import Translation
    from bot.knowledge.vocabulary import Vocabulary


@dataclass(frozen=True)
class Center:
    """One Center of Excellence and Expertise."""

    code: str
    name: str
    short_names: tuple[str, ...]
    cities: tuple[str, ...]
    state: str
    industries: str

    @property
    def city(self) -> str:
        """The management city shown in answers, e.g. ``Laredo, TX``."""
        return f"{self.cities[0]}, {self.state}"

    @property
    def label(self) -> str:
        """The full name as used in answers, e.g. ``Machinery Center (CEE010)``."""
        return f"{self.name} Center ({self.code})"

    @property
    def names(self) -> tuple[str, ...]:
        """Every way a user may name this Center: full name, short names, code and cities."""
        return (self.name, *self.short_names, self.code, *self.cities)


@dataclass(frozen=True)
class HtsRule:
    """A row of the HTS table: a chapter, or a range of headings that sits in another Center than its chapter."""

    first: str  # chapter (2 digits) or first heading (4 digits)
    last: str
    center_code: Optional[str]  # None: CBP has not published the Center
    confidence: str
    title: str  # chapter title (empty for heading ranges)
    note: str


@dataclass(frozen=True)
class HtsAnswer:
    """Where an HTS number goes, with how sure we are."""

    code: str  # the digits asked about
    chapter: str
    chapter_title: str
    center: Optional[Center]
    confidence: str
    note: str
    by_heading: bool  # a heading exception decided it
    follows_goods: bool = False  # chapters 98 and 99


@dataclass(frozen=True)
class Product:
    """Plain product words and the HTS chapter or heading they belong to."""

    words: tuple[str, ...]
    hts: str


@dataclass(frozen=True)
class Article:
    """An FAQ (or small talk) article."""

    intent: str  # "faq" or "chitchat"
    group: str
    id: str
    title: str
    questions: tuple[str, ...]
    answer: str
    source: str
    path: Path
    line: int

    @property
    def retrieval_intent(self) -> str:
        """The article's retrieval intent, e.g. ``faq/cf28``."""
        return f"{self.intent}/{self.id}"

    @property
    def response_name(self) -> str:
        """The article's response, e.g. ``utter_faq/cf28``."""
        return f"utter_{self.intent}/{self.id}"


@dataclass
class Knowledge:
    """Everything in ``knowledge/``, validated."""

    source_url: str
    directory_url: str
    centers: list[Center]
    chapters: dict[str, HtsRule]
    headings: list[HtsRule]
    products: list[Product]
    articles: list[Article]
    responses: dict[str, list[dict[str, Any]]]
    topics: dict[str, tuple[str, str]]  # intent -> (button title, words sent)
    spelling: dict[str, Any] = field(default_factory=lambda: {"replace": {}, "keep": []})  # spelling.yml
    word_classes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # word_classes.yml
    translations: dict[str, Translation] = field(default_factory=dict)  # language -> its texts (es/)
    language_choice: LanguageChoice = field(default_factory=LanguageChoice)  # languages.yml
    _by_name: dict[str, Center] = field(default_factory=dict, repr=False)
    # Compiled once (several hundred patterns overflow ``re``'s own cache, which made every look-up recompile them).
    _name_patterns: list[tuple[Pattern[str], str]] = field(default_factory=list, repr=False)
    _product_patterns: list[tuple[Pattern[str], str, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for center in self.centers:
            for name in center.names:
                self._by_name[fold(name)] = center
        for translation in self.translations.values():  # "Centro de Electrónica", "acero": an English name wins
            for code, names in translation.center_names.items():
                for name in names:
                    self._by_name.setdefault(fold(name), self.center(code))
        self._name_patterns[:] = [
            (re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])"), name)
            for name in sorted(self._by_name, key=len, reverse=True)
        ]
        self._product_patterns[:] = [
            (re.compile(rf"(?<!\w){re.escape(fold(words))}(?:e?s)?(?!\w)"), words, product.hts)
            for product in self.all_products
            for words in product.words
        ]

    @property
    def vocabularies(self) -> list[Vocabulary]:
        """The other languages' words for figures, periods, rankings and products (``knowledge/es/words.yml``...)."""
        return [translation.vocabulary for translation in self.translations.values()]

    @property
    def all_products(self) -> list[Product]:
        """The product words of every language: English (``products.yml``) first."""
        return [*self.products, *(p for vocabulary in self.vocabularies for p in vocabulary.products)]

    @property
    def period_words(self) -> dict[str, str]:
        """The other languages' period words and the English word each stands for (:func:`bot.fiscal.parse_period`)."""
        return {phrase: word for vocabulary in self.vocabularies for phrase, word in vocabulary.periods.items()}

    @cached_property
    def borrowed_words(self) -> frozenset[str]:
        """Words that say nothing of a message's language (:func:`bot.language.detect`): the English trade words the
        other languages' speakers use as they are (``borrowed`` in ``knowledge/es/words.yml``), and the words of the
        Centers' English names ("partner accounts en Electronics" is Spanish by its "en").
        """
        names = " ".join(name for center in self.centers for name in (center.name, *center.short_names))
        in_names = {word for word in re.findall(r"[a-z]{3,}", names.lower()) if word != "and"}
        return frozenset(in_names.union(*(vocabulary.borrowed for vocabulary in self.vocabularies)))

    # -- Centers ---------------------------------------------------------------------------------------------------
    def center(self, code: str) -> Center:
        """The Center with this ACE code (``KeyError`` if unknown)."""
        for center in self.centers:
            if center.code == code.upper():
                return center
        raise KeyError(code)

    def find_center(self, text: Optional[str]) -> Optional[Center]:
        """The Center named in ``text`` by full name, short name, code or city; None when there is none.

        The whole text is tried first, then the longest name that occurs in it as whole words.
        """
        if not text:
            return None
        folded = fold(text)
        folded = re.sub(r"\b(the|center|centre|cee|of excellence and expertise)\b", " ", folded)
        folded = " ".join(folded.split())
        if folded in self._by_name:
            return self._by_name[folded]
        for pattern, name in self._name_patterns:  # the longest name first
            if pattern.search(folded):
                return self._by_name[name]
        return None

    # -- HTS -------------------------------------------------------------------------------------------------------
    def classify_hts(self, text: str) -> Optional[HtsAnswer]:
        """Map an HTS chapter, heading, subheading or full number to its Center.

        Args:
            text: e.g. ``84``, ``chapter 3``, ``8471``, ``8471.30``, ``8471.30.0100`` (dots and spaces optional).

        Returns:
            The answer, or None when the text is not a valid HTS number or its chapter does not exist.
        """
        digits = normalise_hts(text)
        if not digits:
            return None
        chapter = self.chapters.get(digits[:2])
        if digits[:2] in ("98", "99"):
            return HtsAnswer(digits, digits[:2], "", None, "published", "", False, follows_goods=True)
        if chapter is None:
            return None
        if len(digits) >= 4:
            heading = digits[:4]
            for rule in self.headings:
                if rule.first <= heading <= rule.last:
                    center = self.center(rule.center_code) if rule.center_code else None
                    return HtsAnswer(digits, chapter.first, chapter.title, center, rule.confidence, rule.note, True)
        center = self.center(chapter.center_code) if chapter.center_code else None
        return HtsAnswer(digits, chapter.first, chapter.title, center, chapter.confidence, chapter.note, False)

    # -- Products --------------------------------------------------------------------------------------------------
    def find_product(self, text: str) -> Optional[tuple[str, str]]:
        """Find product words in ``text``.

        The product list wins; otherwise the HTS chapter titles are searched for the text's content words.

        Returns:
            ``(words as matched, HTS chapter or heading)`` or None.
        """
        folded = fold(text)
        best: Optional[tuple[str, str]] = None
        for pattern, words, hts in self._product_patterns:
            if (best is None or len(words) > len(best[0])) and pattern.search(folded):
                best = (words, hts)
        if best:
            return best
        content = [w for w in re.findall(r"[a-z]+", folded) if len(w) > 2 and w not in TITLE_STOPWORDS]
        scores: dict[str, int] = {}
        for chapter in self.chapters.values():
            title_words = {singular(w) for w in re.findall(r"[a-z]+", chapter.title.lower())} - TITLE_STOPWORDS
            hits = sum(1 for w in content if singular(w) in title_words)
            if hits:
                scores[chapter.first] = hits
        if not scores:
            return None
        chapter_code = max(scores, key=lambda c: (scores[c], -int(c)))
        return (self.chapters[chapter_code].title, chapter_code)

    # -- FAQ -------------------------------------------------------------------------------------------------------
    def article(self, retrieval_intent: str) -> Optional[Article]:
        """The article for a full retrieval intent such as ``faq/change_how``."""
        for article in self.articles:
            if article.retrieval_intent == retrieval_intent:
                return article
        return None
