"""The lexical classifier (bot/lexical.py): its faster solver, its one-thread training and its weights' memory order
change no prediction."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np

from bot import lexical
from bot.knowledge import knowledge


def test_the_faster_solver_gives_the_default_solvers_probabilities() -> None:
    articles = [a for a in knowledge().articles if a.intent == "faq"]
    texts = [q for a in articles for q in a.questions]
    labels = [a.id for a in articles for _ in a.questions]
    fast = lexical.fit(lexical.make_model(30), texts, labels)
    default = lexical.make_model(30)
    default.set_params(logisticregression__solver="lbfgs")
    lexical.fit(default, texts, labels)
    asked = ["how do i change my center", "whats a cf28", "who handles protests", "is my ssn stored"]
    assert np.abs(fast.predict_proba(asked) - default.predict_proba(asked)).max() < 0.005


def test_lookup_tables_give_each_word_its_classes() -> None:
    tables = [
        {"name": "class_agreeing", "elements": ["yes", "definitely", "sounds good"]},
        {"name": "class_stop", "elements": ["abort", "never mind"]},
        {"name": "center_name", "elements": ["Machinery", "Base Metals"]},
    ]
    words = lexical.TableWords(tables)
    assert words("Definitely!") == ["table:class_agreeing", "length:1"]
    assert words("ok that sounds good") == ["table:class_agreeing", "length:4"]
    assert words("never mind, abort") == ["table:class_stop", "length:3"]
    assert words("base metals staff") == ["table:center_name", "length:3"]
    assert words("basement") == ["length:1"]  # whole words and phrases only


def test_a_word_no_training_question_uses_is_read_through_its_class() -> None:
    tables = [{"name": "class_stop", "elements": ["stop", "cancel", "quit", "abort", "halt"]}]
    texts = ["stop", "cancel that", "quit", "please stop", "yes", "yes please", "sure", "yes do it"]
    labels = ["stop"] * 4 + ["affirm"] * 4
    with_tables = lexical.fit(lexical.make_model(30, tables, "balanced"), texts, labels)
    assert with_tables.predict(["abort", "halt"]).tolist() == ["stop", "stop"]


def test_weights_kept_in_column_major_order_change_no_probability(tmp_path: Path) -> None:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource

    articles = [a for a in knowledge().articles if a.intent == "faq"]
    texts = [q for a in articles for q in a.questions]
    model = lexical.fit(lexical.make_model(30), texts, [a.id for a in articles for _ in a.questions])
    storage, resource = LocalModelStorage(tmp_path), Resource("lexical")
    lexical.save(model, storage, resource)
    loaded = lexical.load(storage, resource)
    assert loaded is not None
    for fast in (model, loaded):
        assert fast[-1].coef_.flags.f_contiguous  # its transpose is contiguous: no copy per prediction
    row_major = copy.deepcopy(model)
    row_major[-1].coef_ = np.ascontiguousarray(model[-1].coef_)
    asked = ["how do i change my center", "whats a cf28", "who handles protests", "is my ssn stored", "x"]
    expected = row_major.predict_proba(asked)
    assert np.array_equal(model.predict_proba(asked), expected)
    assert np.array_equal(loaded.predict_proba(asked), expected)


def test_features_without_joblib_are_the_unions_own() -> None:
    tables = [{"name": "class_stop", "elements": ["stop", "never mind"]}]
    texts = ["stop", "never mind that", "what is a cf28", "how do i change my center", "yes"]
    model = lexical.fit(lexical.make_model(30, tables), texts, ["stop", "stop", "faq", "faq", "affirm"])
    asked = ["please stop", "cf 28?", "", "Ünïcode wörds"]
    assert np.array_equal(lexical.features(model[0], asked).toarray(), model[0].transform(asked).toarray())
    assert np.array_equal(lexical.predict_proba(model, asked), model.predict_proba(asked))
