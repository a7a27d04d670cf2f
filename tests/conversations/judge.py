"""Judging one turn of a conversation test set, in English or Spanish (issue 16).

A turn is judged on what the user gets (the reply's text) and on which action Rasa ran. The text checks look for
markers taken from the reply catalogue in the turn's language (``knowledge/replies`` for English,
``knowledge/es/replies`` for Spanish): each answer kind names the replies that give it (``MARKED_BY``), and the
marker of a reply is a piece of its template that the bot does not fill in (:func:`marker`). Center labels
(``Electronics Center (CEE007)``) read the same in both languages; metric labels and FAQ answers are taken in the
turn's language.

The turn's language (:func:`languages`) is the one the bot should answer in: a conversation tagged ``es`` starts in
Spanish, any other in English, and each message may switch it (:func:`bot.language.detect`, as the bot does, with the
English trade words that say nothing of the language: ``borrowed`` in ``knowledge/es/words.yml``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Optional

from bot import language, replies
from bot.ior import mask_text
from bot.knowledge import Knowledge, knowledge
from bot.vocab import label_reply

SPANISH_TAG = "es"  # the tag of a conversation that starts in Spanish (tests/conversations_es/README.md)
DIRECTORY = "CEE Directory"  # CBP's name of the contacts page, untranslated in both catalogues
FORMAT_CODE = "YYDDPP-NNNNN"  # the CBP-assigned importer number format, shown as is in both languages
_PLACEHOLDER = re.compile(r"\{\w+\}")
_SENTENCE = re.compile(r"\n|(?<=[.?!])\s+(?=[A-ZÁÉÍÓÚÑ¿¡])")
_ENDS = " \t\n*.,:;¿?¡!()\"'"

# The replies that give each answer kind judged by its text; any of them passes.
MARKED_BY: dict[str, tuple[str, ...]] = {
    "product_center": ("utter_hts_center", "utter_industry_center"),
    "product_unpublished": ("utter_hts_unpublished", "utter_hts_follows_goods", "utter_hts_special_chapters"),
    "importer_center": (
        "utter_importer_found",
        "utter_importer_center_only",
        "utter_found_importer",
        "utter_found_importer_center_only",
    ),
    "importer_not_found": ("utter_importer_not_found",),
    "ask_importer_number": ("utter_ask_importer_lookup_form_ior_number",),
    "ior_format_error": ("utter_ior_format_error", "utter_invalid_ior_numbers"),
    "ranking": ("utter_ranking_most", "utter_ranking_fewest"),
    "total": ("utter_total",),
    "trend": ("utter_trend",),
    "ask_center": ("utter_ask_center_for_metric", "utter_ask_center_for_trend", "utter_ask_which_center"),
    "ask_metric": ("utter_ask_metric",),
    "ask_product": ("utter_ask_product",),
}
# The replies whose words just before a placeholder mark the kind (the rest of the template differs between them).
BEFORE: dict[str, tuple[str, str]] = {
    "center_info": ("utter_center_info", "city"),  # "is managed from": the Center's description and its contacts
    "importer_center": ("utter_importer_found", "center"),  # "is assigned to"
}
FORMS = {
    "form_change_center": "change_center_form",
    "form_outreach_call": "outreach_call_form",
    "form_site_visit": "site_visit_form",
}
SIMPLE = {
    "greet": ("utter_greet",),
    "goodbye": ("utter_goodbye",),
    "thanks": ("utter_you_are_welcome",),
    "help": ("utter_help",),
    "handoff": ("utter_handoff",),
    "out_of_scope": ("utter_out_of_scope",),
    "list_centers": ("action_list_centers",),
    "request_status": ("action_request_status", "request_status_form"),
    "cancelled": ("utter_cancelled", "action_cancel_request", "utter_request_cancelled"),
    "fallback": ("action_two_stage_fallback", "action_default_fallback", "utter_default", "utter_ask_rephrase"),
}


@dataclass(frozen=True)
class Reply:
    """What the bot did for one user message: its texts and the actions Rasa ran."""

    text: str
    actions: Sequence[str]


def _template(name: str, lang: str) -> str:
    """The reply's text as the bot sends its fixed words: Social Security-format examples masked (bot/replies.py)."""
    return mask_text(str(replies.responses_in(knowledge(), lang).get(name, knowledge().responses[name])[0]["text"]))


def _clean(piece: str) -> str:
    return " ".join(piece.split()).strip(_ENDS).lower()


@cache
def marker(name: str, lang: str) -> str:
    """The longest sentence (or line) of reply ``name``'s template in ``lang`` that the bot does not fill in, without
    links, lower-cased.
    """
    pieces = [
        _clean(sentence)
        for fragment in _PLACEHOLDER.split(_template(name, lang))
        for sentence in _SENTENCE.split(fragment)
        if "://" not in sentence  # a link reads the same in every language
    ]
    return max(pieces, key=len)


@cache
def before(name: str, placeholder: str, lang: str) -> str:
    """The words of reply ``name``'s template in ``lang`` just before ``{placeholder}``, lower-cased."""
    head = _template(name, lang).split("{" + placeholder + "}")[0]
    return _clean(re.split(r"\{\w+\}|(?<=[.?!])\s", head)[-1])


def metric_label(metric: str, lang: str) -> str:
    """``partner accounts`` / ``cuentas asociadas``."""
    with language.use(lang):
        return replies.text(label_reply(metric)).lower()


