"""The conversation judge (tests/conversations/judge.py) on real replies rendered in English and Spanish: no server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bot import language, replies
from bot.knowledge import knowledge
from tests.conversations.judge import KINDS, Reply, judge, languages, marker, metric_label

CENTER = "CEE007"
LANGS = (language.ENGLISH, language.SPANISH)


def _in_city(code: str = CENTER) -> str:
    center = knowledge().center(code)
    return replies.text("utter_center_in_city", center=center.label, city=center.city)


def _center_info() -> str:
    center = knowledge().center(CENTER)
    return replies.text(
        "utter_center_info", center=center.label, city=center.city, industries="x", directory_line="", source="s"
    )


def _product() -> str:
    return replies.text("utter_hts_center", intro="8471.30", center=_in_city())


def _importer() -> str:
    values = {"ior": "12-3456789AB", "name": "N", "sample": "", "partner": "", "directory_line": ""}
    return replies.text("utter_importer_found", center=_in_city(), **values)


def _ranking() -> str:
    metric = replies.text("utter_metric_entries")
    return replies.text("utter_ranking_most", period="2025", center="X", metric=metric, value="1", lines="", source="")


def _total() -> str:
    metric = replies.text("utter_metric_entries")
    return replies.text("utter_total", centers="10", value="5", metric=metric, period="2025", source="")


def _trend() -> str:
    label = knowledge().center(CENTER).label
    metric = replies.text("utter_metric_staff")
    return replies.text("utter_trend", metric=metric, center=label, lines="", changes="", source="")


def _faq() -> str:
    article = knowledge().article("faq/change_how")
    assert article is not None
    return replies.article_reply(article)


# kind: (how the reply is made, the expectation, a kind the reply must not pass for)
CASES: dict[str, tuple[Callable[[], str], dict[str, Any], str]] = {
    "center_info": (_center_info, {"answer": "center_info", "center": CENTER}, "product_center"),
    "product_center": (_product, {"answer": "product_center", "center": CENTER}, "importer_center"),
    "importer_center": (_importer, {"answer": "importer_center", "center": CENTER}, "product_center"),
    "ranking": (_ranking, {"answer": "ranking", "metric": "entries"}, "total"),
    "total": (_total, {"answer": "total", "metric": "entries"}, "ranking"),
    "trend": (_trend, {"answer": "trend", "metric": "staff", "center": CENTER}, "ask_center"),
    "ask_metric": (lambda: replies.text("utter_ask_metric"), {"answer": "ask_metric"}, "ask_product"),
    "ask_product": (lambda: replies.text("utter_ask_product"), {"answer": "ask_product"}, "ask_metric"),
    "ask_center": (lambda: replies.text("utter_ask_center_for_trend"), {"answer": "ask_center"}, "ask_metric"),
    "faq": (_faq, {"answer": "faq", "faq": "change_how"}, "center_info"),
}
OTHER = {  # an expectation of each kind, to judge a reply of another kind against
    "product_center": {"answer": "product_center", "center": CENTER},
    "importer_center": {"answer": "importer_center", "center": CENTER},
    "center_info": {"answer": "center_info", "center": CENTER},
    "ranking": {"answer": "ranking", "metric": "entries"},
    "total": {"answer": "total", "metric": "entries"},
    "ask_center": {"answer": "ask_center"},
    "ask_metric": {"answer": "ask_metric"},
    "ask_product": {"answer": "ask_product"},
}


def _reply(kind: str, lang: str) -> Reply:
    with language.use(lang):
        return Reply(CASES[kind][0](), ())


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_judge_accepts_the_reply_of_the_kind_in_its_language(kind: str, lang: str) -> None:
    reply = _reply(kind, lang)
    assert judge(knowledge(), reply, CASES[kind][1], lang) is None, reply.text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_judge_rejects_a_reply_of_another_kind(kind: str, lang: str) -> None:
    other = CASES[kind][2]
    assert judge(knowledge(), _reply(kind, lang), OTHER[other], lang) is not None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_judge_rejects_a_reply_in_the_wrong_language(kind: str, lang: str) -> None:
    wrong = language.SPANISH if lang == language.ENGLISH else language.ENGLISH
    problem = judge(knowledge(), _reply(kind, wrong), CASES[kind][1], lang)
    assert problem is not None and f"in {lang}" in problem


def test_markers_and_metric_labels_differ_between_the_languages() -> None:
    assert marker("utter_ranking_most", "en") == "had the most"  # the phrase the English judge always looked for
    assert marker("utter_trend", "en") == "quarter by quarter"
    for name in ("utter_ranking_most", "utter_total", "utter_trend", "utter_ask_metric", "utter_hts_unpublished"):
        assert marker(name, "en") != marker(name, "es") and "://" not in marker(name, "es")
    assert metric_label("partner_accounts", "en") == "partner accounts" != metric_label("partner_accounts", "es")


def test_a_conversation_tagged_es_starts_in_spanish_and_each_message_may_switch() -> None:
    assert languages((), ["CEE007"]) == ["en"]
    assert languages(("es",), ["CEE007"]) == ["es"]  # a number keeps the language the conversation started in
    spanish, english = "quisiera saber cuantos empleados tiene ese centro", "thanks, and where is the Machinery Center?"
    assert languages(("es", "mixed_lang"), [english, spanish, "CEE007"]) == ["en", "es", "es"]


def test_every_kind_has_a_check() -> None:
    assert set(CASES) <= set(KINDS)


@pytest.mark.parametrize("lang", LANGS)
def test_a_format_error_inside_a_form_passes_with_its_masked_example(lang: str) -> None:
    with language.use(lang):
        reply = Reply(replies.text("utter_invalid_ior_numbers", which="12-34"), ())
    assert judge(knowledge(), reply, {"answer": "ior_format_error"}, lang) is None, reply.text
