"""The other languages of ``knowledge/``: ``knowledge/<language>/`` (``es/``) beside the English files, checked against
them so that no English reply or article is left without its translation, and no translation without English.

A language's folder mirrors the English one: ``replies/*.yml`` (the same reply names, each with as many variants,
the same ``{placeholders}`` and buttons, and a ``/intent`` payload kept as it is), ``faq/*.yml`` (the same article
ids, with the English article's source) and ``centers.yml`` (a gloss and the industry's words for each Center);
``words.yml`` and ``products.yml`` add the language's words for figures, periods, products and the answers of the
guided requests (:mod:`bot.knowledge.vocabulary`); ``hts/chapters.csv`` gives every HTS chapter's title.
``english_only.yml`` lists, with a reason each, the replies (``replies: {utter_...: reason}``) and articles
(``articles: {faq/...: reason}``) that stay in English.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from bot.knowledge.files import KnowledgeError, read_yaml, require
from bot.knowledge.model import Article, Center, HtsRule, Product
from bot.knowledge.tables import load_chapter_titles, load_heading_notes
from bot.knowledge.texts import load_articles, load_replies
from bot.knowledge.vocabulary import Vocabulary, check_phrase, forms, load_vocabulary

LANGUAGES = ("es",)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Translation:
    """One language's texts, validated against the English ones."""

    language: str
    responses: dict[str, list[dict[str, Any]]]
    topics: dict[str, tuple[str, str]]  # intent -> (button title, words sent)
    articles: list[Article]
    glosses: dict[str, str]  # Center code -> the name's gloss ("Centro de Electrónica")
    center_words: dict[str, tuple[str, ...]]  # Center code -> the industry's words in this language
    vocabulary: Vocabulary = field(default_factory=Vocabulary)  # words.yml and products.yml
    chapter_titles: dict[str, str] = field(default_factory=dict)  # hts/chapters.csv: chapter -> title
    industries: dict[str, str] = field(default_factory=dict)  # Center code -> what it covers, in this language
    heading_notes: dict[str, str] = field(default_factory=dict)  # hts/headings.csv: English note -> its translation
    _by_key: dict[str, Article] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_key.update((a.retrieval_intent, a) for a in self.articles)

    def article(self, key: str) -> Optional[Article]:
        """The translated article of ``key`` (``faq/cf28``); None when it stays English."""
        return self._by_key.get(key)

    @property
    def center_names(self) -> dict[str, tuple[str, ...]]:
        """Center code -> the gloss and the industry's words, each as written and without accents (:func:`forms`)."""
        return {
            code: tuple(dict.fromkeys(f for name in (gloss, *self.center_words[code]) for f in forms(name.lower())))
            for code, gloss in self.glosses.items()
        }


def load_translations(
    folder: Path,
    responses: dict[str, list[dict[str, Any]]],
    origins: dict[str, tuple[Path, Optional[int]]],
    articles: list[Article],
    centers: list[Center],
    products: list[Product],
    chapters: dict[str, HtsRule],
    headings: list[HtsRule],
) -> dict[str, Translation]:
    """Every language of ``folder`` (``knowledge/``) that has a folder there, checked against the English texts
    (``origins``: each English reply's file and line, from :func:`bot.knowledge.texts.load_replies`).

    Raises:
        KnowledgeError: a translation is missing, left over, or differs from the English in its placeholders, its
            buttons or its source, with the file and line to fix.
    """
    found = {}
    for language in LANGUAGES:
        if (folder / language).is_dir():
            found[language] = _load(
                folder, language, responses, origins, articles, centers, products, chapters, headings
            )
    return found


