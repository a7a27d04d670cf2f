"""The lexical classifier (bot/lexical.py): its faster solver and its one-thread training change no prediction."""

from __future__ import annotations

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
