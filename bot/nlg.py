"""Reply texts at run time: ``bot.nlg.KnowledgeNLG``, Rasa's response generator reading ``knowledge/`` (endpoints.yml).

The domain that Rasa trains with holds only the names of the replies (``python -m bot.build`` writes a placeholder for
each), so editing an FAQ answer, its source link or a fixed reply changes no training input and needs no training:
the running server picks the edit up within seconds (``bot.knowledge.knowledge`` reloads a changed folder).
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot import language
from bot.knowledge import Knowledge, knowledge
from bot.replies import article_reply, responses_in


def _escape_payloads(variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Double the braces of button payloads such as ``/inform{"choice": "other"}``.

    Rasa fills ``{placeholders}`` in every text of a reply, payloads included; doubled braces are its escape, so the
    JSON reaches the channel as written in ``knowledge/replies/``.
    """
    escaped = []
    for variant in variants:
        buttons = [
            {**b, "payload": str(b["payload"]).replace("{", "{{").replace("}", "}}")} if "payload" in b else b
            for b in variant.get("buttons") or []
        ]
        escaped.append({**variant, "buttons": buttons} if buttons else variant)
    return escaped


def responses_of(kb: Knowledge, chosen: str = language.ENGLISH) -> dict[str, list[dict[str, Any]]]:
    """Every reply the bot can send in a language, as Rasa's responses: the fixed replies and the FAQ answers with
    their sources (English where a reply or an article has no translation).
    """
    with language.use(chosen):
        replies = {**kb.responses, **responses_in(kb, chosen)}
        responses = {name: _escape_payloads(variants) for name, variants in replies.items()}
        responses.update({a.response_name: [{"text": article_reply(a)}] for a in kb.articles})
    return responses


class KnowledgeNLG(TemplatedNaturalLanguageGenerator):
    """Rasa's templated generator, with the responses of the current ``knowledge/`` instead of the domain's."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None) -> None:
        self._source: Optional[Knowledge] = None
        self._responses: dict[str, dict[str, list[dict[str, Any]]]] = {}  # by language
        super().__init__({})

    async def generate(
        self, utter_action: str, tracker: DialogueStateTracker, output_channel: str, **kwargs: Any
    ) -> Optional[dict[str, Any]]:
        """The reply in the language of the message it answers (``bot/language.py``), which it names (``language``:
        Rasa keeps it in the bot message's metadata, and the socket.io channel sends it to the widget).
        """
        messages = (e.parse_data for e in reversed(tracker.events) if isinstance(e, UserUttered))
        answered_in = language.of_conversation(messages, tracker.get_slot(language.SLOT))
        with language.use(answered_in):
            reply = await super().generate(utter_action, tracker, output_channel, **kwargs)
        return {**reply, language.REPLY_KEY: answered_in} if reply else reply

    @property
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        """The replies of the knowledge as it is now, in the answer's language (built again only when the knowledge
        was reloaded).
        """
        kb = knowledge()
        if kb is not self._source:
            self._source, self._responses = kb, {}
        chosen = language.current()
        if chosen not in self._responses:
            self._responses[chosen] = responses_of(kb, chosen)
        return self._responses[chosen]

    @responses.setter
    def responses(self, value: dict[str, list[dict[str, Any]]]) -> None:
        """Ignored: Rasa gives every generator the domain's responses, which hold only placeholders here."""
