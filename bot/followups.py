"""Reading a message against the conversation: ``bot.followups.ContextualIntent`` in the NLU pipeline.

Rasa passes the conversation's tracker to NLU components that ask for it. This one runs right after DIET, so the
response selectors and the FallbackClassifier see its decision, and changes the intent only where the message cannot
be understood without the turn before:

* the bot has just asked for a missing piece (a Center, a metric, a product) and the short reply gives it
  ("electronics", "the Miami one", "laptops mostly"): ``follow_up``, answered by ``action_follow_up`` with the
  question that was asked (``bot/actions/context.py``);
* a short follow-up or correction after a Center, figure or product answer ("and Machinery?", "no, I meant
  Base Metals", "what about last quarter?", "and if we started bringing in car engines"): ``follow_up``; with
  "total" or "most/least" in it, ``ask_total`` or ``ask_ranking`` ("and the total?", "and the least?"); so is a
  message of nothing but a Center, figure, period or product ("staff?", "Laredo?");
* ``follow_up`` with no such context to follow (an FAQ answer came in between): the next likeliest intent, when
  the message names nothing or names a figure and the next likeliest is a figure question;
* how to reach a Center that is named or was just talked about ("phone number for the Houston CEE", "how do I get
  in touch with them"): ``center_contact``, however unsure the classifier was of it; where it is ("where is that
  cee", "where is it based"): ``center_info``;
* a short question about the importer just looked up ("is that a partner account?"): ``follow_up``;
* a message with an importer number that starts no request ("and 232704-00123?", "oops wrong client, try
  28-973021300", "my number is my social, 903-00-8608. which center handles me"): ``center_for_importer``;
* a message with a request's reference ("any update on CR-2026-000123? my email is ..."), however unsure the
  classifier was or whatever it took it for: ``request_status``;
* a question about requests ("what should go in a request to change centers", "who decides a change request",
  "what's the process to get moved"), read as a request or, with nothing of the asker's own request in it, as a
  request's status: ``faq``;
* a request of one kind whose words name only another kind ("please start a visit request for us" read as a change
  of Center): the kind named;
* a message of unknown words ("zxcvbnm lkjhg", "blorp zanzibar quux"): ``nlu_fallback``, whatever the classifier
  made of it (the spelling step says which messages are);
* a message that names a product (or HTS number) and nothing else, read as a product question, however unsure the
  classifier is ("toys n stuffed animals who handles those"), or as an FAQ, a Center, small talk or a follow-up of
  nothing while it asks which Center handles it ("what cee covers vaccines", "excavators and bulldozers, which cee"),
  or, with no answer just before to follow, in three words at most ("portland cement"): ``center_for_product``;
* a figure asked for with no Center named ("how many importers r at the cee", "post entry actions for the
  center?") read as an FAQ or a Center: ``ask_figure`` (``ask_total`` with "total" in it), whose action asks which
  Center, or takes the one just talked about; a ranking guessed with no ranking word in it ("¿cuántas entries
  procesaron ahí?") is such a figure question too;
* a figure named with the Centers it is about ("importer count for the auto cee", "compare entries at Electronics
  and Machinery") or with a ranking word ("which centre has the most importers"), read as an FAQ, a Center or small
  talk, or as a figure question too unsure to answer: the figure question its words make (:func:`_figure_question`);
* a question for the Center of "our products", "one of our items" with none named: ``center_for_product``, whose
  look-up asks which product (not a question about the bot's answers: "if you tell me which center handles my
  product, is that official?");
* a question for the asker's own Center, or for a Center found by importer number, with no number ("what center
  is my company assigned to", "find my cee by importer number") read as an FAQ or a Center: ``center_for_importer``,
  whose look-up asks for the number;
* a number called an importer's, in a question for a Center ("wat center is importer ABC-12345"), however the
  classifier read it: ``center_for_importer``, whose look-up says what is wrong with the number;
* a message with a number too long for an HTS code ("1234567890123 which center"): ``center_for_importer``, whose
  look-up says what is wrong with it;
* which Center handles an industry that names a Center ("which center handles apparel", "who takes care of
  electronics imports"), or something unnamed ("what centre handles it"): ``center_for_product``, not the Center's
  description or contacts;
* a short follow-up to an FAQ answer ("how long does it take?", "and PNDING?"): ``faq``, about the article followed
  (``bot/faq_followups.py``);
* a Center and a misspelt figure word ("Buffalo center stffa?") read as the Center's description: ``ask_figure``;
* a figure question whose two likeliest intents are both figure questions ("post entry actions for the center?":
  ranking 0.49, figure 0.42): the likeliest, with certainty, since the figure actions tell them apart by the words;
* a short question about a Center and nothing else ("whats the AGPP", "info on the AFT cee"): ``center_info``
  (but not a question out of scope about a Center's city: "what's the weather in Houston today");
* a short message with an HTS number read as an FAQ question ("8703?" taken for CF-28): ``center_for_product``,
  unless it names a form (CF-28, CBP Form 29, 7501).

When it leaves the intent as it is, intents out of place are no rivals of the top intent, and their share of the
ranking goes to the others: ``follow_up`` with no answer just before to follow; changing an answer or continuing a
request with no request under way or waiting ("how do I change to it?" after a Center answer is how to change
Centers).

During a form (not the "Did you mean...?" of a fallback: its rephrasing is read as any message), the form's own
rules decide, except that an answer read as a request to start (a company named "Sample Sole Proprietor Imports") is
an answer (``inform``) unless it has a word that starts a request, and a short message that starts with "cancel" or
"stop" (after "actually", "no", "ok"...) stops the form. The original intent is kept in the parse data as
``intent_before_context``.
"""

