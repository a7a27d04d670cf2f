"""The project's own spaCy pipeline: blank English, a lookup lemmatizer and an entity_ruler built from ``knowledge/``.

spaCy's pretrained English models cannot be installed here, and the bot does not need them: every entity it uses
(Centers, HTS numbers, importer numbers, metrics, periods, product words, request references) is deterministic, so an
entity_ruler finds them exactly. Rasa loads the saved pipeline by path with ``SpacyNLP``.

Rasa fingerprints a spaCy model by its path only, so the pipeline is saved under a path that carries a hash of
everything it is built from: a changed pattern gives a new path, and the new path makes Rasa retrain.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import spacy
from spacy.language import Language
from spacy.pipeline import EntityRuler
from spacy.tokenizer import Tokenizer

from bot.fiscal import ORDINALS, PERIOD_WORDS, QUARTERS, RELATIVE, RELATIVE_UNITS
from bot.knowledge import NUMBER_WORDS, Knowledge
from bot.settings import MODELS_DIR, ROOT
from bot.vocab import METRIC_PHRASES, REF_PREFIX_PATTERN

logger = logging.getLogger(__name__)

SPACY_DIR = MODELS_DIR / "spacy"
PIPELINE_NAME = "cee_en"
PIPELINE_VERSION = "1.3.0"  # bump when this module changes what it builds

# Tokens that spaCy would split on hyphens but that are one identifier each.
# Any other hyphenated number ("55-1234567800", a mistyped importer number) stays one token too, so that no part of
# it is read as an HTS number.
TOKEN_MATCH = re.compile(
    r"^(?:\d{2}-\d{7}[A-Za-z0-9]{2}|\d{3}-\d{2}-\d{4}|\d{6}-\d{5}"
    rf"|(?:{REF_PREFIX_PATTERN}|{REF_PREFIX_PATTERN.lower()})-\d{{4}}-\d{{6}}"
    r"|\d{2,}-[0-9A-Za-z]{2,}(?:-[0-9A-Za-z]+)?)$"
)
IOR_TOKEN = r"^(?:\d{2}-?\d{7}[A-Za-z0-9]{2}|\d{3}-?\d{2}-?\d{4}|\d{6}-?\d{5}|\d{9}[A-Za-z]{2})$"
REF_TOKEN = rf"^(?i:(?:{REF_PREFIX_PATTERN})-\d{{4}}-\d{{6}})$"
# HTS: dotted numbers, 6/8/10 bare digits, and 4-digit headings that do not look like years (1950-2049).
HTS_TOKEN = (
    r"^(?:\d{4}\.\d{2}(?:\.\d{2}(?:\.?\d{2})?|\.\d{4})?|\d{6}|\d{8}|\d{10}"
    r"|(?!19[5-9]\d|20[0-4]\d)(?:0[1-9]|[1-8]\d|9[0-7])\d{2})$"
)
CHAPTER_NUMBER = r"^(?:0?[1-9]|[1-8]\d|9[0-9])$"
CHAPTER_WORDS = ["chapter", "chapters", "ch", "ch.", "chap", "chap."]
HEADING_DOTTED = r"^(?:0[1-9]|[1-8]\d|9[0-7])\.\d{2}$"  # "84.29", heading 8429 written with a dot

FY_TOKEN = r"^(?i:fy-?(?:\d{2}|\d{4}))$"
YEAR = r"^(?:20\d{2})$"
YEAR2 = r"^(?:\d{2}|\d{4})$"

TokenPattern = list[dict[str, Any]]  # an entity ruler token pattern: a dict per token


def _phrase_variants(text: str) -> list[str]:
    """A name with ``&`` also written with ``and``, and with or without commas."""
    variants = {text, text.replace("&", "and")}
    variants |= {v.replace(",", "") for v in variants}
    return sorted(variants)


def _chapter_in_words() -> list[list[dict[str, Any]]]:
    """A chapter number in words: "chapter sixty-one", "ch sixty one"."""
    patterns = []
    for words in NUMBER_WORDS:
        parts = words.split()
        tokens: list[dict[str, Any]] = [{"LOWER": parts[0]}]
        if len(parts) == 2:
            tokens += [{"TEXT": "-", "OP": "?"}, {"LOWER": parts[1]}]
        patterns.append([{"LOWER": {"IN": CHAPTER_WORDS}}, *tokens])
    return patterns


def _form_patterns() -> list[list[dict[str, Any]]]:
    """CBP forms ("CF-28", "CBP Form 29", "form 7501", "7501 entry", "CF-29s"): longer than a bare number, so that the
    entity ruler prefers them to the HTS heading the same digits would be.
    """
    number = {"TEXT": {"REGEX": r"^(?:28|29|7501|4647|19)s?$"}}  # "CF-29s" too
    prefix = {"LOWER": {"IN": ["cf", "cbp", "form", "cbpf"]}}
    dash = {"TEXT": "-", "OP": "?"}
    return [
        [{"LOWER": {"REGEX": r"^cf-?(?:28|29|7501|4647|19)s?$"}}],
        [prefix, dash, number],
        [{"LOWER": "cbp"}, {"LOWER": "form"}, number],
        [{"TEXT": "7501"}, {"LOWER": {"IN": ["entry", "entries", "form", "forms", "summary", "summaries"]}}],
    ]


def _alternatives(phrases: Iterable[str]) -> list[TokenPattern]:
    """Token patterns for any of ``phrases``: the one-word ones as one token, each longer one token by token."""
    single = sorted({p for p in phrases if " " not in p})
    patterns: list[TokenPattern] = [[{"LOWER": {"IN": single}}]] if single else []
    return patterns + [[{"LOWER": w} for w in p.split()] for p in sorted(set(phrases)) if " " in p]


def _joined(*parts: list[TokenPattern]) -> list[TokenPattern]:
    """Every pattern made of one alternative of each part, in order."""
    return [[token for piece in choice for token in piece] for choice in itertools.product(*parts)]


def _period_patterns(words: Mapping[str, Sequence[str]], either_order: bool = False) -> list[TokenPattern]:
    """Period patterns in one language: ``words`` gives its phrases for each English period word of
    :data:`bot.fiscal.PERIOD_WORDS` ("quarter": "trimestre"; a quarter alone follows a word of "the" when it has
    some: "el T3"); ``either_order``: a relative word may follow its unit
    too ("el trimestre pasado").
    """
    prefixes = "|".join(re.escape(w) for w in words["fy"])
    fy: TokenPattern = [{"TEXT": {"REGEX": rf"^(?i:(?:{prefixes})-?(?:\d{{2}}|\d{{4}}))$"}}]
    years = [
        fy,
        *_joined(_alternatives(words["fy"]), [[{"TEXT": {"REGEX": YEAR2}}]]),
        *_joined(_alternatives(words["fiscal year"]), [[{"TEXT": {"REGEX": YEAR}}]]),
    ]
    quarter = [[{"LOWER": {"IN": [f"{q}{n}" for q in words["q"] for n in QUARTERS]}}]]
    unit, of = _alternatives(words["quarter"]), _alternatives(words["of"])
    ordinal_q = _joined(_alternatives([w for o in ORDINALS for w in words[o]]), unit)
    year = [[{"TEXT": {"REGEX": YEAR}}]]
    alone = _joined(_alternatives(words["the"]), quarter) if words.get("the") else quarter  # "el T3"
    patterns = [*years, *alone, *_joined(unit, [[{"TEXT": {"REGEX": r"^[1-4]$"}}]])]
    patterns += _joined(quarter, years) + _joined(years, quarter) + _joined(quarter, of, years)
    patterns += _joined(ordinal_q, of, years) + _joined(ordinal_q, years)
    patterns += _joined(quarter, year) + _joined(ordinal_q, of, year)
    units = [p for u in RELATIVE_UNITS for p in _alternatives(words[u])]
    for when in (p for r in RELATIVE for p in _alternatives(words[r])):
        patterns += _joined([when], units) + (_joined(units, [when]) if either_order else [])
    return patterns


def _english_period_words() -> dict[str, tuple[str, ...]]:
    """The English period words, each standing for itself ("Q3" stands alone: no "the" before it)."""
    return {word: (word,) for word in PERIOD_WORDS if word != "the"}


def _other_languages(kb: Knowledge, center_names: set[str]) -> list[dict[str, Any]]:
    """The patterns of the other languages' words (``knowledge/es/``): Centers by their gloss and industry words,
    figures, periods and products, with the English labels and ids; a product word that names a Center is a Center.
    """
    patterns: list[dict[str, Any]] = []
    for translation in kb.translations.values():
        for code, names in translation.center_names.items():
            for variant in (v for name in names for v in _phrase_variants(name)):
                center_names.add(variant.lower())
                patterns.append({"label": "center", "pattern": variant, "id": code})
    for vocabulary in kb.vocabularies:
        patterns += [{"label": "metric", "pattern": p} for ps in vocabulary.metric_phrases.values() for p in ps]
        periods = {word: vocabulary.period_words(word) for word in PERIOD_WORDS}
        if all(periods[word] for word in ("fy", "q", "quarter", "of")):
            patterns += [{"label": "period", "pattern": p} for p in _period_patterns(periods, either_order=True)]
        for product in vocabulary.products:
            patterns += [
                {"label": "product", "pattern": words, "id": product.hts}
                for words in product.words
                if words.lower() not in center_names
            ]
    return patterns


def build_patterns(kb: Knowledge) -> list[dict[str, Any]]:
    """Entity-ruler patterns for every entity the bot uses, generated from the knowledge base."""
    patterns: list[dict[str, Any]] = []
    center_names = set()
    for center in kb.centers:
        for name in center.names:
            for variant in _phrase_variants(name):
                center_names.add(variant.lower())
                patterns.append({"label": "center", "pattern": variant, "id": center.code})
    for product in kb.products:
        for words in product.words:
            for variant in sorted({words, words + "s"}) if not words.endswith("s") else [words]:
                if variant.lower() not in center_names:
                    patterns.append({"label": "product", "pattern": variant, "id": product.hts})
    for words in METRIC_PHRASES:
        patterns.append({"label": "metric", "pattern": words})
    patterns += _other_languages(kb, center_names)
    token_patterns: dict[str, list[TokenPattern]] = {
        "hts_code": [
            [{"LOWER": {"IN": CHAPTER_WORDS}}, {"TEXT": {"REGEX": CHAPTER_NUMBER}}],
            *_chapter_in_words(),
            [{"TEXT": {"REGEX": HTS_TOKEN}}],
            [{"TEXT": {"REGEX": HEADING_DOTTED}}],
        ],
        "ior_number": [[{"TEXT": {"REGEX": IOR_TOKEN}}]],
        "form": _form_patterns(),
        "request_ref": [[{"TEXT": {"REGEX": REF_TOKEN}}]],
        "period": _period_patterns(_english_period_words()),
    }
    for label, pats in token_patterns.items():
        patterns += [{"label": label, "pattern": p} for p in pats]
    return patterns


def fingerprint(patterns: list[dict[str, Any]]) -> str:
    """A short hash of what the pipeline is built from."""
    payload = json.dumps(
        {
            "patterns": patterns,
            "token_match": TOKEN_MATCH.pattern,
            "version": PIPELINE_VERSION,
            "spacy": spacy.__version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def pipeline_path(kb: Knowledge) -> Path:
    """Where the pipeline for this knowledge is saved."""
    return SPACY_DIR / f"{PIPELINE_NAME}-{fingerprint(build_patterns(kb))}"


def create_pipeline(kb: Knowledge) -> Language:
    """Create the pipeline in memory: tokenizer exceptions, lookup lemmatizer and entity_ruler."""
    nlp = spacy.blank("en")
    cast(Tokenizer, nlp.tokenizer).token_match = TOKEN_MATCH.match
    # The ruler comes first: spaCy runs the components before it on every phrase pattern.
    ruler = cast(EntityRuler, nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER", "validate": True}))
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # loads the lookup tables; it also clears the ruler, so patterns go in after it
    ruler.add_patterns(build_patterns(kb))
    nlp.meta.update(
        {
            "name": PIPELINE_NAME,
            "version": PIPELINE_VERSION,
            "description": "CEE Guide domain pipeline, generated from knowledge/ by `python -m bot.build`",
        }
    )
    return nlp


def ensure_pipeline(kb: Knowledge) -> Path:
    """Build and save the pipeline unless a pipeline built from the same inputs exists; remove older ones.

    Returns:
        The pipeline's path, relative to the project root (as written in ``config.yml``).
    """
    path = pipeline_path(kb)
    if not (path / "meta.json").exists():
        logger.info("Building the spaCy pipeline at %s", path)
        tmp = path.with_name(path.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        create_pipeline(kb).to_disk(tmp)
        tmp.rename(path)
    for old in SPACY_DIR.glob(f"{PIPELINE_NAME}-*"):
        if old != path:
            shutil.rmtree(old, ignore_errors=True)
    return path.relative_to(ROOT)
