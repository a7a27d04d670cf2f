"""What turns stored values into shown values; every word comes from ``knowledge/replies`` via :mod:`bot.replies`."""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from typing import Any, Optional

from bot import replies
from bot.knowledge import knowledge


def ordinal(n: int) -> str:
    """``first``, ``second``, ``third``, then ``4th``: the position of an item in a list.

    Args:
        n: the position, from 1.

    Returns:
        The position in words (from the replies catalogue).
    """
    return replies.text(f"utter_ordinal_{n}") if n <= 3 else replies.text("utter_ordinal_n", n=n)


def center_label(code: Optional[str]) -> str:
    """``Machinery Center (CEE010) in Laredo, TX``, or the words for an unknown Center."""
    if not code or code == "unknown":
        return replies.text("utter_cc_current_center_unknown")
    center = knowledge().center(code)
    return replies.text("utter_center_label_in_city", center=center.label, city=center.city)


def share_label(share: Any) -> str:
    """``60%``."""
    return f"{share}%"


def hts_summary(profile: Sequence[dict[str, Any]]) -> str:
    """``chapter 84: 60%, chapter 85: 30%``."""
    return ", ".join(
        replies.text("utter_cc_hts_chapter_share", chapter=p["chapter"], share=share_label(p["share"]))
        if p.get("share") is not None
        else replies.text("utter_cc_hts_chapter", chapter=p["chapter"])
        for p in profile
    )


def hts_lines(profile: Sequence[dict[str, Any]]) -> str:
    """One line per chapter, with its title, for the written request."""
    lines = []
    for p in profile:
        title = replies.chapter_title(p["chapter"])
        if p.get("share") is not None:
            lines.append(
                replies.text(
                    "utter_cc_draft_hts_line_share", chapter=p["chapter"], title=title, share=share_label(p["share"])
                )
            )
        else:
            lines.append(replies.text("utter_cc_draft_hts_line", chapter=p["chapter"], title=title))
    return "\n".join(lines)


# The question whose buttons show each stored choice (the buttons' titles are the words shown for it).
_CHOICE_QUESTIONS = {
    "cc_reason": "utter_ask_change_center_form_cc_reason",
    "oc_role": "utter_ask_outreach_call_form_oc_role",
    "oc_size": "utter_ask_outreach_call_form_oc_size",
    "oc_cadence": "utter_ask_outreach_call_form_oc_cadence",
    "oc_time_zone": "utter_ask_outreach_call_form_oc_time_zone",
}


def choice_label(slot: str, value: str) -> str:
    """A stored choice as on its button, in the answer's language: ``oc_cadence`` ``monthly`` → ``Monthly``
    (``Mensual``); the value itself when no button shows it.
    """
    return replies.button_titles(_CHOICE_QUESTIONS[slot], "choice").get(value, value)


def reason_label(reason: str, detail: Optional[str]) -> str:
    """The reason for a change of Center as on its button, with the user's description when there is one."""
    title = choice_label("cc_reason", reason)
    return f"{title}: {detail}" if detail else title


def time_zone_label(value: dict[str, Optional[str]]) -> str:
    """``Central (America/Chicago)``, or ``Central`` when the zone was named in words (``Hora del Centro`` in
    Spanish).
    """
    zone = choice_label("oc_time_zone", str(value["zone"]))
    return zone + (f" ({value['name']})" if value.get("name") else "")


def months_label(value: dict[str, Any]) -> str:
    """``March or April 2026`` (``marzo o abril de 2026``): the months stored by their English names, shown in the
    answer's language; the words for any month when none was named.
    """
    names = [replies.month(list(calendar.month_name).index(name)) for name in value.get("months") or []]
    text = (
        either(", ".join(names[:-1]), names[-1])
        if len(names) > 1
        else (names[0] if names else replies.text("utter_sv_any_month"))
    )
    if not value.get("years"):
        return text
    return replies.text("utter_months_in_year", months=text, years=functools.reduce(either, value["years"]))


_SOUND_O = re.compile(r"^h?o", re.I)  # Spanish writes "u" for "o" before this sound: "septiembre u octubre"


def either(first: str, last: str) -> str:
    """``May or June``; ``utter_either_o`` when ``last`` starts with the sound o ("septiembre u octubre")."""
    return replies.text("utter_either_o" if _SOUND_O.match(last) else "utter_either", first=first, last=last)


def suggestion_text(suggestion: dict[str, Any]) -> str:
    """``12-3456789AB (Sample Machinery Works Inc, fictional sample data) is assigned to the Machinery Center ...``;
    without the name for anonymous users: ``12-3456789AB (fictional sample data) is assigned to ...``.
    """
    parts = []
    for item in suggestion["found"]:
        center = knowledge().center(item["center"]).label
        sample = replies.text("utter_sample_data_note") if item.get("sample") else ""
        if not item.get("name"):  # not shown to anonymous users (bot.actions.privacy)
            note = f" ({sample})" if sample else ""
            parts.append(replies.text("utter_found_importer_center_only", ior=item["ior"] + note, center=center))
            continue
        name = item["name"] + (", " + sample if sample else "")
        parts.append(replies.text("utter_found_importer", ior=item["ior"], name=name, center=center))
    return "; ".join(parts)
