"""Trackers and parsed messages for the tests of the contextual intent step (bot/followups.py)."""

from __future__ import annotations

from typing import Optional

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.followups import ContextualIntent

DOMAIN = Domain.load("domain.yml")


def tracker(
    topic: Optional[str],
    awaiting: Optional[str] = None,
    turns: int = 1,
    form: Optional[str] = None,
    turn_of_context: Optional[int] = None,
) -> DialogueStateTracker:
    events: list = [UserUttered(f"message {i}") for i in range(turns)]
    if topic:
        events += [
            SlotSet("ctx_topic", topic),
            SlotSet("ctx_turn", float(turn_of_context or turns)),
            SlotSet("ctx_awaiting", awaiting),
            SlotSet("ctx_center", "CEE009"),
        ]
    if form:
        events.append(ActiveLoop(form))
    return DialogueStateTracker.from_events("test", events, DOMAIN.slots)


def message(text: str, intent: str, entities: list[str] = (), ranking: list[str] = ()) -> Message:  # type: ignore[assignment]
    return Message(
        data={
            "text": text,
            "intent": {"name": intent, "confidence": 0.4},
            "intent_ranking": [{"name": n, "confidence": 0.3} for n in (intent, *ranking)],
            "entities": [{"entity": e, "value": "x", "start": 0, "end": 1} for e in entities],
        }
    )


def ranked_message(text: str, *ranking: tuple[str, float]) -> Message:
    """A message of ``text`` with the classifier's ranking ``(intent, confidence)``, likeliest first."""
    return Message(
        data={
            "text": text,
            "intent": {"name": ranking[0][0], "confidence": ranking[0][1]},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        }
    )


def contextual() -> ContextualIntent:
    """The component as Rasa makes it (it has no configuration and keeps nothing)."""
    return ContextualIntent.create({}, None, None, None)  # type: ignore[arg-type]
