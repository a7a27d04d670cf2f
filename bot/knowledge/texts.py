"""The readers of the text side of ``knowledge/``: FAQ articles (``faq/*.yml``), fixed replies and fallback topics
(``replies/*.yml``), the spelling lists (``spelling.yml``) and the word classes (``word_classes.yml``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from bot.knowledge.files import KnowledgeError, read_yaml, require, strip_lines
from bot.knowledge.model import Article
from bot.knowledge.words import reflow

ARTICLE_ID = re.compile(r"^[a-z][a-z0-9_]*$")
CLASS_NAME = ARTICLE_ID
MIN_QUESTIONS = 8


def load_articles(folder: Path) -> list[Article]:
    """Read the FAQ articles of ``folder`` (``*.yml``)."""
    articles: list[Article] = []
    seen_ids: dict[str, str] = {}
    seen_questions: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        data = read_yaml(path)
        intent = data.get("intent", "faq")
        if intent not in ("faq", "chitchat"):
            raise KnowledgeError(path, data.get("__line__"), "intent must be faq or chitchat")
        group = require(path, data, "group")
        for item in data.get("articles") or []:
            line = item["__line__"]
            article_id = require(path, item, "id")
            if not ARTICLE_ID.match(article_id):
                raise KnowledgeError(path, line, f"id '{article_id}' may use only lowercase letters, digits and _")
            key = f"{intent}/{article_id}"
            if key in seen_ids:
                raise KnowledgeError(path, line, f"id '{article_id}' is used twice (also in {seen_ids[key]})")
            seen_ids[key] = path.name
            questions = tuple(" ".join(str(q).split()) for q in require(path, item, "questions", list))
            if len(questions) < MIN_QUESTIONS:
                raise KnowledgeError(path, line, f"'{article_id}' needs at least {MIN_QUESTIONS} questions")
            for q in questions:
                if re.search(r"[{}\[\]()]", q) or q.startswith("/"):
                    raise KnowledgeError(path, line, f"question '{q}' may not contain brackets or start with /")
                if q.lower() in seen_questions:
                    raise KnowledgeError(path, line, f"question '{q}' is used twice (also {seen_questions[q.lower()]})")
                seen_questions[q.lower()] = f"{path.name}:{article_id}"
            source = require(path, item, "source")
            if not source.startswith("https://"):
                raise KnowledgeError(path, line, f"source of '{article_id}' must be an https:// link")
            articles.append(
                Article(
                    intent=intent,
                    group=group,
                    id=article_id,
                    title=require(path, item, "title"),
                    questions=questions,
                    answer=reflow(require(path, item, "answer")),
                    source=source,
                    path=path,
                    line=line,
                )
            )
    return articles


def load_replies(
    folder: Path, origins: Optional[dict[str, tuple[Path, Optional[int]]]] = None
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, tuple[str, str]]]:
    """The fixed replies and the fallback topics of every ``replies/*.yml`` file; ``origins``, when given, receives
    each reply's file and line (in file order), for the checks of the translations.
    """
    responses: dict[str, list[dict[str, Any]]] = {}
    topics: dict[str, tuple[str, str]] = {}
    for path in sorted(folder.glob("*.yml")):
        data = read_yaml(path)
        for name, variants in (data.get("responses") or {}).items():
            if name == "__line__":
                continue
            if not name.startswith("utter_") or not isinstance(variants, list) or not variants:
                raise KnowledgeError(path, None, f"reply '{name}' must start with utter_ and list at least one variant")
            if name in responses:
                raise KnowledgeError(path, variants[0].get("__line__"), f"reply '{name}' is defined twice")
            for variant in variants:
                _check_reply_text(path, name, variant)
            responses[name] = [strip_lines(v) for v in variants]
            if origins is not None:
                origins[name] = (path, variants[0].get("__line__"))
        for intent, topic in (data.get("topics") or {}).items():
            if intent != "__line__":
                topics[intent] = (require(path, topic, "title"), require(path, topic, "payload"))
    return responses, topics


def _check_reply_text(path: Path, name: str, variant: Any) -> None:
    """A reply variant has a text, whose braces are only ``{placeholders}`` (a word the bot fills in)."""
    line = variant.get("__line__") if isinstance(variant, dict) else None
    text = variant.get("text") if isinstance(variant, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise KnowledgeError(path, line, f"reply '{name}' needs a text")
    if re.search(r"[{}]", re.sub(r"\{\w+\}", "", text)):
        raise KnowledgeError(path, line, f"reply '{name}': braces must hold one word the bot fills in, like {{center}}")


def load_spelling(path: Path) -> dict[str, Any]:
    """``spelling.yml``: words always replaced (``replace``) and words never corrected (``keep``), in lower case."""
    data = read_yaml(path)
    replace = {k: v for k, v in (data.get("replace") or {}).items() if k != "__line__"}
    for word, fixed in replace.items():
        if not isinstance(fixed, str) or not fixed or word != word.lower() or " " in word:
            raise KnowledgeError(path, data.get("__line__"), f"replace: '{word}' needs one lower-case word and a text")
    keep = data.get("keep") or []
    if not isinstance(keep, list) or not all(isinstance(w, str) for w in keep):
        raise KnowledgeError(path, data.get("__line__"), "keep: must be a list of words")
    return {"replace": replace, "keep": [w.lower() for w in keep]}


def load_word_classes(path: Path) -> dict[str, tuple[str, ...]]:
    """``word_classes.yml``: each class's lower-case words and phrases, by class name."""
    data = read_yaml(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    classes: dict[str, tuple[str, ...]] = {}
    for name, words in data.items():
        if name == "__line__":
            continue
        line = next((i + 1 for i, text in enumerate(lines) if text.startswith(f"{name}:")), data["__line__"])
        if not isinstance(name, str) or not CLASS_NAME.match(name):
            raise KnowledgeError(path, line, f"class '{name}' may use only lowercase letters, digits and _")
        if not isinstance(words, list) or not words:
            raise KnowledgeError(path, line, f"class '{name}' needs a list of words")
        for word in words:
            if not isinstance(word, str) or not word.strip():
                raise KnowledgeError(
                    path, line, f"class '{name}': {word!r} is not a word (write yes, no, on, off in quotes)"
                )
            if word != word.lower() or word != " ".join(word.split()):
                raise KnowledgeError(path, line, f"class '{name}': write '{word}' in lower case, single-spaced")
        classes[name] = tuple(words)
    return classes
