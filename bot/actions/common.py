"""What the actions share: sending a reply and reading its buttons, the intent and entities of a message, numbers
and tables, and the answers several actions give.

The words are in ``knowledge/replies/`` and rendered by :mod:`bot.replies`; this module only chooses and joins them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import replies
from bot.ior import IorNumber
from bot.knowledge import Center, HtsAnswer, knowledge


def number(value: float) -> str:
    """A count as people read it: ``12,345``."""
    return f"{value:,.0f}"


def percent(value: float) -> str:
    """A signed percentage change: ``+4.2%``."""
    return f"{value:+.1f}%"


def directory_line() -> str:
    """Where to find a person at a Center."""
    return replies.text("utter_directory_line")


def center_sentence(center: Center) -> str:
    """``the Machinery Center (CEE010) in Laredo, TX``."""
    return replies.text("utter_center_in_city", center=center.label, city=center.city)


def source_line() -> str:
    """``Source: <CBP's page on the Centers>``, the last line of answers from CBP's published scope."""
    return replies.text("utter_source", source=knowledge().source_url)


def say(dispatcher: CollectingDispatcher, response: str, **values: Any) -> None:
    """Send a reply from knowledge/replies (placeholders filled, SSN-format numbers masked)."""
    dispatcher.utter_message(**replies.render(response, **values))


def intent_of(tracker: Tracker) -> Optional[str]:
    """The intent of the latest user message."""
    return (tracker.latest_message.get("intent") or {}).get("name")


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Every value of ``entity`` in the latest user message, in order."""
    return [str(e.get("value")) for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def first_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The first value of ``entity`` in the latest user message."""
    values = entity_values(tracker, entity)
    return values[0] if values else None


def mentioned_centers(tracker: Tracker) -> list[Center]:
    """The Centers named in the latest user message (by full name, short name, code or city), without repeats."""
    found: list[Center] = []
    for value in entity_values(tracker, "center"):
        center = knowledge().find_center(value)
        if center and center not in found:
            found.append(center)
    return found


def table(caption: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """A table for channels that can draw one (the web chat); the text of the same message says it in words."""
    return {"type": "table", "caption": caption, "columns": list(columns), "rows": [list(r) for r in rows]}


def database_down() -> str:
    """What the bot says when the Center database cannot be reached."""
    return replies.text("utter_database_down")


def hts_answer(answer: HtsAnswer, asked: str, from_words: bool = False) -> str:
    """Where goods go, how sure that is, and the reminder that importers are assigned by primary product line."""
    if answer.follows_goods:
        return replies.text("utter_hts_follows_goods", asked=asked, chapter=answer.chapter)
    title = replies.chapter_title(answer.chapter)
    if from_words:
        intro = replies.text(
            "utter_hts_intro_from_words", asked=asked, code=_dotted(answer.code), chapter=answer.chapter, title=title
        )
    else:
        intro = replies.text("utter_hts_intro", asked=asked, chapter=answer.chapter, title=title)
    if answer.center is None:
        return replies.text("utter_hts_unpublished", intro=intro, note=replies.hts_note(answer.note))
    parts = [replies.text("utter_hts_center", intro=intro, center=center_sentence(answer.center))]
    if answer.by_heading and answer.note:
        note = replies.hts_note(answer.note)
        parts.append(replies.text("utter_hts_heading_note", note=f"{note[0].upper()}{note[1:]}"))
    parts.append(replies.text("utter_hts_published" if answer.confidence == "published" else "utter_hts_guidance"))
    if from_words:
        parts.append(replies.text("utter_hts_check_classification"))
    return "\n".join((" ".join(parts), replies.text("utter_assignment_reminder"), source_line()))


def _dotted(digits: str) -> str:
    """``847130`` → ``8471.30``; chapters stay as they are."""
    if len(digits) <= 4:
        return digits
    parts = [digits[:4], digits[4:6], digits[6:]]
    return ".".join(p for p in parts if p)


def partner_sentence(partner: bool) -> str:
    """Whether the importer is a partner account, as a sentence."""
    return replies.text("utter_importer_partner" if partner else "utter_importer_not_partner")


def importer_answer(ior: IorNumber, record: Optional[Any]) -> str:
    """The Center of an importer found in the database, or guidance when it is not there."""
    if record is None:
        return replies.text("utter_importer_not_found", ior=ior.display)
    center = knowledge().center(record.center_code)
    sample = " " + replies.text("utter_importer_sample_note") if "sample" in record.source.lower() else ""
    return replies.text(
        "utter_importer_found",
        ior=ior.display,
        name=record.name,
        sample=sample,
        center=center_sentence(center),
        partner=partner_sentence(bool(record.partner_account)),
        directory_line=directory_line(),
    )
