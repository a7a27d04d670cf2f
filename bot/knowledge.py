"""Load and validate ``knowledge/`` into typed objects: Centers, the HTS table, product words and FAQ articles.

This module is the only place that reads ``knowledge/``. Every mistake is reported as a :class:`KnowledgeError` that
names the file and line, so that CBP staff can fix content without knowing Rasa.
"""

from __future__ import annotations

import csv
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Pattern, Tuple

import yaml

from bot.settings import KNOWLEDGE_DIR

logger = logging.getLogger(__name__)

ARTICLE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CENTER_CODE = re.compile(r"^CEE0(0[1-9]|10)$")
MIN_QUESTIONS = 8
CONFIDENCE = ("published", "inferred", "unpublished")
# Words that say nothing about a product when matched against HTS chapter titles.
_TITLE_STOPWORDS = frozenset(
    "a an and or of the other thereof articles article products product parts goods miscellaneous not "
    "than their its with for in on by to from such similar kind made prepared preparations".split()
)


class KnowledgeError(ValueError):
    """A mistake in a knowledge file, with its location."""

    def __init__(self, path: Path, line: Optional[int], message: str) -> None:
        where = f"{path.relative_to(path.parents[1]) if len(path.parents) > 1 else path}"
        where += f", line {line}" if line else ""
        super().__init__(f"{where}: {message}")
        self.path, self.line = path, line


@dataclass(frozen=True)
class Center:
    """One Center of Excellence and Expertise."""

    code: str
    name: str
    short_names: Tuple[str, ...]
    cities: Tuple[str, ...]
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
    def names(self) -> Tuple[str, ...]:
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

    words: Tuple[str, ...]
    hts: str


@dataclass(frozen=True)
class Article:
    """An FAQ (or small talk) article."""

    intent: str  # "faq" or "chitchat"
    group: str
    id: str
    title: str
    questions: Tuple[str, ...]
    answer: str
    source: str
    path: Path
    line: int

    @property
    def retrieval_intent(self) -> str:
        return f"{self.intent}/{self.id}"

    @property
    def response_name(self) -> str:
        return f"utter_{self.intent}/{self.id}"


@dataclass
class Knowledge:
    """Everything in ``knowledge/``, validated."""

    source_url: str
    directory_url: str
    centers: List[Center]
    chapters: Dict[str, HtsRule]
    headings: List[HtsRule]
    products: List[Product]
    articles: List[Article]
    responses: Dict[str, List[Dict[str, Any]]]
    topics: Dict[str, Tuple[str, str]]  # intent -> (button title, words sent)
    spelling: Dict[str, Any] = field(default_factory=lambda: {"replace": {}, "keep": []})  # spelling.yml
    _by_name: Dict[str, Center] = field(default_factory=dict, repr=False)
    # Compiled once (several hundred patterns overflow ``re``'s own cache, which made every look-up recompile them).
    _name_patterns: List[Tuple[Pattern[str], str]] = field(default_factory=list, repr=False)
    _product_patterns: List[Tuple[Pattern[str], str, str]] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        for center in self.centers:
            for name in center.names:
                self._by_name[_fold(name)] = center
        self._name_patterns[:] = [(re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])"), name)
                                  for name in sorted(self._by_name, key=len, reverse=True)]  # fmt: skip
        self._product_patterns[:] = [
            (re.compile(rf"(?<!\w){re.escape(_fold(words))}(?:e?s)?(?!\w)"), words, product.hts)
            for product in self.products
            for words in product.words
        ]

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
        folded = _fold(text)
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
    def find_product(self, text: str) -> Optional[Tuple[str, str]]:
        """Find product words in ``text``.

        The product list wins; otherwise the HTS chapter titles are searched for the text's content words.

        Returns:
            ``(words as matched, HTS chapter or heading)`` or None.
        """
        folded = _fold(text)
        best: Optional[Tuple[str, str]] = None
        for pattern, words, hts in self._product_patterns:
            if (best is None or len(words) > len(best[0])) and pattern.search(folded):
                best = (words, hts)
        if best:
            return best
        content = [w for w in re.findall(r"[a-z]+", folded) if len(w) > 2 and w not in _TITLE_STOPWORDS]
        scores: Dict[str, int] = {}
        for chapter in self.chapters.values():
            title_words = {_singular(w) for w in re.findall(r"[a-z]+", chapter.title.lower())} - _TITLE_STOPWORDS
            hits = sum(1 for w in content if _singular(w) in title_words)
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


