"""Which Center handles a product (by HTS number or plain words) or an importer (by importer of record number)."""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions import replies
from bot.ior import EXAMPLES, IorFormatError, parse_ior, try_parse_ior
from bot.knowledge import HtsAnswer, knowledge, normalise_hts

logger = logging.getLogger(__name__)

_DIGITS_IN_TEXT = re.compile(r"(?<![\w.-])(\d{4}(?:\.?\d{2}){0,3})(?![\w-])")


class ActionCenterForProduct(Action):
    """Answers which Center handles goods named by HTS number or in plain words."""

    def name(self) -> Text:
        return "action_center_for_product"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = knowledge()
        text = tracker.latest_message.get("text") or ""
        hts = replies.first_entity(tracker, "hts_code") or _hts_in_text(text)
        if hts:
            answer = kb.classify_hts(hts)
            if answer is None:
                dispatcher.utter_message(
                    text=f"I couldn't find HTS {hts}: an HTS number has a chapter from 01 to 99 and 2, 4, 6, 8 or 10 "
                    "digits, like 0306.17 or 8471.30.0100. Could you check it?"
                )
                return []
            dispatcher.utter_message(text=replies.hts_answer(answer, f"HTS {hts}"))
            return []
        words = replies.first_entity(tracker, "product")
        found = kb.find_product(words or text)
        if found:
            matched, code = found
            answer = kb.classify_hts(code)
            if answer:
                dispatcher.utter_message(text=replies.hts_answer(answer, f"**{matched}**", from_words=True))
                return []
        centers = replies.mentioned_centers(tracker)
        if centers:
            center = centers[0]
            dispatcher.utter_message(
                text=f"Goods of that industry usually go to {replies.center_sentence(center)}, which covers "
                f"{center.industries}. {replies.ASSIGNMENT_REMINDER}\nSource: {kb.source_url}"
            )
            return []
        dispatcher.utter_message(
            text="Which product do you mean? Give me its HTS number (for example 0306.17 or 8471.30) or describe it "
            "in a few words (for example \"frozen shrimp\" or \"brake pads\")."
        )
        return []


def _hts_in_text(text: str) -> Optional[str]:
    """An HTS number the entity ruler does not tag (e.g. a heading that looks like a year), if the text has one."""
    chapter = re.search(r"\bchapter\s+(\d{1,2})\b", text, re.IGNORECASE)
    if chapter:
        return f"chapter {chapter.group(1)}"
    for match in _DIGITS_IN_TEXT.finditer(text):
        if normalise_hts(match.group(1)):
            return match.group(1)
    return None


class ValidateImporterLookupForm(FormValidationAction):
    """Checks the importer of record number's format and asks again, with examples, when it is wrong."""

    def name(self) -> Text:
        return "validate_importer_lookup_form"

    async def validate_ior_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        try:
            ior = parse_ior(str(value or ""))
        except IorFormatError as exc:
            dispatcher.utter_message(text=str(exc))
            return {"ior_number": None}
        return {"ior_number": ior.key}


class ActionCenterForImporter(Action):
    """Answers which Center an importer is assigned to, from the database, with its partner-account status."""

    def name(self) -> Text:
        return "action_center_for_importer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        from bot.db import store

        ior = try_parse_ior(tracker.get_slot("ior_number"))
        if ior is None:
            dispatcher.utter_message(text=f"I need an importer of record number, such as {EXAMPLES}.")
            return [SlotSet("ior_number", None)]
        try:
            record = await asyncio.to_thread(store.find_importer, ior)
        except store.DatabaseUnavailable:
            logger.warning("Importer look-up failed: the database is unavailable")
            dispatcher.utter_message(text=replies.database_down())
            return [SlotSet("ior_number", None)]
        dispatcher.utter_message(text=replies.importer_answer(ior, record))
        return [SlotSet("ior_number", None)]