def _load(
    folder: Path,
    language: str,
    english: dict[str, list[dict[str, Any]]],
    english_origins: dict[str, tuple[Path, Optional[int]]],
    english_articles: list[Article],
    centers: list[Center],
    products: list[Product],
    chapters: dict[str, HtsRule],
    headings: list[HtsRule],
) -> Translation:
    here = folder / language
    only = _english_only(here / "english_only.yml")
    origins: dict[str, tuple[Path, Optional[int]]] = {}
    responses, topics = load_replies(here / "replies", origins)
    for name, (path, _) in english_origins.items():
        if name not in responses and name not in only:
            raise KnowledgeError(here / "replies" / path.name, None, f"reply '{name}' has no {language} text")
    for name, (path, line) in origins.items():
        if name not in english:
            raise KnowledgeError(path, line, f"reply '{name}' has no English text in replies/")
        _same_shape(path, line, name, english[name], responses[name])
    articles = load_articles(here / "faq") if (here / "faq").is_dir() else []
    translated = {a.retrieval_intent for a in articles}
    for article in english_articles:
        if article.retrieval_intent not in translated and article.retrieval_intent not in only:
            raise KnowledgeError(
                here / "faq" / article.path.name, None, f"article '{article.retrieval_intent}' has no {language} text"
            )
    english_by_key = {a.retrieval_intent: a for a in english_articles}
    for article in articles:
        original = english_by_key.get(article.retrieval_intent)
        if original is None:
            raise KnowledgeError(
                article.path, article.line, f"article '{article.retrieval_intent}' has no English article"
            )
        if article.source != original.source:
            raise KnowledgeError(
                article.path, article.line, f"source of '{article.retrieval_intent}' must be {original.source}"
            )
    glosses, words, industries = _load_centers(here / "centers.yml", {c.code for c in centers})
    vocabulary = load_vocabulary(here, products)
    titles = load_chapter_titles(here / "hts" / "chapters.csv", chapters)
    notes = load_heading_notes(here / "hts" / "headings.csv", headings)
    return Translation(language, responses, topics, articles, glosses, words, vocabulary, titles, industries, notes)


def _same_shape(
    path: Path, line: Any, name: str, english: list[dict[str, Any]], translated: list[dict[str, Any]]
) -> None:
    """A translated reply has the English reply's variants, placeholders, buttons and ``/intent`` payloads."""
    if len(translated) != len(english):
        raise KnowledgeError(path, line, f"reply '{name}' needs {len(english)} variant(s), as in English")
    for original, variant in zip(english, translated):
        wanted = set(_PLACEHOLDER.findall(str(original.get("text"))))
        if set(_PLACEHOLDER.findall(str(variant.get("text")))) != wanted:
            listed = ", ".join(f"{{{p}}}" for p in sorted(wanted)) or "none"
            raise KnowledgeError(path, line, f"reply '{name}' must use the English placeholders: {listed}")
        buttons, translated_buttons = original.get("buttons") or [], variant.get("buttons") or []
        if len(buttons) != len(translated_buttons):
            raise KnowledgeError(path, line, f"reply '{name}' needs {len(buttons)} button(s), as in English")
        for button, translated_button in zip(buttons, translated_buttons):
            payload = str(button.get("payload") or "")
            if payload.startswith("/") and translated_button.get("payload") != payload:
                raise KnowledgeError(path, line, f"reply '{name}': keep the payload {payload} as it is")


def _english_only(path: Path) -> set[str]:
    """The replies and articles listed in ``english_only.yml`` (each needs a reason)."""
    if not path.exists():
        return set()
    data = read_yaml(path)
    names = set()
    for part in ("replies", "articles"):
        for name, reason in (data.get(part) or {}).items():
            if name != "__line__":
                if not isinstance(reason, str) or not reason.strip():
                    raise KnowledgeError(path, data[part].get("__line__"), f"'{name}' needs a reason")
                names.add(name)
    return names


def _load_centers(path: Path, codes: set[str]) -> tuple[dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    """``centers.yml``: each Center's gloss, words and industries, every Center once."""
    data = read_yaml(path)
    glosses: dict[str, str] = {}
    words: dict[str, tuple[str, ...]] = {}
    industries: dict[str, str] = {}
    for item in data.get("centers") or []:
        code = require(path, item, "code")
        if code not in codes or code in glosses:
            raise KnowledgeError(path, item["__line__"], f"'{code}' is not a Center of centers.yml, or is listed twice")
        glosses[code] = require(path, item, "gloss")
        industries[code] = require(path, item, "industries")
        words[code] = tuple(
            check_phrase(path, item["__line__"], " ".join(str(w).lower().split())) for w in item.get("words") or []
        )
    missing = sorted(codes - set(glosses))
    if missing:
        raise KnowledgeError(path, data.get("__line__"), f"missing Center(s): {', '.join(missing)}")
    return glosses, words, industries
