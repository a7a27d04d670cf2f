"""What turns stored values into shown values; every word comes from ``knowledge/replies`` via :mod:`bot.replies`."""

from __future__ import annotations

import functools
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
    chapters = knowledge().chapters
    lines = []
    for p in profile:
        title = chapters[p["chapter"]].title
        if p.get("share") is not None:
            lines.append(
                replies.text(
                    "utter_cc_draft_hts_line_share", chapter=p["chapter"], title=title, share=share_label(p["share"])
                )
            )
        else:
            lines.append(replies.text("utter_cc_draft_hts_line", chapter=p["chapter"], title=title))
    return "\n".join(lines)


def time_zone_label(value: dict[str, Optional[str]]) -> str:
    """``Central (America/Chicago)``, or ``Central`` when the zone was named in words."""
    return value["zone"] + (f" ({value['name']})" if value.get("name") else "")  # type: ignore[operator]


def months_label(value: dict[str, Any]) -> str:
    """``March or April 2026``; the words for any month when none was named."""
    names = list(value.get("months") or [])
    text = (
        either(", ".join(names[:-1]), names[-1])
        if len(names) > 1
        else (names[0] if names else replies.text("utter_sv_any_month"))
    )
    return text + (" " + functools.reduce(either, value["years"]) if value.get("years") else "")


def either(first: str, last: str) -> str:
    """``May or June``."""
    return replies.text("utter_either", first=first, last=last)


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
