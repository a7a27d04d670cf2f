"""The spelling dictionaries (``bot/spelling.py``): one section per language, built by ``python -m bot.build``.

Each section holds the domain words with their counts (Center names, products, HTS chapter titles, the figure words;
the Spanish section has the Spanish ones from ``knowledge/es/`` beside the Centers' English names and cities), the
common words a typo may become and the known words accepted as they are (wordfreq's most frequent in the language;
Spanish ones without their accents). ``spelling.yml``'s ``keep`` list is shared; its ``replace`` list is English. The
file is saved under a path that carries a hash of its content (like the spaCy pipeline), so a changed dictionary
retrains. Training adds the words of the training examples of each language (:func:`with_examples`) and keeps the
result in the model.

FAQ titles, answers and replies are left out on purpose: editing them must not change the model.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Optional

from bot.knowledge import Knowledge
from bot.knowledge.phrases import forms
from bot.knowledge.words import plain
from bot.language import ENGLISH, SPANISH
from bot.settings import MODELS_DIR, ROOT
from bot.vocab import METRIC_WORDS

SPELLING_DIR = MODELS_DIR / "spelling"
# Per language: how many of wordfreq's most frequent words are accepted as they are, and how many a typo may become
# besides the domain words (Spanish needs more: its verbs and adjectives have many forms).
SIZES = {ENGLISH: (60_000, 8_000), SPANISH: (100_000, 30_000)}
VERSION = 9  # bump when bot/spelling.py changes how it corrects: the dictionary's path changes and the model retrains
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _fold(language: str, text: str) -> str:
    """``text`` in lower case, and without accents for Spanish (its speller reads words that way)."""
    return plain(text.lower()) if language == SPANISH else text.lower()


def domain_words(kb: Knowledge) -> dict[str, int]:
    """The English domain words with their counts: Center names, products, HTS chapter titles and ``spelling.yml``."""
    names: list[str] = [w for p in kb.products for w in p.words]
    for center in kb.centers:
        names += [*center.names, center.industries]
    names += [rule.title for rule in kb.chapters.values()]
    names += [*kb.spelling["replace"].values(), *kb.spelling["keep"], *METRIC_WORDS]
    return _count(ENGLISH, names, known=None)


def spanish_domain_words(kb: Knowledge) -> dict[str, int]:
    """The Spanish domain words with their counts: ``knowledge/es/`` (products, Center glosses and industry words,
    HTS chapter titles, figure, period and ranking words, the English trade words used as they are), the Centers'
    English names and cities, and the English figure words.
    """
    return _count(SPANISH, _spanish_names(kb), known=None)


def accented_words(kb: Knowledge) -> list[str]:
    """The Spanish domain words that keep their accents: one-word names whose bare form is a common English word
    ("té", "carbón"), which the entity rules and lookup tables therefore know only as written
    (:func:`bot.knowledge.phrases.forms`).
    """
    words = {name.lower() for name in _spanish_names(kb) if " " not in name}
    return sorted(w for w in words if forms(w) == (w,) and plain(w) != w)


def _spanish_names(kb: Knowledge) -> list[str]:
    es = kb.translations[SPANISH]
    vocabulary = es.vocabulary
    names: list[str] = [w for p in vocabulary.products for w in p.words]
    names += [*es.glosses.values(), *(w for words in es.center_words.values() for w in words)]
    names += [*es.chapter_titles.values(), *vocabulary.metric_words, *vocabulary.periods, *vocabulary.fewest]
    names += [p for phrases in vocabulary.metric_phrases.values() for p in phrases]
    names += [*vocabulary.borrowed, *(name for center in kb.centers for name in center.names), *METRIC_WORDS]
    return names


def _section(language: str, domain: dict[str, int]) -> dict[str, Any]:
    """A language's section of the dictionary: its domain words, and its known and common words from wordfreq."""
    from wordfreq import top_n_list, word_frequency

    known_size, common_size = SIZES[language]
    top = [(w, _fold(language, w)) for w in top_n_list(language, known_size)]
    top = [(w, f) for w, f in top if _WORD.fullmatch(f)]
    common: dict[str, int] = {}
    for word, folded in top[:common_size]:
        if len(folded) >= 3:  # "cafe" and "café" count together
            common[folded] = common.get(folded, 0) + max(1, int(word_frequency(word, language) * 1e9))
    return {"domain": dict(sorted(domain.items())), "common": common, "known": sorted({f for _, f in top})}


def render_dictionary(kb: Knowledge) -> str:
    """The dictionary file's content (JSON), from the knowledge base and wordfreq."""
    payload = {
        "version": VERSION,
        "languages": {
            ENGLISH: _section(ENGLISH, domain_words(kb)),
            SPANISH: {**_section(SPANISH, spanish_domain_words(kb)), "accented": accented_words(kb)},
        },
        "replace": kb.spelling["replace"],
        "keep": sorted(kb.spelling["keep"]),
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def with_examples(data: dict[str, Any], examples: Mapping[str, Iterable[str]]) -> dict[str, Any]:
    """The dictionary ``data`` plus the known words of the training examples of each language (``examples``:
    language -> texts), counted as domain words of that language.

    Their deliberate typos are left out (only the language's known words count), so the bot learns to correct them.
    Training adds them (``bot/normalise.py``): the dictionary file itself does not change when examples do, so adding
    questions leaves ``config.yml`` as it is and the model can be fine-tuned.
    """
    languages = dict(data["languages"])
    for language, texts in examples.items():
        section = languages[language]
        domain = dict(section["domain"])
        for word, count in _count(language, texts, known=set(section["known"])).items():
            domain[word] = domain.get(word, 0) + count
        languages[language] = {**section, "domain": dict(sorted(domain.items()))}
    return {**data, "languages": languages}


def _count(language: str, texts: Iterable[str], known: Optional[set[str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for text in texts:
        for word in _WORD.findall(_fold(language, text)):
            if known is None or word in known:
                counts[word] = counts.get(word, 0) + 1
    return counts


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
