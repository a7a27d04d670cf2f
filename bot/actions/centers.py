"""Actions about the Centers themselves: the list of Centers and one Center's details.

The words are in ``knowledge/replies/centers.yml``; the Centers themselves in ``knowledge/centers.yml``.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import replies
from bot.actions.common import directory_line, table
from bot.actions.context import Query, TopicAction, handles, remember
from bot.knowledge import knowledge

logger = logging.getLogger(__name__)


class ActionListCenters(Action):
    """Lists the ten Centers with their codes and cities."""

    def name(self) -> str:
        return "action_list_centers"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        kb = knowledge()
        lines = [f"- **{c.name}** ({c.code}), {c.city}" for c in kb.centers]
        message = replies.render(
            "utter_list_centers", count=len(kb.centers), lines="\n".join(lines), source=kb.source_url
        )
        columns = [replies.text(f"utter_column_{column}") for column in ("code", "center", "city")]
        rows = [(c.code, c.name, c.city) for c in kb.centers]
        dispatcher.utter_message(
            **message, json_message=table(replies.text("utter_centers_table_title"), columns, rows)
        )
        return []


def _ask_which(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    kb = knowledge()
    names = ", ".join(c.name for c in kb.centers)
    dispatcher.utter_message(
        **replies.render("utter_ask_which_center", names=names),
        buttons=[{"title": c.name, "payload": c.name} for c in kb.centers],
    )
    return remember(query, awaiting="center")


@handles("center_info")
async def center_info(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """Where a Center is and what it covers."""
    if not query.centers:
        return _ask_which(dispatcher, query)
    for center in query.centers:
        dispatcher.utter_message(
            **replies.render(
                "utter_center_info",
                center=center.label,
                city=center.city,
                industries=replies.center_industries(center),
                directory_line=directory_line(),
                source=knowledge().source_url,
            )
        )
    return remember(query)


@handles("center_contact")
async def center_contact(dispatcher: CollectingDispatcher, query: Query) -> list[dict[str, Any]]:
    """How to reach a Center: its contacts are published in the CEE Directory, which the bot does not copy. With no
    Center named or talked about, the FAQ answer on contacting a Center.
    """
    if not query.centers:
        article = knowledge().article("faq/contact_center")
        dispatcher.utter_message(text=replies.article_reply(article) if article else directory_line())
        return remember(query)
    for center in query.centers:
        dispatcher.utter_message(
            **replies.render(
                "utter_center_contact", center=center.label, city=center.city, directory=knowledge().directory_url
            )
        )
    return remember(query)


class ActionCenterInfo(TopicAction):
    """Says where a Center is and what it covers; the Center may be named by name, short name, code or city."""

    topic = "center_info"

    def name(self) -> str:
        return "action_center_info"


class ActionCenterContact(TopicAction):
    """How to contact a Center (phone, e-mail, director, web page)."""

    topic = "center_contact"

    def name(self) -> str:
        return "action_center_contact"