from __future__ import annotations

import re
from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_TWO_STAGE_FALLBACK_NAME
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot import cues, fuzzy, language
from bot.component import Component
from bot.faq_followups import FAQ_CONTEXT, article_followed
from bot.knowledge import knowledge
from bot.normalise import NO_KNOWN_WORDS
from bot.vocab import METRICS, PENDING_SUBMIT, REQUEST_INTENTS

FOLLOW_UP = "follow_up"
SHORT = 7  # words
BARE = 3  # words: a message this short that names a product asks for its Center
FIGURE_TOPICS = ("figure", "ranking", "total", "trend")
FIGURE_INTENTS = ("ask_figure", "ask_ranking", "ask_total", "ask_trend")
FIGURE_SHARE = 0.6  # the two likeliest figure intents together at least this likely
PIECES = {"center": ("center",), "metric": ("metric",), "product": ("product", "hts_code"), "period": ("period",)}
REQUESTS = (*REQUEST_INTENTS, "request_status")
KEEP = ("faq", "chitchat", "stop", "greet", "goodbye", "thank", "help", "human_handoff")  # never read as a follow-up
BEFORE = "intent_before_context"
# What a question that names a product and asks for its Center is taken for when a classifier is unsure of it.
_PRODUCT_RIVALS = ("faq", "center_info", "list_centers", "chitchat", "out_of_scope", "inform", "help")
# What a question that names a figure and its Centers is taken for when the classifier is wrong about it.
_FIGURE_RIVALS = ("faq", "center_info", "list_centers", "chitchat", "out_of_scope")
# What a question for the Center of a number called an importer's is taken for when the number is not one.
_NUMBER_MISREAD_AS = ("faq", "request_status", "center_info", "inform")
_TOO_LONG_FOR_HTS = re.compile(r"(?<![\w.-])\d{11,}(?![\w.-])")  # 11+ digits in a row: an importer number, if anything


