"""The one renderer of what users read: every sentence lives in ``knowledge/replies/*.yml`` under a reply key, and
its translations in ``knowledge/<language>/replies/`` under the same key (the answer's language: ``bot/language.py``).

Actions, channels and the server's safety nets name a reply and its values; this module fills the placeholders and
masks every Social Security-format number. Pure formatting (``12,345``, ``**bold**``) stays in the code that builds
the values; words do not (``tests/test_replies_catalogue.py`` checks it).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot import language
from bot.ior import mask_text
from bot.knowledge import Article, Center, Knowledge, knowledge

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
    kb = knowledge()
    variant = responses_in(kb, language.current()).get(name, kb.responses[name])[0]
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


def payload_values(payload: str) -> dict[str, Any]:
    """The entities of a button payload such as ``/inform{"choice":"other"}``."""
    match = re.match(r"^/\w+(\{.*\})\s*$", payload or "")
    try:
        return json.loads(match.group(1)) if match else {}
    except ValueError:
        return {}


def button_titles(name: str, key: str) -> dict[str, str]:
    """The titles of a reply's buttons in the answer's language, by the value they send for ``key`` (``choice``):
    ``{"monthly": "Monthly"}``; also the words that show a stored choice (``Mensual`` in a Spanish summary).
    """
    kb = knowledge()
    buttons = responses_in(kb, language.current()).get(name, kb.responses[name])[0].get("buttons") or []
    return {
        str(value): str(button["title"])
        for button in buttons
        for k, value in payload_values(str(button.get("payload"))).items()
        if k == key
    }


def month(number: int, short: bool = False) -> str:
    """The name of month ``number`` (1-12) in the answer's language: ``September``, short ``Sep``."""
    names = text("utter_month_short_names" if short else "utter_month_names").split(",")
    return names[number - 1].strip()


def _translated(table: str, key: str, english: str) -> str:
    """``english``, or its text in the answer's language: the entry ``key`` of the translation's ``table``."""
    translation = knowledge().translations.get(language.current())
    found = getattr(translation, table).get(key) if translation else None
    return str(found) if found else english


def chapter_title(chapter: str) -> str:
    """The title of HTS chapter ``chapter`` (``84``) in the answer's language (``knowledge/<language>/hts``)."""
    return _translated("chapter_titles", chapter, knowledge().chapters[chapter].title)


def hts_note(note: str) -> str:
    """An HTS heading range's note (``hts/headings.csv``) in the answer's language (``knowledge/<language>/hts``)."""
    return _translated("heading_notes", note, note)


def center_industries(center: Center) -> str:
    """What ``center`` covers (its ``industries``) in the answer's language (``knowledge/<language>/centers.yml``)."""
    return _translated("industries", center.code, center.industries)


def responses_in(kb: Knowledge, chosen: str) -> dict[str, list[dict[str, Any]]]:
    """The fixed replies in a language (``knowledge/<language>/replies``); English, or a language without
    translations, gives the English ones. A reply listed as English only is not among another language's.
    """
    translation = kb.translations.get(chosen)
    return translation.responses if translation else kb.responses


def article_in(kb: Knowledge, article: Article, chosen: str) -> Article:
    """The article in a language: its translation when there is one, else the article itself."""
    translation = kb.translations.get(chosen)
    return (translation.article(article.retrieval_intent) if translation else None) or article


def article_reply(article: Article) -> str:
    """An FAQ or small-talk answer as the bot sends it in the language of the answer: the answer, then its source
    (``utter_article``).
    """
    shown = article_in(knowledge(), article, language.current())
    return text("utter_article", answer=shown.answer.strip(), source=shown.source)
