"""Request summaries in Spanish (bot/requests/wording.py, bot/actions/request_summary.py): answers given in Spanish
and in English are stored the same, and the Spanish summary of them has no English word but the proper names.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker

from bot import language, replies
from bot.actions.request_summary import change_center_draft, details_of, summary_values
from bot.ior import IorNumber
from bot.knowledge import knowledge
from bot.requests.answers import parse_company, parse_contact_name, parse_email, parse_ior_numbers
from bot.requests.choices import parse_cadence, parse_reason, parse_role, parse_size
from bot.requests.hts_profile import parse_hts_profile
from bot.requests.kinds import CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT, RequestKind, ior_value
from bot.requests.places import parse_site
from bot.requests.times import parse_months, parse_time_zone
from bot.requests.wording import either, months_label, time_zone_label
from tests.request_play import make

_WORD = re.compile(r"[^\W\d_]+")


def _iors(text: str) -> list[dict[str, str]]:
    return [ior_value(i) for i in parse_ior_numbers(text)]


def _ior(text: str) -> dict[str, str]:
    ior: IorNumber = parse_ior_numbers(text)[0]
    return ior_value(ior)


def _reason(text: str) -> Any:
    return parse_reason(text, None)


# slot -> (reader, Spanish answer, English answer); the proper names are the same in both.
ANSWERS: dict[RequestKind, dict[str, tuple[Callable[[str], Any], str, str]]] = {
    OUTREACH_CALL: {
        "oc_company": (parse_company, "la empresa es Acme Imports", "our company is Acme Imports"),
        "oc_role": (lambda t: parse_role(t, None), "somos agente aduanal", "we are a customs broker"),
        "oc_size": (lambda t: parse_size(t, None), "pequeña empresa", "small"),
        "oc_center": (str, "CEE010", "CEE010"),
        "oc_contact_name": (parse_contact_name, "me llamo Ana Pérez", "my name is Ana Pérez"),
        "oc_email": (parse_email, "ana@acme.com", "ana@acme.com"),
        "oc_cadence": (lambda t: parse_cadence(t, None), "cada tres meses", "quarterly"),
        "oc_time_zone": (lambda t: parse_time_zone(t, None), "hora del Pacífico", "pacific time"),
    },
    SITE_VISIT: {
        "sv_company": (parse_company, "somos Acme Imports", "Acme Imports"),
        "sv_ior_number": (_ior, "12-3456789AB", "12-3456789AB"),
        "sv_center": (str, "CEE010", "CEE010"),
        "sv_site": (parse_site, "Dayton, Ohio", "Dayton, OH"),
        "sv_months": (parse_months, "agosto, septiembre u octubre de 2026", "Aug, Sep or Oct 2026"),
        "sv_contact_name": (parse_contact_name, "mi nombre es Ana Pérez", "Ana Pérez"),
        "sv_email": (parse_email, "ana@acme.com", "ana@acme.com"),
        "sv_topic": (str, "Partner", "Partner"),
    },
    CHANGE_CENTER: {
        "cc_ior_numbers": (_iors, "12-3456789AB", "12-3456789AB"),
        "cc_current_center": (str, "CEE005", "CEE005"),
        "cc_requested_center": (str, "CEE010", "CEE010"),
        "cc_reason": (lambda t: _reason(t)[0], "práctica comercial", "business practice"),
        "cc_reason_detail": (lambda t: _reason(t)[1], "práctica comercial", "business practice"),
        "cc_hts_profile": (parse_hts_profile, "84 60 por ciento, 85 30 por ciento", "84 60%, 85 30%"),
        "cc_company": (parse_company, "la empresa es Acme Imports", "Acme Imports"),
        "cc_contact_name": (parse_contact_name, "soy Ana Pérez", "Ana Pérez"),
        "cc_email": (parse_email, "ana@acme.com", "ana@acme.com"),
    },
}


def _slots(kind: RequestKind, which: int) -> dict[str, Any]:
    """The slots of a request answered in Spanish (``which`` 1) or in English (2)."""
    return {slot: entry[0](entry[which]) for slot, entry in ANSWERS[kind].items()}


@pytest.mark.parametrize("kind", list(ANSWERS), ids=lambda k: k.kind)
def test_spanish_and_english_answers_are_stored_the_same(kind: RequestKind) -> None:
    spanish, english = make(slots=_slots(kind, 1)), make(slots=_slots(kind, 2))
    assert details_of(spanish, kind) == details_of(english, kind)


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


def _proper_names(tracker: Tracker, kind: RequestKind) -> set[str]:
    """The words shown the same in both languages: the user's own words (names, email, topic, site, IOR numbers),
    the Centers' names and cities, and the words both languages write alike.
    """
    with language.use("es"):
        spanish = summary_values(tracker, kind)
    english = summary_values(tracker, kind)
    same = " ".join(v for k, v in spanish.items() if v == english[k])
    centers = " ".join(f"{c.label} {c.city}" for c in knowledge().centers)
    return _words(f"{same} {centers} HTS CEE") | {"a", "no", "de", "e", "s"}  # "s": "número(s)", "number(s)"


@pytest.mark.parametrize("kind", list(ANSWERS), ids=lambda k: k.kind)
def test_a_spanish_summary_has_no_english_word(kind: RequestKind) -> None:
    """No word of the English summary (the catalogue's fixed words and the fragments the code inserts) is in the
    Spanish one, but for the proper names.
    """
    tracker = make(slots=_slots(kind, 1))
    with language.use("es"):
        shown = replies.text(f"utter_{kind.prefix}_summary", **summary_values(tracker, kind))
    english = replies.text(f"utter_{kind.prefix}_summary", **summary_values(tracker, kind))
    assert not (_words(shown) & _words(english)) - _proper_names(tracker, kind), shown


def test_a_spanish_draft_has_no_english_word_but_the_office() -> None:
    tracker = make(slots=_slots(CHANGE_CENTER, 1))
    with language.use("es"):
        draft = change_center_draft(tracker, "CR-2026-000123")
    english = change_center_draft(tracker, "CR-2026-000123")
    office = _words("U.S. Customs and Border Protection (CBP), Office of Field Operations, CEE Guide: CR-2026-000123")
    left = _words(draft) & _words(english) - _proper_names(tracker, CHANGE_CENTER) - office
    assert not left, draft


def test_spanish_fragments() -> None:
    with language.use("es"):
        assert time_zone_label({"zone": "Central", "name": "America/Chicago"}) == "Hora del Centro (America/Chicago)"
        assert months_label({"months": ["September", "October"], "years": ["2026"]}) == "septiembre u octubre de 2026"
        assert months_label({"months": ["May", "June"], "years": []}) == "mayo o junio"
        assert either("siete", "ocho") == "siete u ocho" and either("plata", "hierro") == "plata o hierro"
    assert months_label({"months": ["September", "October"], "years": ["2026"]}) == "September or October 2026"
