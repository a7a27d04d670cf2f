"""Load ``knowledge/`` whole: once for the build, and again whenever a file changes while the bot runs."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any, Optional

from bot.knowledge.files import KnowledgeError
from bot.knowledge.language_choice import load_language_choice
from bot.knowledge.model import Knowledge
from bot.knowledge.tables import load_centers, load_hts, load_products
from bot.knowledge.texts import load_articles, load_replies, load_spelling, load_word_classes
from bot.knowledge.translations import load_translations
from bot.settings import KNOWLEDGE_DIR

logger = logging.getLogger("bot.knowledge")  # the name its log lines have always had


def load_knowledge(folder: Path = KNOWLEDGE_DIR) -> Knowledge:
    """Read and validate every knowledge file.

    Raises:
        KnowledgeError: the first mistake found, with its file and line.
    """
    source, directory, centers = load_centers(folder / "centers.yml")
    chapters, headings = load_hts(folder / "hts", {c.code for c in centers})
    origins: dict[str, tuple[Path, Optional[int]]] = {}
    responses, topics = load_replies(folder / "replies", origins)
    articles = load_articles(folder / "faq")
    products = load_products(folder / "products.yml", chapters)
    return Knowledge(
        source_url=source,
        directory_url=directory,
        centers=centers,
        chapters=chapters,
        headings=headings,
        products=products,
        articles=articles,
        responses=responses,
        topics=topics,
        spelling=load_spelling(folder / "spelling.yml"),
        word_classes=load_word_classes(folder / "word_classes.yml"),
        language_choice=load_language_choice(folder / "languages.yml"),
        translations=load_translations(folder, responses, origins, articles, centers, products, chapters, headings),
    )


RELOAD_CHECK_SECONDS = 1.0
_loaded: dict[str, Any] = {"knowledge": None, "signature": None, "checked": 0.0}


def _signature(folder: Path) -> tuple[tuple[str, int, int], ...]:
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