def recent_topic(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The question type answered on the previous user turn, if the context was set then; None otherwise."""
    if tracker is None or tracker.active_loop_name:
        return None
    turns = sum(1 for event in tracker.events if getattr(event, "type_name", "") == "user")
    slot_turn = tracker.get_slot("ctx_turn")
    if slot_turn is None or int(slot_turn) != turns:
        return None
    return tracker.get_slot("ctx_topic")


def decide(message: Message, tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The intent the message has in this conversation, or None to keep the classifier's."""
    intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    text = str(message.get(TEXT) or "")
    labels = {str(e.get("entity")) for e in message.get(ENTITIES) or []}
    if _metric_named_in_its_language(message):
        labels.add("metric")  # "quería decir personal": a word that names the figure in a Spanish message only
    # Rephrasing after "Did you mean...?" is a question of its own, read as one; a form's answers are the form's.
    in_form = tracker is not None and tracker.active_loop_name not in (None, ACTION_TWO_STAGE_FALLBACK_NAME)
    if in_form:
        if cues.CANCEL.match(text) and len(text.split()) <= 8:
            return "stop"  # "actually cancel, I'll call the center first" is not the Center asked for
        if intent in REQUESTS[:3] and not cues.STARTS_A_REQUEST.search(text):
            return "inform"  # the company "Sample Sole Proprietor Imports", not a change-of-Center request
        return None
    if message.get(NO_KNOWN_WORDS) and not labels:
        return "nlu_fallback"
    if "request_ref" in labels and intent not in ("request_status", "stop", "goodbye", "thank", "human_handoff"):
        return "request_status"  # "any update on CR-2026-000001? my email is ...": a reference is asked about
    process = cues.ASKS_THE_PROCESS.search(text) and not cues.BEGIN.search(text)
    if intent in (*REQUEST_INTENTS, "faq") and process:
        return "faq"  # "solicitar cambio de centro, ¿cuál es el procedimiento?": before a request's opening words
    if intent in ("faq", "inform", *REQUEST_INTENTS) and cues.REQUEST_OPENING.search(text):
        named = [name for name, words in cues.NAMES_A_REQUEST.items() if words.search(text)]
        if len(named) == 1:
            return named[0]  # "anótame para las llamadas periódicas", "queremos que el centro nos visite": a request
    if intent in REQUEST_INTENTS and cues.ASKS_ABOUT.match(text):
        return "faq"  # "what should go in a request to change centers": a question about requests, not one
    if (
        intent == "request_status"
        and cues.ASKS_ABOUT.match(text)
        and cues.STARTS_A_REQUEST.search(text)
        and not (cues.OWN_REQUEST.search(text) or any(ch.isdigit() for ch in text))
    ):
        return "faq"  # "who approves change requests": about requests in general, not the status of one
    if intent in REQUEST_INTENTS:
        named = [name for name, words in cues.NAMES_A_REQUEST.items() if words.search(text)]
        if len(named) == 1 and named[0] != intent:
            return named[0]  # "...saw our operation in person. please start a visit request": a site visit
    if (
        _TOO_LONG_FOR_HTS.search(text)
        and not labels & {"ior_number", "form"}
        and intent in ("center_for_product", "center_for_importer", "faq", FOLLOW_UP, "inform", "center_info")
    ):
        return "center_for_importer"  # kept with certainty when the classifier was unsure of it
    short = len(text.split()) <= SHORT
    center_asked = bool(cues.WHO_HANDLES.search(text) or cues.CENTER_WORD.search(text))
    if "ior_number" in labels and intent not in (*KEEP, "request_status") and not cues.STARTS_A_REQUEST.search(text):
        return "center_for_importer"  # "try 28-973021300", "my number is 903-00-8608. which center handles me"
    if (
        "ior_number" in labels
        and intent == "faq"
        and short
        and (cues.WHO_HANDLES.search(text) or cues.MY_CENTER.search(text) or cues.CENTER_WORD.search(text))
    ):
        return "center_for_importer"  # "¿a qué centro pertenece el 23-051740021?", not the FAQ
    if cues.NUMBER_CALLED_IMPORTERS.search(text) and intent in ("center_for_product", "center_for_importer", "faq"):
        return "center_for_importer"  # "my IOR is 5555, which center": a wrong number, though it looks like an HTS one
    if (
        cues.IMPORTER_NUMBER.search(text)
        and not labels & {"hts_code", "form", "request_ref", "metric", "period"}
        and (
            intent in ("center_for_product", "center_for_importer", FOLLOW_UP)
            or (center_asked and intent in _NUMBER_MISREAD_AS)
        )
    ):
        return "center_for_importer"  # "which center is importer 12345": a wrong number, said so by the look-up
    topic = recent_topic(tracker)  # what the previous answer was about (read once: it walks the tracker's events)
    awaiting = tracker.get_slot("ctx_awaiting") if tracker and topic else None
    if awaiting and labels & set(PIECES.get(awaiting, ())) and _pieces_only(message):
        return (
            FOLLOW_UP  # "por número de importadores" after "Which figure?": the piece asked for, whatever it looks like
        )
    asked_for = cues.FIGURE_ASKED.search(text)  # "how many", "cuántas": a figure question, whatever the unsure guess
    if (
        "metric" in labels
        and not labels & {"center", "ior_number", "product", "hts_code", "form"}
        and (
            (intent in ("faq", "center_info", "ask_figure") and (asked_for or (short and cues.THE_CENTER.search(text))))
            or (intent in FIGURE_INTENTS and asked_for)
        )
    ):
        if cues.TOTAL.search(text):
            return "ask_total"
        if cues.OVER_TIME.search(text):
            return "ask_trend"
        if intent == "ask_total" or (
            intent == "ask_ranking" and (cues.SUPERLATIVE.search(text) or cues.EVERY_CENTER.search(text))
        ):
            return intent  # "all centres together, how many importers": the classifier's guess, borne out
        return "ask_figure"  # "¿cuántas entries procesaron ahí?": the Center talked about, or the action asks which
    # "what about Laredo entries": the context's; "and which center has the most entries?" is a ranking of its own
    ranking_asked = cues.WHICH_CENTER.search(text) and cues.SUPERLATIVE.search(text)
    following = bool(cues.MARKER.match(text) and topic and not ranking_asked)
    figure_question = None if following else _figure_question(message, intent, labels, text)
    if figure_question:
        return figure_question
    if (
        not labels
        and intent not in ("stop", "greet", "goodbye", "thank", "human_handoff")
        and cues.UNNAMED_PRODUCT.search(text)
        and not cues.YOUR_ANSWERS.search(text)
    ):
        return "center_for_product"  # "need the cee for one of our items": the look-up asks which product
    if intent in ("faq", "center_info") and not labels and cues.MY_CENTER.search(text):
        return "center_for_importer"  # "what center is my company assigned to": the look-up asks for the number
    if (
        "hts_code" in labels
        and not labels & {"form", "ior_number"}
        and len(text.split()) <= 5
        and intent in ("faq", "center_for_importer", FOLLOW_UP, "inform")
    ):
        return "center_for_product"  # "8703?", "hts 8428": a product question, whatever the number looked like
    if intent in ("center_info", "center_contact", "center_for_product", "faq") and _handles_a_center(message):
        return "center_for_product"
    if intent == "center_info" and "center" in labels and "metric" not in labels:
        if fuzzy.metric_in(text):
            return "ask_figure"  # "Buffalo center stffa?": a figure of the Center, the figure's word misspelt
        if cues.FIGURES_WORD.search(text) and not cues.CONTACT.search(text):
            return "ask_figure"  # "dame los números del centro de Chicago": the action asks which figure
    unnamed = cues.WHO_HANDLES.search(text) or labels & {"product", "hts_code"}
    if intent == "center_info" and "center" not in labels and unnamed:
        return "center_for_product"  # "what centre handles it", "wat centre does laptops": a product question
    if labels & {"product", "hts_code"} and not labels & {"metric", "form", "ior_number"}:
        if "center" in labels:
            asked = cues.WHO_HANDLES.search(text) and intent in (*_PRODUCT_RIVALS, "center_for_product")
            if asked and _industry_named(message, every=True):
                return "center_for_product"  # "los tenis y zapatos deportivos a qué centro van" ("zapatos": Footwear)
        elif intent == "center_for_product":
            return intent  # the product named bears out an unsure guess ("toys n stuffed animals who handles those")
        elif (intent in _PRODUCT_RIVALS or (intent == FOLLOW_UP and not topic)) and (
            cues.WHO_HANDLES.search(text) or (short and cues.CENTER_WORD.search(text))
        ):
            return "center_for_product"  # "what cee covers vaccines", "excavators and bulldozers, which cee"
        elif intent in _PRODUCT_RIVALS and len(text.split()) <= BARE and not topic:
            return (
                "center_for_product"  # "portland cement", nothing to follow: the product's Center, not an FAQ article
            )
    center_known = "center" in labels or bool(topic and tracker and tracker.get_slot("ctx_center"))
    if center_known and cues.CONTACT.search(text) and intent in ("faq", "center_info", "center_contact", FOLLOW_UP):
        return "center_contact"  # "phone number for the Houston CEE", "how do I get in touch with them"
    if (
        center_known
        and short
        and _asks_where_only(message)
        and intent in ("faq", "center_info", "chitchat", "out_of_scope", "list_centers", FOLLOW_UP)
    ):
        return "center_info"  # "where is that cee", "where is it based": the Center named or just talked about
    if topic == "importer" and short and cues.IMPORTER_FOLLOW_UP.search(text) and not labels & {"product", "hts_code"}:
        return FOLLOW_UP  # "is that a partner account?" after an importer look-up
    product_named = labels & {"product", "hts_code"} or _industry_named(message)
    if topic == "product" and cues.MARKER.match(text) and product_named and len(text.split()) <= 12:
        return FOLLOW_UP  # "and if we started bringing in car engines": the product question again
    if topic and short:
        awaiting = tracker.get_slot("ctx_awaiting") if tracker else None
        if awaiting and labels & set(PIECES.get(awaiting, ())) and (intent not in KEEP or len(text.split()) <= 3):
            return FOLLOW_UP  # "partner accounts" after "Which figure?" is the figure, not the FAQ article
        if cues.MARKER.match(text) and topic in FIGURE_TOPICS and intent not in ("faq",):
            if cues.TOTAL.search(text):
                return "ask_total"
            if cues.RANKING.search(text):
                return "ask_ranking"
        pieces = labels & {p for names in PIECES.values() for p in names}
        if topic in FIGURE_TOPICS and "center" in labels and len(text.split()) <= 3 and intent == "center_info":
            return FOLLOW_UP  # "CEE006?" right after a figure: the same figure for that Center
        if cues.MARKER.match(text) and pieces and (intent not in KEEP or len(text.split()) <= 4):
            return FOLLOW_UP  # "actually post entry actions" is the metric, not the FAQ article it resembles
        if pieces and intent not in KEEP and _pieces_only(message):
            return FOLLOW_UP  # "staff?", "Laredo?" right after an answer: that answer again with the piece changed
    if (
        labels == {"center"}
        and short
        and cues.ABOUT.search(text)
        and not cues.MARKER.match(text)
        and intent in ("faq", "center_info", "chitchat", "list_centers", "out_of_scope")
        and not (intent == "out_of_scope" and _cities_only(message))
    ):
        return "center_info"  # "whats the AGPP", "info on the AFT cee": the Center itself, not an FAQ article
    if labels & {"metric", "center"} and _figure_questions_only(message):
        return intent  # "post entry actions for the center?": ranking or figure, the figure actions sort it out
    if intent == FOLLOW_UP and not topic:
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [r[INTENT_NAME_KEY] for r in ranking if r.get(INTENT_NAME_KEY) != FOLLOW_UP]
        if "metric" in labels and others and others[0] in FIGURE_INTENTS:
            return others[0]  # "how do the apparel and IMM centres compare on importers" first thing: a figure question
        if labels & {"center", "product", "hts_code", "metric"}:
            return None  # "CEE006?" first thing: action_follow_up answers by what it names
        return others[0] if others else None
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ContextualIntent(Component):
    """Changes the intent where the turn before decides it (see the module docstring)."""

    def process(self, messages: list[Message], tracker: Optional[DialogueStateTracker] = None) -> list[Message]:
        """Decide each message's intent in the conversation ``tracker`` (None outside a conversation)."""
        for message in messages:
            article = article_followed(message, tracker)
            if article:
                message.set(FAQ_CONTEXT, article)
            new = "faq" if article else decide(message, tracker)
            if new is None:
                _drop_out_of_place(message, _out_of_place(tracker))
                continue
            old = message.get(INTENT) or {}
            message.set(BEFORE, old, add_to_output=True)
            # The context decided: the chosen intent is certain, and the classifier's others at most half as likely
            # (the FallbackClassifier would otherwise call a close second an ambiguity).
            ranking = [
                {**r, PREDICTED_CONFIDENCE_KEY: float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) / 2}
                for r in message.get(INTENT_RANKING_KEY) or []
                if r.get(INTENT_NAME_KEY) != new
            ]
            chosen = {INTENT_NAME_KEY: new, PREDICTED_CONFIDENCE_KEY: 1.0}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen, *ranking], add_to_output=True)
        return messages


