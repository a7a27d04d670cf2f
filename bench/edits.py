"""How fast an answer edit reaches users: ``edit_live``, on CEE Guide's running server, with no training.

The server runs on a copy of ``knowledge/`` (``CEE_KNOWLEDGE_DIR``), so the benchmark edits it as CBP staff would edit
the real one: the first FAQ article that the bot answers when asked its first question gets a marker at the start of
its answer, and the figure is the time from saving the file to the first answer that carries it.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge import Article, load_knowledge

MARKER = "(Edited for the benchmark.) "


def edit_live(ask: Callable[[str, str], list[dict[str, Any]]], knowledge: Path, timeout: float = 60) -> dict[str, Any]:
    """Edit one FAQ answer in ``knowledge`` and wait until the running bot answers with the new text.

    Args:
        ask: sends a message as a sender and returns the bot's replies.
        knowledge: the copy of ``knowledge/`` the running servers read.
        timeout: seconds to wait for the new text.

    Raises:
        RuntimeError: no article is answered as asked, or the edit did not reach the bot within ``timeout``.
    """

    def answer(question: str) -> str:
        return "\n".join(str(r.get("text") or "") for r in ask(question, f"bench-edit-{uuid.uuid4().hex[:8]}"))

    faq = [a for a in load_knowledge(knowledge).articles if a.intent == "faq"]
    article = next((a for a in faq if a.answer.strip()[:30] in answer(a.questions[0])), None)
    if article is None:
        raise RuntimeError("the bot answers none of the FAQ articles' first questions with their article")
    _prepend(article, MARKER)
    saved = time.monotonic()
    while time.monotonic() - saved < timeout:
        if MARKER.strip() in answer(article.questions[0]):
            seconds = round(time.monotonic() - saved, 2)
            return {"seconds": seconds, "article": article.id, "question": article.questions[0]}
        time.sleep(0.25)
    raise RuntimeError(f"the edit of {article.id!r} did not reach the bot within {timeout:.0f} s")


def _prepend(article: Article, text: str) -> None:
    """Put ``text`` at the start of the article's answer in its file (the file is rewritten as YAML)."""
    data = yaml.safe_load(article.path.read_text(encoding="utf-8"))
    entry = next(item for item in data["articles"] if item.get("id") == article.id)
    entry["answer"] = text + str(entry["answer"])
    article.path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
