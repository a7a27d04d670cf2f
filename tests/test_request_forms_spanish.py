"""The three request forms played in Spanish (issue 16): answered in Spanish words, they store what the same
requests answered in English store, and every question, summary and confirmation is in Spanish.

Helpers and the database fixture are described in tests/request_play.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot import language
from bot.actions.request_steps import ActionSubmitChangeCenter, ActionSubmitOutreachCall, ActionSubmitSiteVisit
from bot.requests.kinds import CHANGE_CENTER, OUTREACH_CALL, SITE_VISIT, RequestKind
from tests.request_play import Conversation, ent, fill_change_center, fill_outreach_call, fill_site_visit, stored, texts


def fill_outreach_call_es(conv: Conversation) -> None:
    conv.start("quiero inscribirme en las llamadas informativas")
    for answer in (
        "la empresa es Harbor Tools Group",
        "somos agente aduanal",
        "una pequeña empresa",
        ("Metales Básicos", "center_info", [ent("center", "Base Metals")]),
        "me llamo Tom Becker",
        "tom@harbortools.com",
        "cada tres meses",
        "hora del centro",
    ):
        conv.say(*answer) if isinstance(answer, tuple) else conv.say(answer)
    assert conv.requested == "oc_confirm"


def fill_site_visit_es(conv: Conversation) -> None:
    conv.start("quisiera pedir una visita a nuestras instalaciones")
    conv.say("somos Gulf Energy Traders")
    conv.say("232704-00123", "center_for_importer")
    conv.say("sí")
    for answer in (
        "Houston, Texas",
        "marzo o abril de 2026",
        "mi nombre es Ana Ruiz",
        "ana@gulfenergy.com",
        "a walkthrough of our classification process",
    ):
        conv.say(answer)
    assert conv.requested == "sv_confirm"


def fill_change_center_es(conv: Conversation) -> None:
    conv.start("quiero solicitar un cambio de Centro")
    conv.say("12-3456789AB", "center_for_importer")
    conv.say("sí") if conv.slots.get("cc_center_suggestion") else conv.say("Maquinaria", "center_info")
    conv.say("Electrónica", "center_info", [ent("center", "Electronics")])
    conv.say("línea de productos")
    conv.say("85 70 por ciento, 84 20 por ciento")
    conv.say("la empresa es Acme Imports LLC")
    conv.say("soy Jane Smith")
    conv.say("jane.smith@acme.com")
    assert conv.requested == "cc_confirm"


PLAYS: list[tuple[RequestKind, Callable[[Conversation], None], Callable[[Conversation], None], Any, list[str]]] = [
    (OUTREACH_CALL, fill_outreach_call_es, fill_outreach_call, ActionSubmitOutreachCall(), ["Trimestral"]),
    (SITE_VISIT, fill_site_visit_es, fill_site_visit, ActionSubmitSiteVisit(), ["marzo o abril de 2026"]),
    (CHANGE_CENTER, fill_change_center_es, fill_change_center, ActionSubmitChangeCenter(), ["Capítulo 85"]),
]


@pytest.mark.parametrize("kind, spanish, english, submit, shown", PLAYS, ids=lambda v: getattr(v, "kind", ""))
def test_a_request_answered_in_spanish_is_stored_as_in_english(
    sample_db_url: str,
    kind: RequestKind,
    spanish: Callable[[Conversation], None],
    english: Callable[[Conversation], None],
    submit: Any,
    shown: list[str],
) -> None:
    with language.use("es"):
        conv = Conversation(kind, sender="es-1")
        spanish(conv)
        summary = texts(conv.ask())
        conv.say("sí")
        done = texts(conv.after(submit, "sí", "affirm"))
    assert summary.startswith("Esta es su") and all(s in summary + done for s in shown), summary + done
    assert "Your reference" not in done and "Su referencia es" in done
    other = Conversation(kind, sender="en-1")
    english(other)
    other.say("yes", "affirm")
    other.after(submit, "yes", "affirm")
    es, en = stored(kind.kind)
    assert es.details == en.details and es.contact_email == en.contact_email