def _handles_a_center(message: Message) -> bool:
    """Whether the message asks which Center handles something named like a Center ("which center handles apparel")."""
    asked = cues.WHO_HANDLES.search(str(message.get(TEXT) or ""))
    centers = [e for e in message.get(ENTITIES) or [] if e.get("entity") == "center"]
    return bool(asked and centers and all(int(e.get("start", -1)) >= asked.end() for e in centers))


def _figure_question(message: Message, intent: Optional[str], labels: set[str], text: str) -> Optional[str]:
    """The figure question a message is, when it names a figure with the Centers it is about, or with a ranking word,
    and the classifier took it for something else or was unsure of it ("largest cee by importer count": an FAQ about
    the Centers); None otherwise. Two Centers are compared (``ask_figure``); "total" with no Center is ``ask_total``;
    a ranking word with no Center, ``ask_ranking``; a figure intent the classifier chose is kept, with certainty.
    """
    if "metric" not in labels or labels & {"ior_number", "hts_code", "product", "form", "request_ref"}:
        return None
    centers = sum(1 for e in message.get(ENTITIES) or [] if e.get("entity") == "center")
    ranked = bool(cues.RANKING.search(text)) and not centers
    if not (centers or ranked) or intent not in (*FIGURE_INTENTS, *_FIGURE_RIVALS):
        return None
    if centers > 1:
        return "ask_figure"  # the figure actions show two Centers side by side, whichever of them answers
    if intent in FIGURE_INTENTS:
        return intent
    if not centers:
        return "ask_total" if cues.TOTAL.search(text) else "ask_ranking"
    return "ask_figure"


