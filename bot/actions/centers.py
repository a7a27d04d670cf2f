"""Actions about the Centers themselves: the list of Centers and one Center's details."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.replies import directory_line, mentioned_centers, table
from bot.knowledge import knowledge

logger = logging.getLogger(__name__)


class ActionListCenters(Action):
    """Lists the ten Centers with their codes and cities."""

    def name(self) -> Text:
        return "action_list_centers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = knowledge()
        lines = [f"- **{c.name}** ({c.code}), {c.city}" for c in kb.centers]
        text = f"There are {len(kb.centers)} Centers of Excellence and Expertise:\n" + "\n".join(lines)
        text += f"\n\nAsk me about any of them, e.g. \"What does the Machinery Center cover?\"\nSource: {kb.source_url}"
        rows = [(c.code, c.name, c.city) for c in kb.centers]
        dispatcher.utter_message(text=text, json_message=table("The ten Centers", ("Code", "Center", "City"), rows))
        return []


class ActionCenterInfo(Action):
    """Says where a Center is and what it covers; the Center may be named by name, short name, code or city."""

    def name(self) -> Text:
        return "action_center_info"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        kb = knowledge()
        centers = mentioned_centers(tracker)
        if not centers:
            names = ", ".join(c.name for c in kb.centers)
            dispatcher.utter_message(
                text=f"Which Center do you mean? The ten Centers are: {names}. You can also use a code (CEE001) "
                "or a city (Laredo).",
                buttons=[{"title": c.name, "payload": f"Tell me about the {c.name} Center"} for c in kb.centers[:10]],
            )
            return []
        for center in centers:
            dispatcher.utter_message(
                text=f"The **{center.label}** is managed from **{center.city}**. It handles post-release trade work "
                f"for importers in its industries: {center.industries}, whatever port the goods arrive at.\n"
                f"{directory_line()}\nSource: {kb.source_url}"
            )
        return []
