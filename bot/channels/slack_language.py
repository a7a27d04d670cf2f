"""A Slack user's language, across threads (issue 16; ``docs/languages.md``).

In Slack every thread is its own conversation (``conversation_granularity: thread``), so a choice made in one thread
("español", which the Slack channel sends as "/es") would be forgotten in the next. The channel therefore also keeps
each user's newest choice in the tracker store, as the slot ``language`` of a conversation of its own
(``slack-language:<user>``, which holds nothing else): it survives a restart and every replica reads it. Each later
message of that user, in any thread, carries it as its metadata ``language``, so it is read and answered in it.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.shared.core.events import SlotSet

from bot import language

PREFIX = "slack-language:"


def _store(agent: Any, user: Optional[str]) -> Any:
    """The agent's tracker store, or None (no agent yet, or no user to keep a choice for)."""
    return getattr(agent, "tracker_store", None) if user else None


async def remembered(agent: Any, user: Optional[str]) -> Optional[str]:
    """The language ``user`` chose last, in any thread; None when they never chose one."""
    store = _store(agent, user)
    tracker = await store.retrieve(PREFIX + str(user)) if store is not None else None
    found = tracker.get_slot(language.SLOT) if tracker is not None else None
    return str(found) if found in language.LANGUAGES else None


async def remember(agent: Any, user: Optional[str], chosen: str) -> None:
    """Keep ``chosen`` as ``user``'s language for every thread."""
    store = _store(agent, user)
    if store is None:
        return
    tracker = await store.get_or_create_tracker(PREFIX + str(user), append_action_listen=False)
    tracker.update(SlotSet(language.SLOT, chosen))
    await store.save(tracker)


async def with_language(agent: Any, user: Optional[str], text: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata of ``user``'s message ``text``: with their language, unless the message chooses one (kept)."""
    chosen = language.chosen_by(text)
    if chosen:
        await remember(agent, user, chosen)
        return metadata
    found = await remembered(agent, user)
    return {**metadata, language.PARSE_KEY: found} if found else metadata