def _asks_where_only(message: Message) -> bool:
    """Whether the message asks where a Center is, and nothing else ("where is that cee", "where is the Laredo one")."""
    if any(e.get("entity") != "center" for e in message.get(ENTITIES) or []):
        return False
    text = _unnamed(message)
    words = cues.WORD.findall(text.lower())
    return bool(cues.WHERE_IS.search(text)) and all(word in cues.WHERE_WORDS for word in words)


def _pieces_only(message: Message) -> bool:
    """Whether the message is nothing but what its entities name ("staff?", "the Laredo one", "FY2025 entries")."""
    return all(word in cues.FILLER_WORDS for word in cues.WORD.findall(_unnamed(message).lower()))


def _unnamed(message: Message) -> str:
    """The message's text without its entities' spans."""
    text = str(message.get(TEXT) or "")
    for entity in sorted(message.get(ENTITIES) or [], key=lambda e: -int(e.get("start", 0))):
        text = text[: int(entity.get("start", 0))] + text[int(entity.get("end", 0)) :]
    return text


def _industry_named(message: Message, every: bool = False) -> bool:
    """Whether the message names a Center by a word that is also a product's ("medicines", "medicamentos"), which
    after a product answer is the next product asked about (not a code or a city: "and CEE001?", "Laredo?");
    ``every``: whether it names every Center it names so.
    """
    kb = knowledge()
    named = [
        bool(kb.find_product(str(e.get("value") or "")))
        for e in message.get(ENTITIES) or []
        if e.get("entity") == "center"
    ]
    return bool(named) and (all if every else any)(named)


