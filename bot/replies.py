"""The one renderer of what users read: every sentence lives in ``knowledge/replies/*.yml`` under a reply key.

Actions, channels and the server's safety nets name a reply and its values; this module fills the placeholders and
masks every Social Security-format number. Pure formatting (``12,345``, ``**bold**``) stays in the code that builds
the values; words do not (``tests/test_replies_catalogue.py`` checks it).
"""

from __future__ import annotations

import re
from typing import Any

from bot.ior import mask_text
from bot.knowledge import Article, knowledge

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(name: str, /, **values: Any) -> dict[str, Any]:
    """A reply from ``knowledge/replies/*.yml`` as a message: ``{"text": ..., "buttons": [...]}``.

    ``{placeholders}`` are filled from ``values`` in one pass (a value's own text is never searched for placeholders;
    unknown placeholders stay as they are); runs of blank lines left by empty values are reduced to one; leading and
    trailing blanks are removed; every Social Security-format number is masked. Buttons are included when the reply
    has some.

    Args:
        name: the reply key, e.g. ``utter_center_contact``.
        **values: the placeholders' values (shown with ``str``).

    Returns:
        The message, ready for ``dispatcher.utter_message(**message)``.
    """
    variant = knowledge().responses[name][0]
    filled = _PLACEHOLDER.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), str(variant.get("text") or "")
    )
    message: dict[str, Any] = {"text": mask_text(re.sub(r"\n{3,}", "\n\n", filled).strip())}
    if variant.get("buttons"):
        message["buttons"] = [dict(button) for button in variant["buttons"]]
    return message


def text(name: str, /, **values: Any) -> str:
    """The text of a reply (see :func:`render`): a sentence or a fragment that goes into another reply."""
    return str(render(name, **values)["text"])


def article_reply(article: Article) -> str:
    """An FAQ or small-talk answer as the bot sends it: the answer, then its source (``utter_article``)."""
    return text("utter_article", answer=article.answer.strip(), source=article.source)
