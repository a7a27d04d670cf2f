"""Formatting shared by the actions: Centers, numbers, periods, sources. The one place that formats answers."""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence

from rasa_sdk import Tracker

from bot.ior import IorNumber, mask_text
from bot.knowledge import Center, HtsAnswer, knowledge
from bot.settings import CEE_DIRECTORY_URL


def number(value: float) -> str:
    """A count as people read it: ``12,345``."""
    return f"{value:,.0f}"


def percent(value: float) -> str:
    """A signed percentage change: ``+4.2%``."""
    return f"{value:+.1f}%"


def directory_line() -> str:
    """Where to find a person at a Center."""
    return f"Center contacts are in the CEE Directory: {CEE_DIRECTORY_URL}"


def center_sentence(center: Center) -> str:
    """``the Machinery Center (CEE010) in Laredo, TX``."""
    return f"the {center.label} in {center.city}"


def entity_values(tracker: Tracker, entity: str) -> List[str]:
    """Every value of ``entity`` in the latest user message, in order."""
    return [str(e.get("value")) for e in tracker.latest_message.get("entities", []) if e.get("entity") == entity]


def first_entity(tracker: Tracker, entity: str) -> Optional[str]:
    """The first value of ``entity`` in the latest user message."""
    values = entity_values(tracker, entity)
    return values[0] if values else None


def mentioned_centers(tracker: Tracker) -> List[Center]:
    """The Centers named in the latest user message (by full name, short name, code or city), without repeats."""
    found: List[Center] = []
    for value in entity_values(tracker, "center"):
        center = knowledge().find_center(value)
        if center and center not in found:
            found.append(center)
    return found


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render(name: str, /, **values: Any) -> Dict[str, Any]:
    """A fixed reply from ``knowledge/replies/*.yml`` as a message: ``{"text": ..., "buttons": [...]}``.

    ``{placeholders}`` are filled from ``values`` in one pass (a value's own text is never searched for placeholders;
    unknown placeholders stay as they are); runs of blank lines left by empty values are reduced to one; every
    Social Security-format number is masked. Buttons are included when the reply has some.
    """
    variant = knowledge().responses[name][0]
    text = _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0),
                            str(variant.get("text") or ""))
    message: Dict[str, Any] = {"text": mask_text(re.sub(r"\n{3,}", "\n\n", text).strip())}
    if variant.get("buttons"):
        message["buttons"] = [dict(button) for button in variant["buttons"]]
    return message


def table(caption: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> Dict[str, Any]:
    """A table for channels that can draw one (the web chat); the text of the same message says it in words."""
    return {"type": "table", "caption": caption, "columns": list(columns), "rows": [list(r) for r in rows]}


ASSIGNMENT_REMINDER = (
    "Keep in mind that CBP assigns each importer to one Center by its primary product line (the HTS classification of "
    "most of the goods it imports), so your Center depends on your whole import profile, not on one product."
)


def database_down() -> str:
    """What the bot says when the Center database cannot be reached."""
    return (
        "Sorry, Center figures and importer look-ups are unavailable right now (I can't reach the Center database). "
        f"Please try again later. Meanwhile, a Center can answer directly: {CEE_DIRECTORY_URL}"
    )


def hts_answer(answer: HtsAnswer, asked: str, from_words: bool = False) -> str:
    """Where goods go, how sure that is, and the reminder that importers are assigned by primary product line."""
    kb = knowledge()
    if answer.follows_goods:
        return (
            f"{asked} is in chapter {answer.chapter}, a special provision: the Center follows the underlying goods. "
            "Tell me the goods' regular HTS number or describe them, and I'll find the Center."
        )
    where = f"HTS {_dotted(answer.code)}, chapter {answer.chapter} ({answer.chapter_title})"
    intro = f"{asked} is usually classified under {where}" if from_words else f"{asked} is in chapter {answer.chapter} ({answer.chapter_title})"
    if answer.center is None:
        return (
            f"{intro}. CBP has not published which Center handles it: {answer.note}. "
            f"Please ask a Center through the CEE Directory: {CEE_DIRECTORY_URL}"
        )
    text = f"{intro}. It is handled by {center_sentence(answer.center)}."
    if answer.by_heading and answer.note:
        text += f" ({answer.note[0].upper()}{answer.note[1:]}.)"
    if answer.confidence == "published":
        text += " This follows CBP's published scope for that Center."
    else:
        text += " This is guidance based on the usual assignment by industry, not a CBP ruling."
    if from_words:
        text += " Check your goods' actual classification: a different HTS number can mean a different Center."
    return f"{text}\n{ASSIGNMENT_REMINDER}\nSource: {kb.source_url}"


def _dotted(digits: str) -> str:
    """``847130`` → ``8471.30``; chapters stay as they are."""
    if len(digits) <= 4:
        return digits
    parts = [digits[:4], digits[4:6], digits[6:]]
    return ".".join(p for p in parts if p)


def importer_answer(ior: IorNumber, record: Optional[Any]) -> str:
    """The Center of an importer found in the database, or guidance when it is not there."""
    if record is None:
        return (
            f"I couldn't find importer {ior.display} in the Center data I have. That doesn't mean it has no Center: "
            "your customs broker can run the ACE importer query (KI), whose reply shows the Center, or you can ask a "
            f"Center through the CEE Directory: {CEE_DIRECTORY_URL}"
        )
    center = knowledge().center(record.center_code)
    partner = "is a partner account" if record.partner_account else "is not a partner account"
    sample = " (from the fictional sample data)" if "sample" in record.source.lower() else ""
    return (
        f"Importer {ior.display} ({record.name}){sample} is assigned to {center_sentence(center)}. It {partner}.\n"
        f"{directory_line()}"
    )
