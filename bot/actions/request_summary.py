"""The answers of a request as shown (the summary, the written change-of-Center request) and as stored.

The words are in ``knowledge/replies/requests.yml``. IOR numbers are shown with
:attr:`bot.ior.IorNumber.display` (Social Security-format numbers masked); what is stored holds codes and keys,
never display text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any, Optional

from rasa_sdk import Tracker

from bot import replies
from bot.ior import IorNumber
from bot.knowledge import knowledge
from bot.requests.kinds import CHANGE_CENTER, OPTIONAL_FIELDS, OUTREACH_CALL, RequestKind, ior_from_value
from bot.requests.wording import (
    center_label,
    choice_label,
    hts_lines,
    hts_summary,
    months_label,
    reason_label,
    time_zone_label,
)


def _answers(tracker: Tracker, kind: RequestKind) -> dict[str, Any]:
    return {slot[len(kind.prefix) + 1 :]: tracker.get_slot(slot) for slot in kind.fields}


def complete(tracker: Tracker, kind: RequestKind) -> bool:
    """True when every answer the request needs is there."""
    return all(tracker.get_slot(s) is not None for s in kind.fields if s not in OPTIONAL_FIELDS)


def _iors(values: Any) -> list[IorNumber]:
    return [i for i in (ior_from_value(v) for v in (values or [])) if i]


def details_of(tracker: Tracker, kind: RequestKind) -> dict[str, Any]:
    """The request as stored (JSON): codes and keys, never display text; the email is stored apart."""
    answers = _answers(tracker, kind)
    answers.pop("email", None)
    return answers


def idempotency_key(conversation: str, kind: str, details: dict[str, Any], email: str) -> str:
    """The same conversation confirming the same answers gets the same key (and so the same stored request)."""
    payload = json.dumps({"conversation": conversation, "details": details, "email": email}, sort_keys=True)
    return f"{kind}:{hashlib.sha256(payload.encode()).hexdigest()}"


def _profile_note(profile: Sequence[dict[str, Any]], requested: Optional[str]) -> str:
    if not profile or not requested:
        return ""
    first = (
        max(profile, key=lambda p: p["share"] if p.get("share") is not None else -1)
        if any(p.get("share") is not None for p in profile)
        else profile[0]
    )
    answer = knowledge().classify_hts(first["chapter"])
    if answer is None or answer.center is None:
        return ""
    name = "utter_cc_profile_matches" if answer.center.code == requested else "utter_cc_profile_differs"
    return replies.text(name, chapter=first["chapter"], center=answer.center.label)


def summary_values(tracker: Tracker, kind: RequestKind) -> dict[str, str]:
    """The answers as shown in the summary (IOR numbers masked, Centers by name)."""
    a = _answers(tracker, kind)
    common = {"company": a["company"], "contact_name": a["contact_name"], "email": a["email"]}
    if kind is CHANGE_CENTER:
        return {
            **common,
            "ior_numbers": ", ".join(i.display for i in _iors(a["ior_numbers"])),
            "current_center": center_label(a["current_center"]),
            "requested_center": center_label(a["requested_center"]),
            "reason": reason_label(a["reason"], a["reason_detail"]),
            "hts_profile": hts_summary(a["hts_profile"]),
            "profile_note": _profile_note(a["hts_profile"], a["requested_center"]),
        }
    if kind is OUTREACH_CALL:
        return {
            **common,
            "role": choice_label("oc_role", a["role"]).lower(),
            "size": choice_label("oc_size", a["size"]).lower(),
            "center": center_label(a["center"]),
            "cadence": choice_label("oc_cadence", a["cadence"]),
            "time_zone": time_zone_label(a["time_zone"]),
        }
    ior = ior_from_value(a["ior_number"])
    return {
        **common,
        "ior_number": ior.display if ior else "",
        "center": center_label(a["center"]),
        "site": f"{a['site']['city']}, {a['site']['state']}",
        "months": months_label(a["months"]),
        "topic": a["topic"],
    }


def change_center_draft(tracker: Tracker, ref: str, today: Optional[dt.date] = None) -> str:
    """The written change-of-Center request, ready to copy (SSN-format IOR numbers masked)."""
    a = _answers(tracker, CHANGE_CENTER)
    day = today or dt.datetime.now(dt.timezone.utc).date()
    return replies.text(
        "utter_cc_draft",
        date=replies.text("utter_date", month=replies.month(day.month), day=day.day, year=day.year),
        company=a["company"],
        ior_lines="\n".join(f"- {i.display}" for i in _iors(a["ior_numbers"])),
        current_center=center_label(a["current_center"]),
        requested_center=center_label(a["requested_center"]),
        reason=reason_label(a["reason"], a["reason_detail"]),
        hts_lines=hts_lines(a["hts_profile"]),
        contact_name=a["contact_name"],
        email=a["email"],
        ref=ref,
    )