def _metric_named_in_its_language(message: Message) -> bool:
    """Whether the message names a figure by a word that names it only in the message's language ("personal")."""
    translation = knowledge().translations.get(str(message.get(language.PARSE_KEY)))
    text = str(message.get(TEXT) or "")
    return bool(translation) and any(
        translation.vocabulary.names_metric(metric, text, in_language=True)  # type: ignore[union-attr]
        for metric in METRICS
    )


def _cities_only(message: Message) -> bool:
    """Whether every Center the message names is named by a city ("the weather in Houston": a city, not a Center)."""
    cities = {city.lower() for center in knowledge().centers for city in center.cities}
    text = str(message.get(TEXT) or "")
    spans = [text[int(e.get("start", 0)) : int(e.get("end", 0))] for e in message.get(ENTITIES) or []]
    return bool(spans) and all(span.strip().lower() in cities for span in spans)


def _figure_questions_only(message: Message) -> bool:
    """Whether the two likeliest intents are figure questions that together are likely: the figure actions tell them
    apart by the words (a ranking about "the center" asks which Center), so their closeness is no ambiguity.
    """
    ranking = message.get(INTENT_RANKING_KEY) or []
    top = ranking[:2]
    return (
        len(top) == 2
        and all(r.get(INTENT_NAME_KEY) in FIGURE_INTENTS for r in top)
        and sum(float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in top) >= FIGURE_SHARE
    )


