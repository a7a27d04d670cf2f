"""The lexical text classifier that ``bot/selectors.py`` and ``bot/intent_blend.py`` train, and how a model keeps it.

TF-IDF of word unigrams and bigrams and of character 2-4-grams within words, then a logistic regression: it learns in
a second or two from a few hundred questions, is deterministic, and reads misspelt and unseen words by their parts.
Given lookup tables (the intent blend passes the training data's: Center names, product words, the word classes of
``knowledge/word_classes.yml``), it also reads which tables a message's words belong to, and how long it is, so that a
word no training question uses is understood through its class ("affirmative" like "yes").
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

import numpy as np
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline, make_union
from threadpoolctl import threadpool_limits

MODEL_FILE = "model.pkl"
_WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


class TableWords:
    """The features of a text that lookup tables give: ``table:<name>`` for each table one of its words or phrases is
    in, and ``length:<n>`` for its number of words (4 meaning four or more). A picklable analyzer for CountVectorizer.
    """

    def __init__(self, tables: Iterable[dict[str, Any]]) -> None:
        """Args:
        tables: Rasa lookup tables (``name`` and ``elements``).
        """
        words: dict[str, set[str]] = {}
        phrases: dict[str, list[str]] = {}
        for table in tables:
            for element in table["elements"]:
                element = " ".join(str(element).lower().split())
                if _WORD.fullmatch(element):
                    words.setdefault(element, set()).add(table["name"])
                elif element:
                    phrases.setdefault(table["name"], []).append(re.escape(element))
        self.words = {word: tuple(sorted(names)) for word, names in words.items()}
        self.phrases = [
            (name, re.compile(rf"(?<![\w]){'|'.join(sorted(found, key=len, reverse=True))}(?![\w])"))
            for name, found in sorted(phrases.items())
        ]

    def __call__(self, text: str) -> list[str]:
        """The features of ``text``."""
        text = text.lower()
        tokens = _WORD.findall(text)
        found = {name for token in tokens for name in self.words.get(token, ())}
        found |= {name for name, pattern in self.phrases if name not in found and pattern.search(text)}
        return [f"table:{name}" for name in sorted(found)] + [f"length:{min(len(tokens), 4)}"]


def fit(model: Pipeline, texts: list[str], labels: list[str]) -> Pipeline:
    """Train ``model`` on one thread: L-BFGS's many small vector steps ran two to three times slower with OpenBLAS's
    two threads on 2 cores (8.5 s against 19 s for the intent blend's 2,427 examples while other work ran).
    """
    with threadpool_limits(1):
        return _column_major(model.fit(texts, labels))


def _column_major(model: Pipeline) -> Pipeline:
    """Keep the classifier's weights in column-major order, so that their transpose, which every prediction multiplies
    the features by, is a contiguous array: in the other order, SciPy copies the whole matrix (about 30,000 features
    by 60 labels for the FAQ) on every call, which took 1.6 ms of a message. The weights keep their values, so every
    probability stays the same to the bit.
    """
    classifier = model[-1]
    classifier.coef_ = np.asfortranarray(classifier.coef_)
    return model


def features(union: FeatureUnion, texts: list[str]) -> Any:
    """``union.transform(texts)`` without joblib: the same matrix, 0.45 ms sooner for one message (FeatureUnion runs
    its parts through ``joblib.Parallel`` even on one job). Unions with weighted or dropped parts go the usual way.
    """
    parts = union.transformer_list
    if union.transformer_weights or any(isinstance(part, str) for _, part in parts):
        return union.transform(texts)
    return sparse.hstack([part.transform(texts) for _, part in parts]).tocsr()


def predict_proba(model: Pipeline, texts: list[str]) -> np.ndarray:
    """``model.predict_proba(texts)`` for a model of :func:`make_model`, through :func:`features`."""
    return model[-1].predict_proba(features(model[0], texts))


def make_model(
    c: float, tables: Optional[Iterable[dict[str, Any]]] = None, class_weight: Optional[str] = None
) -> Pipeline:
    """The untrained classifier.

    Args:
        c: the inverse regularisation strength (higher: closer fit to the training questions).
        tables: lookup tables whose words are features too (see :class:`TableWords`); None: words only.
        class_weight: ``"balanced"`` weighs each label's examples by the inverse of its count, so that a label with
            many examples (the FAQ) does not draw the questions of the small ones; None: every example counts once.
    """
    parts = [
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
    ]
    if tables is not None:
        parts.append(CountVectorizer(analyzer=TableWords(tables), binary=True))
    # Newton-CG reaches the same optimum as the default L-BFGS (probabilities within 0.0002 on the conversation
    # set), in 19 steps instead of 122: half the time (4.4 s against 9.6 s for the intent blend).
    classifier = LogisticRegression(C=c, max_iter=5000, solver="newton-cg", class_weight=class_weight)
    return make_pipeline(make_union(*parts), classifier)


def save(model: Pipeline | None, storage: ModelStorage, resource: Resource) -> None:
    """Keep ``model`` (None: no model) in the trained model's storage."""
    with storage.write_to(resource) as folder:
        (Path(folder) / MODEL_FILE).write_bytes(pickle.dumps(model))


def load(storage: ModelStorage, resource: Resource) -> Pipeline | None:
    """The classifier kept in the trained model's storage (None when nothing was kept)."""
    try:
        with storage.read_from(resource) as folder:
            model = pickle.loads((Path(folder) / MODEL_FILE).read_bytes())  # our own training's output, not user input
    except (ValueError, FileNotFoundError):
        return None
    return None if model is None else _column_major(model)
