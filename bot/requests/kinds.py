"""The three kinds of request, the slots of their forms, and how answers are kept in slots and in the database."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

from bot import replies, vocab
from bot.ior import IorKind, IorNumber
from bot.requests.words import NOTHING, choice_patterns


@dataclass(frozen=True)
class RequestKind:
    """One kind of request and the slots of its form."""

    kind: str  # the kind stored in the database: change_center, outreach_call, site_visit
    prefix: str  # of its slots: cc, oc, sv
    fields: tuple[str, ...]  # the answers, in the order they are asked
    helpers: tuple[str, ...] = ()  # other slots of the form, reset with it

    @property
    def trigger(self) -> str:
        """The intent that starts it."""
        return vocab.request_intent(self.kind)

    @property
    def form(self) -> str:
        """The form's name, e.g. ``change_center_form``."""
        return f"{self.kind}_form"

    @property
    def confirm(self) -> str:
        """The slot of the answer to the summary, e.g. ``cc_confirm``."""
        return f"{self.prefix}_confirm"

    @property
    def ref_slot(self) -> str:
        """The slot of the stored request's reference, e.g. ``cc_ref``."""
        return f"{self.prefix}_ref"

    @property
    def email(self) -> str:
        """The slot of the contact's email address, e.g. ``cc_email``."""
        return f"{self.prefix}_email"

    @property
    def all_slots(self) -> tuple[str, ...]:
        """Every slot of the form: the answers, the summary's, the reference and the helpers."""
        return (*self.fields, self.confirm, self.ref_slot, *self.helpers)

    @property
    def what(self) -> str:
        """``change-of-Center request``, as used in sentences."""
        return replies.text(f"utter_request_what_{self.kind}")


CHANGE_CENTER = RequestKind(
    vocab.CHANGE_CENTER,
    "cc",
    (
        "cc_ior_numbers",
        "cc_current_center",
        "cc_requested_center",
        "cc_reason",
        "cc_reason_detail",
        "cc_hts_profile",
        "cc_company",
        "cc_contact_name",
        "cc_email",
    ),
    ("cc_center_suggestion",),
)
OUTREACH_CALL = RequestKind(
    vocab.OUTREACH_CALL,
    "oc",
    ("oc_company", "oc_role", "oc_size", "oc_center", "oc_contact_name", "oc_email", "oc_cadence", "oc_time_zone"),
)
SITE_VISIT = RequestKind(
    vocab.SITE_VISIT,
    "sv",
    ("sv_company", "sv_ior_number", "sv_center", "sv_site", "sv_months", "sv_contact_name", "sv_email", "sv_topic"),
    ("sv_center_suggestion",),
)
KINDS: dict[str, RequestKind] = {k.kind: k for k in (CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT)}
BY_FORM: dict[str, RequestKind] = {k.form: k for k in KINDS.values()}

# Answers asked only in some cases (see required_slots), and answers cleared with another one.
OPTIONAL_FIELDS = ("cc_reason_detail",)
CLEARED_WITH: dict[str, tuple[str, ...]] = {
    "cc_ior_numbers": ("cc_center_suggestion",),
    "cc_current_center": ("cc_center_suggestion",),
    "cc_reason": ("cc_reason_detail",),
    "sv_ior_number": ("sv_center_suggestion",),
    "sv_center": ("sv_center_suggestion",),
}
# Words that name an answer in "change my email" (checked in this order: "contact email" is the email).
FIELD_WORDS: dict[str, Sequence[tuple[str, str]]] = {
    "change_center": (
        ("cc_email", r"e-?mail"),
        ("cc_company", r"\bcompany\b|\bfirm\b|\bbusiness name\b"),
        ("cc_contact_name", r"\bcontact\b|\bname\b|\bperson\b"),
        ("cc_reason", r"\breason\b|\bwhy\b"),
        ("cc_hts_profile", r"\bhts\b|\bchapters?\b|\bprofile\b"),
        ("cc_requested_center", r"\brequested\b|\bnew cent|\bdesired\b|\btarget\b|\bwant"),
        ("cc_current_center", r"\bcurrent\b|\bpresent\b|\bexisting\b"),
        ("cc_ior_numbers", r"\bior\b|\biors\b|\bimporter\b|\brecord numbers?\b"),
    ),
    "outreach_call": (
        ("oc_email", r"e-?mail"),
        ("oc_company", r"\bcompany\b|\bfirm\b|\bbusiness name\b"),
        ("oc_contact_name", r"\bcontact\b|\bname\b|\bperson\b"),
        ("oc_role", r"\brole\b|\bbroker\b|\bimporter\b"),
        ("oc_size", r"\bsize\b|" + "|".join(rf"\b{size}\b" for size in vocab.SIZES)),
        ("oc_time_zone", r"time ?zone|\btz\b"),
        ("oc_cadence", r"\bcadence\b|\bhow often\b|\bfrequency\b|\bmonthly\b|\bquarterly\b"),
        ("oc_center", r"\bcent(er|re)\b|\bcee\b"),
    ),
    "site_visit": (
        ("sv_email", r"e-?mail"),
        ("sv_company", r"\bcompany\b|\bfirm\b|\bbusiness name\b"),
        ("sv_contact_name", r"\bcontact\b|\bname\b|\bperson\b"),
        ("sv_topic", r"\btopic\b|\bsubject\b|\bagenda\b"),
        ("sv_months", r"\bmonths?\b|\bwhen\b|\bdates?\b"),
        ("sv_site", r"\bsite\b|\baddress\b|\bcity\b|\bstate\b|\blocation\b|\bwhere\b"),
        ("sv_ior_number", r"\bior\b|\bimporter\b|\brecord number\b"),
        ("sv_center", r"\bcent(er|re)\b|\bcee\b"),
    ),
}


def field_in(text: str, kind: RequestKind) -> Optional[str]:
    """The answer of ``kind`` that ``text`` names ("change my email", "cambiar mi correo"), in English
    (:data:`FIELD_WORDS`) or another language (``field`` in ``knowledge/<language>/words.yml``), if any.
    """
    lower = str(text or "").lower()
    english = next((slot for slot, pattern in FIELD_WORDS[kind.kind] if re.search(pattern, lower)), None)
    other = choice_patterns("field", {})
    return english or next(
        (slot for slot, _ in FIELD_WORDS[kind.kind] if re.search(other.get(field_name(slot), NOTHING), lower)), None
    )


def field_name(slot: str) -> str:
    """The answer a slot holds, as named in :data:`bot.vocab.FIELDS`: ``cc_ior_numbers`` → ``ior_number``."""
    name = slot.split("_", 1)[1]
    return "ior_number" if name == "ior_numbers" else name


def ior_value(ior: IorNumber) -> dict[str, str]:
    """How an IOR number is kept in a slot and in the database: its key (never hyphenated) and its format."""
    return {"key": ior.key, "kind": ior.kind.value}


def ior_from_value(value: Any) -> Optional[IorNumber]:
    """The IOR number kept by :func:`ior_value`, or None when ``value`` is not one."""
    if isinstance(value, dict) and value.get("key") and value.get("kind") in {k.value for k in IorKind}:
        return IorNumber(IorKind(value["kind"]), str(value["key"]))
    return None