def _out_of_place(tracker: Optional[DialogueStateTracker]) -> set[str]:
    """The intents that ask for something the conversation does not have: a follow-up with no answer just before to
    follow; changing an answer or continuing a request with no request under way or waiting to be sent.
    """
    out = set() if recent_topic(tracker) else {FOLLOW_UP}
    if tracker is None or not (tracker.active_loop_name or tracker.get_slot(PENDING_SUBMIT)):
        out |= {"change_answer", "continue_request"}
    return out


def _drop_out_of_place(message: Message, out: set[str]) -> None:
    """Intents out of place (:func:`_out_of_place`) are no rivals of the top intent, and their share goes to the
    others: "how do I change to it?" after a Center answer is the FAQ (0.45, a fallback) and not "change an answer"
    (0.34) with no request under way; "compare staffing at buffalo and laredo" is a figure question, not a follow-up.
    The top intent itself is kept ("change my answer" with no request is told there is none).
    """
    ranking = message.get(INTENT_RANKING_KEY) or []
    if len(ranking) < 2 or ranking[0].get(INTENT_NAME_KEY) in out:
        return
    dropped = sum(float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in ranking if r.get(INTENT_NAME_KEY) in out)
    if not dropped:
        return
    scale = 1.0 / (1.0 - dropped) if dropped < 1.0 else 1.0
    kept = [
        {**r, PREDICTED_CONFIDENCE_KEY: float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) * scale}
        for r in ranking
        if r.get(INTENT_NAME_KEY) not in out
    ]
    message.set(
        INTENT,
        {**(message.get(INTENT) or {}), PREDICTED_CONFIDENCE_KEY: kept[0][PREDICTED_CONFIDENCE_KEY]},
        add_to_output=True,
    )
    message.set(INTENT_RANKING_KEY, kept, add_to_output=True)
