"""The articles' closeness to a question (bot/answer_index.py), from the knowledge in use."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from sklearn.base import clone

from bot import answer_index as module
from bot.answer_index import AnswerIndex, answer_index
from bot.knowledge import knowledge

INDEX = AnswerIndex(
    ["faq/liquidation", "faq/protests", "faq/cf28"],
    [
        "Liquidation. Liquidation is the final computation of duties on an entry.",
        "Protests. A protest contests a decision such as a liquidation, filed within 180 days.",
        "CF-28. A request for information asks for documents about an entry.",
    ],
)


def test_the_closest_article_is_the_likeliest() -> None:
    probabilities = INDEX.probabilities(
        ["when is my entry liquidated", "they asked us for documents"], INDEX.keys, 0.05
    )
    assert [INDEX.keys[i] for i in probabilities.argmax(axis=1)] == ["faq/liquidation", "faq/cf28"]
    assert np.allclose(probabilities.sum(axis=1), 1)


def test_the_transpose_kept_gives_the_similarities_of_the_transpose_made_per_call() -> None:
    documents = ["Liquidation. The final computation of duties.", "CF-28. A request for information."]
    index = AnswerIndex(["faq/liquidation", "faq/cf28"], documents)
    asked = index.vectorizer.transform(["when is my entry liquidated", "cf 28 documents", ""])
    per_call = asked @ clone(index.vectorizer).fit_transform(documents).T  # as before: transposed on every call
    assert np.array_equal((asked @ index.columns).toarray(), per_call.toarray())


def test_keys_follow_the_order_asked_for_and_unknown_keys_are_least_likely() -> None:
    keys = ["faq/unknown", "faq/cf28", "faq/liquidation"]
    probabilities = INDEX.probabilities(["request for information documents"], keys, 0.05)[0]
    assert probabilities.argmax() == 1 and probabilities[0] == probabilities.min()


def test_an_edited_answer_counts_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    kb = knowledge()
    assert answer_index("faq") is answer_index("faq")  # built once for the knowledge in use
    assert answer_index("no_such_intent") is None
    target = [a for a in kb.articles if a.intent == "faq"][-1]

    def pick(index: AnswerIndex | None) -> str:
        assert index is not None
        return index.keys[int(index.probabilities(["what about zeppelins"], index.keys, 0.05)[0].argmax())]

    assert pick(answer_index("faq")) != target.retrieval_intent
    edited = dataclasses.replace(target, answer=target.answer + " Zeppelins are handled the same way.")
    reloaded = dataclasses.replace(kb, articles=[edited if a is target else a for a in kb.articles])
    monkeypatch.setattr(module, "knowledge", lambda: reloaded)
    assert pick(answer_index("faq")) == target.retrieval_intent