def reflow(text: str) -> str:
    """Join the lines of each paragraph, so that answers wrapped in the YAML file read as flowing text.

    Blank lines (paragraphs) and list items (lines starting with ``-``, ``*`` or ``1.``) are kept.
    """
    out: List[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        starts_item = re.match(r"^([-*]|\d+\.)\s", stripped)
        if out and stripped and out[-1] and not starts_item:
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped)
    return "\n".join(out)


CHAPTER_WORD = r"(?:chapters?|chap\.?|ch\.?)"
_UNITS = "one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
# "sixty one" → 61, for chapters written in words ("chapter sixty-one").
NUMBER_WORDS: Dict[str, int] = {
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


def _fold(text: str) -> str:
    """Lower case, ``&`` as ``and``, punctuation as spaces."""
    text = text.lower().replace("&", " and ")
    return " ".join(re.sub(r"[^\w\s-]", " ", text).split())


def _singular(word: str) -> str:
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            return word[: -len(suffix)] + repl
    return word


# -- loading -----------------------------------------------------------------------------------------------------------
class _LineLoader(yaml.SafeLoader):
    """A YAML loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> Dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_yaml(path: Path) -> Dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise KnowledgeError(path, line, f"this is not valid YAML ({exc.problem})") from None
    if not isinstance(data, dict):
        raise KnowledgeError(path, None, "expected a YAML mapping at the top")
    return data


def _require(path: Path, item: Dict[str, Any], key: str, kind: type = str) -> Any:
    value = item.get(key)
    if value is None or value == "" or not isinstance(value, kind):
        raise KnowledgeError(path, item.get("__line__"), f"'{key}' is missing or is not a {kind.__name__}")
    return value


def _load_centers(path: Path) -> Tuple[str, str, List[Center]]:
    data = _read_yaml(path)
    centers = []
    for item in data.get("centers") or []:
        code = _require(path, item, "code")
        if not CENTER_CODE.match(code):
            raise KnowledgeError(path, item["__line__"], f"'{code}' is not a Center code (CEE001 to CEE010)")
        centers.append(
            Center(
                code=code,
                name=_require(path, item, "name"),
                short_names=tuple(str(n) for n in item.get("short_names") or ()),
                cities=tuple(str(c) for c in _require(path, item, "cities", list)),
                state=_require(path, item, "state"),
                industries=_require(path, item, "industries"),
            )
        )
    codes = [c.code for c in centers]
    if sorted(codes) != [f"CEE{n:03d}" for n in range(1, 11)]:
        raise KnowledgeError(path, None, "there must be exactly ten Centers, CEE001 to CEE010, each once")
    return _require(path, data, "source"), _require(path, data, "directory"), centers


def _read_csv(path: Path, columns: Iterable[str]) -> Iterable[Tuple[int, Dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = set(columns) - set(reader.fieldnames or ())
        if missing:
            raise KnowledgeError(path, 1, f"missing column(s): {', '.join(sorted(missing))}")
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}


def _check_rule(path: Path, line: int, row: Dict[str, str], codes: set) -> None:
    if row["confidence"] not in CONFIDENCE:
        raise KnowledgeError(path, line, f"confidence must be one of {', '.join(CONFIDENCE)}")
    if row["center_code"] and row["center_code"] not in codes:
        raise KnowledgeError(path, line, f"unknown Center code '{row['center_code']}'")
    if not row["center_code"] and row["confidence"] != "unpublished":
        raise KnowledgeError(path, line, "an empty center_code needs confidence 'unpublished'")


def _load_hts(folder: Path, codes: set) -> Tuple[Dict[str, HtsRule], List[HtsRule]]:
    chapters: Dict[str, HtsRule] = {}
    path = folder / "chapters.csv"
    for line, row in _read_csv(path, ("chapter", "title", "center_code", "confidence", "notes")):
        if not re.fullmatch(r"\d{2}", row["chapter"]):
            raise KnowledgeError(path, line, "chapter must have two digits, e.g. 03")
        _check_rule(path, line, row, codes)
        chapters[row["chapter"]] = HtsRule(
            row["chapter"], row["chapter"], row["center_code"] or None, row["confidence"], row["title"], row["notes"]
        )
    headings: List[HtsRule] = []
    path = folder / "headings.csv"
    for line, row in _read_csv(path, ("first_heading", "last_heading", "center_code", "confidence", "note")):
        first, last = row["first_heading"], row["last_heading"]
        if not (re.fullmatch(r"\d{4}", first) and re.fullmatch(r"\d{4}", last) and first <= last):
            raise KnowledgeError(path, line, "first_heading and last_heading must be 4-digit headings, first <= last")
        if first[:2] not in chapters:
            raise KnowledgeError(path, line, f"chapter {first[:2]} is not in chapters.csv")
        _check_rule(path, line, row, codes)
        headings.append(HtsRule(first, last, row["center_code"] or None, row["confidence"], "", row["note"]))
    return chapters, headings


def _load_products(path: Path, chapters: Dict[str, HtsRule]) -> List[Product]:
    if not path.exists():
        return []
    products, seen = [], {}
    for item in _read_yaml(path).get("products") or []:
        hts = str(_require(path, item, "hts"))
        if not re.fullmatch(r"\d{2}|\d{4}", hts) or hts[:2] not in chapters:
            raise KnowledgeError(path, item["__line__"], f"hts '{hts}' must be a known 2-digit chapter or 4-digit heading")
        words = tuple(str(w).strip() for w in _require(path, item, "words", list))
        for w in words:
            if _fold(w) in seen:
                raise KnowledgeError(path, item["__line__"], f"'{w}' is listed twice (also line {seen[_fold(w)]})")
            seen[_fold(w)] = item["__line__"]
        products.append(Product(words, hts))
    return products


def _load_articles(folder: Path) -> List[Article]:
    articles: List[Article] = []
    seen_ids: Dict[str, str] = {}
    seen_questions: Dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        data = _read_yaml(path)
        intent = data.get("intent", "faq")
        if intent not in ("faq", "chitchat"):
            raise KnowledgeError(path, data.get("__line__"), "intent must be faq or chitchat")
        group = _require(path, data, "group")
        for item in data.get("articles") or []:
            line = item["__line__"]
            article_id = _require(path, item, "id")
            if not ARTICLE_ID.match(article_id):
                raise KnowledgeError(path, line, f"id '{article_id}' may use only lowercase letters, digits and _")
            key = f"{intent}/{article_id}"
            if key in seen_ids:
                raise KnowledgeError(path, line, f"id '{article_id}' is used twice (also in {seen_ids[key]})")
            seen_ids[key] = path.name
            questions = tuple(" ".join(str(q).split()) for q in _require(path, item, "questions", list))
            if len(questions) < MIN_QUESTIONS:
                raise KnowledgeError(path, line, f"'{article_id}' needs at least {MIN_QUESTIONS} questions")
            for q in questions:
                if re.search(r"[{}\[\]()]", q) or q.startswith("/"):
                    raise KnowledgeError(path, line, f"question '{q}' may not contain brackets or start with /")
                if q.lower() in seen_questions:
                    raise KnowledgeError(path, line, f"question '{q}' is used twice (also {seen_questions[q.lower()]})")
                seen_questions[q.lower()] = f"{path.name}:{article_id}"
            source = _require(path, item, "source")
            if not source.startswith("https://"):
                raise KnowledgeError(path, line, f"source of '{article_id}' must be an https:// link")
            articles.append(
                Article(
                    intent=intent,
                    group=group,
                    id=article_id,
                    title=_require(path, item, "title"),
                    questions=questions,
                    answer=reflow(_require(path, item, "answer")),
                    source=source,
                    path=path,
                    line=line,
                )
            )
    return articles


def _load_replies(folder: Path) -> Tuple[Dict[str, List[Dict[str, Any]]], Dict[str, Tuple[str, str]]]:
    """The fixed replies and the fallback topics of every ``replies/*.yml`` file."""
    responses: Dict[str, List[Dict[str, Any]]] = {}
    topics: Dict[str, Tuple[str, str]] = {}
    for path in sorted(folder.glob("*.yml")):
        data = _read_yaml(path)
        for name, variants in (data.get("responses") or {}).items():
            if name == "__line__":
                continue
            if not name.startswith("utter_") or not isinstance(variants, list) or not variants:
                raise KnowledgeError(path, None, f"reply '{name}' must start with utter_ and list at least one variant")
            if name in responses:
                raise KnowledgeError(path, variants[0].get("__line__"), f"reply '{name}' is defined twice")
            for variant in variants:
                _check_reply_text(path, name, variant)
            responses[name] = [_strip_lines(v) for v in variants]
        for intent, topic in (data.get("topics") or {}).items():
            if intent != "__line__":
                topics[intent] = (_require(path, topic, "title"), _require(path, topic, "payload"))
    return responses, topics


def _check_reply_text(path: Path, name: str, variant: Any) -> None:
    """A reply variant has a text, whose braces are only ``{placeholders}`` (a word the bot fills in)."""
    line = variant.get("__line__") if isinstance(variant, dict) else None
    text = variant.get("text") if isinstance(variant, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise KnowledgeError(path, line, f"reply '{name}' needs a text")
    if re.search(r"[{}]", re.sub(r"\{\w+\}", "", text)):
        raise KnowledgeError(path, line, f"reply '{name}': braces must hold one word the bot fills in, like {{center}}")


def _load_spelling(path: Path) -> Dict[str, Any]:
    """``spelling.yml``: words always replaced (``replace``) and words never corrected (``keep``), in lower case."""
    data = _read_yaml(path)
    replace = {k: v for k, v in (data.get("replace") or {}).items() if k != "__line__"}
    for word, fixed in replace.items():
        if not isinstance(fixed, str) or not fixed or word != word.lower() or " " in word:
            raise KnowledgeError(path, data.get("__line__"), f"replace: '{word}' needs one lower-case word and a text")
    keep = data.get("keep") or []
    if not isinstance(keep, list) or not all(isinstance(w, str) for w in keep):
        raise KnowledgeError(path, data.get("__line__"), "keep: must be a list of words")
    return {"replace": replace, "keep": [w.lower() for w in keep]}


def _strip_lines(value: Any) -> Any:
    """Remove the ``__line__`` markers added by the loader."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def load_knowledge(folder: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Read and validate every knowledge file.

    Raises:
        KnowledgeError: the first mistake found, with its file and line.
    """
    source, directory, centers = _load_centers(folder / "centers.yml")
    chapters, headings = _load_hts(folder / "hts", {c.code for c in centers})
    responses, topics = _load_replies(folder / "replies")
    return Knowledge(
        source_url=source,
        directory_url=directory,
        centers=centers,
        chapters=chapters,
        headings=headings,
        products=_load_products(folder / "products.yml", chapters),
        articles=_load_articles(folder / "faq"),
        responses=responses,
        topics=topics,
        spelling=_load_spelling(folder / "spelling.yml"),
    )


RELOAD_CHECK_SECONDS = 1.0
_loaded: Dict[str, Any] = {"knowledge": None, "signature": None, "checked": 0.0}


def _signature(folder: Path) -> Tuple[Tuple[str, int, int], ...]:
    """Names, sizes and modification times of every knowledge file: it changes when a file is edited."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yml", ".yaml", ".csv"))
    return tuple((p.as_posix(), p.stat().st_size, p.stat().st_mtime_ns) for p in files)


def knowledge() -> Knowledge:
    """The project's knowledge, loaded once and loaded again when a file of ``knowledge/`` changes.

    The files are looked at no more than once a second. An edit that does not pass the checks is logged with its file
    and line, and the knowledge loaded before stays in use, so a typo in a running bot's answer never stops it.
    """
    now = time.monotonic()
    if _loaded["knowledge"] is not None and now - _loaded["checked"] < RELOAD_CHECK_SECONDS:
        return _loaded["knowledge"]
    _loaded["checked"] = now
    signature = _signature(KNOWLEDGE_DIR)
    if _loaded["knowledge"] is None or signature != _loaded["signature"]:
        try:
            fresh = load_knowledge()
        except KnowledgeError as exc:
            if _loaded["knowledge"] is None:
                raise
            logger.error("Knowledge not reloaded, the previous version stays in use: %s", exc)
        else:
            if _loaded["knowledge"] is not None:
                logger.info("Knowledge reloaded from %s", KNOWLEDGE_DIR)
            _loaded["knowledge"] = fresh
        _loaded["signature"] = signature
    return _loaded["knowledge"]


def reset_knowledge() -> None:
    """Forget the loaded knowledge (tests that change it in memory)."""
    _loaded.update(knowledge=None, signature=None, checked=0.0)
