"""Which Center handles a product (by HTS number or plain words) or an importer (by importer of record number).

The words are in ``knowledge/replies/lookup.yml``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, ClassVar, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import fuzzy, replies
from bot.actions import common, privacy
from bot.actions.common import say
from bot.actions.context import Query, TopicAction, handles, remember, resolve
from bot.actions.field_table import Fields, FieldTable, from_text
from bot.ior import IorFormatError, IorNumber, format_problem, parse_ior, try_parse_ior
from bot.knowledge import CHAPTER_WORD, knowledge, normalise_hts
from bot.requests.answers import Invalid

logger = logging.getLogger(__name__)

_DIGITS_IN_TEXT = re.compile(r"(?<![\w.-])(\d{4}(?:\.?\d{2}){0,3})(?![\w-])")


@handles("product")
async def product(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """Which Center handles goods named by HTS number or in plain words."""
    kb = knowledge()
    hts = query.hts or _hts_in_text(query.text)
    if hts is None and query.follow_up and normalise_hts(query.product):
        hts = query.product  # "and for April?" after an HTS question keeps the number
    if hts:
        answer = kb.classify_hts(hts)
        if answer is None:
            dispatcher.utter_message(**replies.render("utter_hts_not_found", hts=hts))
            return remember(query, product=hts, awaiting="product")
        dispatcher.utter_message(text=common.hts_answer(answer, replies.text("utter_hts_asked", hts=hts)))
        return remember(query, product=hts, center=answer.center.code if answer.center else None)
    found = fuzzy.product_in([query.typed, query.text], kb.find_product(query.product or query.text))
    if found:
        matched, code = found
        answer = kb.classify_hts(code)
        if answer:
            dispatcher.utter_message(text=common.hts_answer(answer, f"**{matched}**", from_words=True))
            return remember(query, product=matched, center=answer.center.code if answer.center else None)
    if query.centers and not query.follow_up:
        center = query.centers[0]
        dispatcher.utter_message(
            **replies.render(
                "utter_industry_center",
                center=common.center_sentence(center),
                industries=replies.center_industries(center),
                reminder=replies.text("utter_assignment_reminder"),
                source=kb.source_url,
            )
        )
        return remember(query)
    dispatcher.utter_message(**replies.render("utter_ask_product"))
    return remember(query, awaiting="product")


class ActionCenterForProduct(TopicAction):
    """Answers which Center handles goods named by HTS number or in plain words."""

    topic = "product"

    def name(self) -> str:
        return "action_center_for_product"


def _hts_in_text(text: str) -> Optional[str]:
    """An HTS number the entity ruler does not tag (e.g. a heading that looks like a year), if the text has one."""
    chapter = re.search(rf"\b{CHAPTER_WORD}\s+(\d{{1,2}})\b", text, re.IGNORECASE)
    if chapter:
        return f"chapter {chapter.group(1)}"
    for match in _DIGITS_IN_TEXT.finditer(text):
        if normalise_hts(match.group(1)):
            return match.group(1)
    return None


def _importer_number(text: str) -> str:
    """The importer of record number in the answer, in its canonical form.

    Raises:
        Invalid: the number's format is wrong; the reply says what is wrong with it.
    """
    try:
        return parse_ior(text).canonical
    except IorFormatError:
        raise Invalid("utter_ior_format_error", **_format_problem(text)) from None


class ValidateImporterLookupForm(FieldTable):
    """Checks the importer of record number's format and asks again, saying what is wrong, when it is not valid."""

    fields: ClassVar[Fields] = {"ior_number": from_text(_importer_number)}

    def name(self) -> str:
        return "validate_importer_lookup_form"


def _format_problem(text: str) -> dict[str, str]:
    """What is wrong with a number meant as an importer number (masked, never in full): the values of
    ``utter_ior_format_error``.
    """
    problem = format_problem(text)
    if problem is None:
        what, why = replies.text("utter_that_number"), replies.text("utter_ior_no_digits")
    else:
        what, why = (
            replies.text("utter_quoted_number", number=problem.typed),
            replies.text(problem.reply, **problem.values),
        )
    return {"what": what, "why": why}


class ActionAskImporterNumber(Action):
    """Asks for the importer number; when the question that started the look-up held a number in a wrong format,
    says what is wrong with it first.
    """

    def name(self) -> str:
        return "action_ask_importer_lookup_form_ior_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        text = str((tracker.latest_message or {}).get("text") or "")
        if not format_problem(text):
            dispatcher.utter_message(**replies.render("utter_ask_importer_lookup_form_ior_number"))
        elif tracker.get_slot("requested_slot") != "ior_number":  # asked again: validate_ior_number said it already
            say(dispatcher, "utter_ior_format_error", **_format_problem(text))
        return []


class ActionCenterForImporter(Action):
    """Answers which Center an importer is assigned to, from the database: the Center only, or with the importer's
    name and partner-account status for CBP staff (:mod:`bot.actions.privacy`); look-ups are rate-limited.
    """

    def name(self) -> str:
        return "action_center_for_importer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from bot.db import store

        ior = try_parse_ior(tracker.get_slot("ior_number"))
        if ior is None:
            dispatcher.utter_message(**replies.render("utter_ior_needed"))
            return [SlotSet("ior_number", None)]
        decision = await asyncio.to_thread(privacy.allow_lookups, tracker)  # Redis may be slow: off the loop
        if not decision.allowed:
            logger.info("Importer look-up refused: the rate limit is reached")
            dispatcher.utter_message(**privacy.limit_reply(decision))
            return [SlotSet("ior_number", None)]
        try:
            record = await asyncio.to_thread(store.find_importer, ior)
        except store.DatabaseUnavailable:
            logger.warning("Importer look-up failed: the database is unavailable")
            dispatcher.utter_message(text=common.database_down())
            return [SlotSet("ior_number", None)]
        staff = privacy.is_staff(tracker)
        dispatcher.utter_message(text=common.importer_answer(ior, record) if staff else _public_answer(ior, record))
        context = []
        if record:
            query = resolve(tracker, "importer")
            context = remember(
                query,
                center=record.center_code,
                importer=f"{ior.display} ({record.name})" if staff else ior.display,
            )
            context.append(SlotSet("ctx_partner", bool(record.partner_account) if staff else None))
        return [SlotSet("ior_number", None), *context]


def _public_answer(ior: IorNumber, record: Optional[Any]) -> str:
    """The Center of an importer without its name or partner status (anyone may ask); guidance when not found."""
    if record is None:
        return replies.text("utter_importer_not_found", ior=ior.display)
    sample = " " + replies.text("utter_importer_sample_note") if "sample" in record.source.lower() else ""
    return replies.text(
        "utter_importer_center_only",
        ior=ior.display,
        sample=sample,
        center=common.center_sentence(knowledge().center(record.center_code)),
        directory_line=common.directory_line(),
    )


@handles("importer")
async def importer(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """A follow-up on the importer just looked up ("is that a partner account?"), from the context."""
    tracker_slots = query.slots
    if not tracker_slots.get("ctx_importer") or not query.center:
        dispatcher.utter_message(**replies.render("utter_ask_importer_lookup_form_ior_number"))
        return remember(query)
    partner = tracker_slots.get("ctx_partner")  # kept for staff only
    dispatcher.utter_message(
        **replies.render(
            "utter_importer_again" if partner is not None else "utter_importer_again_center_only",
            importer=tracker_slots["ctx_importer"],
            center=common.center_sentence(query.center),
            partner=common.partner_sentence(bool(partner)),
            directory_line=common.directory_line(),
        )
    )
    return remember(query)