def languages(tags: Sequence[str], messages: Sequence[str]) -> list[str]:
    """The language the bot should answer each message in (see the module docstring)."""
    current = language.SPANISH if SPANISH_TAG in tags else language.ENGLISH
    found = []
    for message in messages:
        current = language.detect(message, current, knowledge().borrowed_words)
        found.append(current)
    return found


def as_list(value: Any) -> list[str]:
    return [] if value is None else [str(v) for v in (value if isinstance(value, list) else [value])]


def _has(text: str, *parts: str) -> bool:
    lower = " ".join(text.split()).lower()
    return all(" ".join(part.split()).lower() in lower for part in parts)


def _marked(text: str, kind: str, lang: str) -> bool:
    return any(_has(text, marker(name, lang)) for name in MARKED_BY[kind])


def _label(kb: Knowledge, code: str) -> str:
    return kb.center(code).label


def _article(kb: Knowledge, retrieval_intent: str, lang: str) -> str:
    article = kb.article(retrieval_intent)
    return replies.article_in(kb, article, lang).answer.strip()[:80] if article else f"<no article {retrieval_intent}>"


def _figure(kb: Knowledge, r: Reply, e: dict[str, Any], lang: str) -> bool:
    metric = metric_label(e.get("metric", ""), lang) if e.get("metric") else ""
    if e.get("center"):
        return _has(r.text, _label(kb, e["center"]), f"{metric}**")
    asked = any(_has(r.text, marker(n, lang)) for n in MARKED_BY["ask_center"][:2])
    return _has(r.text, metric) and (_has(r.text, marker("utter_ranking_most", lang)) or asked)


def _product(kb: Knowledge, r: Reply, e: dict[str, Any], lang: str) -> bool:
    if not e.get("center"):
        return _marked(r.text, "product_unpublished", lang)
    return _marked(r.text, "product_center", lang) and _has(r.text, _label(kb, e["center"]))


def _importer(kb: Knowledge, r: Reply, e: dict[str, Any], lang: str) -> bool:
    if not e.get("center"):
        return _marked(r.text, "importer_not_found", lang)
    found = any(_has(r.text, before(name, "center", lang)) for name in MARKED_BY["importer_center"])
    return found and _has(r.text, _label(kb, e["center"]))


Check = Callable[[Knowledge, Reply, dict[str, Any], str], bool]
KINDS: dict[str, Check] = {
    "faq": lambda kb, r, e, lang: any(_has(r.text, _article(kb, f"faq/{a}", lang)) for a in as_list(e.get("faq"))),
    "smalltalk": lambda kb, r, e, lang: any(
        _has(r.text, _article(kb, f"chitchat/{a}", lang)) for a in as_list(e.get("faq"))
    ),
    "center_info": lambda kb, r, e, lang: _has(r.text, _label(kb, e["center"]), before(*BEFORE["center_info"], lang)),
    "center_contact": lambda kb, r, e, lang: _has(r.text, _label(kb, e["center"]), DIRECTORY),
    "product_center": _product,
    "importer_center": _importer,
    "ask_importer_number": lambda kb, r, e, lang: _marked(r.text, "ask_importer_number", lang),
    "ior_format_error": lambda kb, r, e, lang: _marked(r.text, "ior_format_error", lang) and _has(r.text, FORMAT_CODE),
    "figure": _figure,
    "ranking": lambda kb, r, e, lang: (
        _has(r.text, metric_label(e["metric"], lang)) and _marked(r.text, "ranking", lang)
    ),
    "total": lambda kb, r, e, lang: _has(r.text, metric_label(e["metric"], lang)) and _marked(r.text, "total", lang),
    "trend": lambda kb, r, e, lang: (
        _has(r.text, _label(kb, e["center"]), metric_label(e["metric"], lang)) and _marked(r.text, "trend", lang)
    ),
    "compare": lambda kb, r, e, lang: _has(
        r.text, metric_label(e["metric"], lang), *(_label(kb, c) for c in e["centers"])
    ),
    "ask_center": lambda kb, r, e, lang: _marked(r.text, "ask_center", lang),
    "ask_metric": lambda kb, r, e, lang: _marked(r.text, "ask_metric", lang),
    "ask_product": lambda kb, r, e, lang: _marked(r.text, "ask_product", lang),
    **{kind: (lambda kb, r, e, lang, form=form: form in r.actions) for kind, form in FORMS.items()},
    **{
        kind: (lambda kb, r, e, lang, names=names: any(n in r.actions for n in names)) for kind, names in SIMPLE.items()
    },
}


def judge(kb: Knowledge, reply: Reply, expect: dict[str, Any], lang: str = language.ENGLISH) -> Optional[str]:
    """None when the reply is right for a turn whose answer should be in ``lang``; otherwise what is wrong."""
    kind = expect["answer"]
    try:
        right = KINDS[kind](kb, reply, expect, lang)
    except KeyError as exc:
        return f"expectation for {kind} lacks {exc}"
    missing = [s for s in as_list(expect.get("says")) if not _has(reply.text, s)]
    present = [s for s in as_list(expect.get("not_says")) if s.lower() in reply.text.lower()]
    if right and not missing and not present:
        return None
    details = {k: v for k, v in expect.items() if k != "answer"}
    why = [] if right else [f"not a {kind} answer in {lang} {details}"]
    why += [f"does not say {s!r}" for s in missing] + [f"says {s!r}" for s in present]
    return "; ".join(why)
