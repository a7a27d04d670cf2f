"""How close a question is to each article's title and answer: the run-time half of the FAQ selector's score.

``bot.selectors.LexicalResponseSelector`` learns from the articles' questions, which are training data. The answers and
titles are not (editing them needs no training), yet they are evidence too: a question about "liquidation" is close
to the answer that explains liquidation even when no training question used the word. This index is built from the
knowledge in use, in a few milliseconds, and built again when ``knowledge/`` is reloaded, so an edited answer counts
at once. Measured on 5-fold cross-validation of the FAQ questions, mixing a fifth of it into the selector's score took
article accuracy from 0.789 to 0.797 (see ``docs/understanding.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, make_union

from bot import lexical
from bot.knowledge import Knowledge, knowledge


class AnswerIndex:
    """TF-IDF vectors (words without stop words, and character n-grams) of the articles of one retrieval intent."""

    def __init__(self, keys: Sequence[str], documents: Sequence[str]) -> None:
        """Index ``documents`` (an article's title and answer) under ``keys`` (``faq/cf28``)."""
        self.keys = list(keys)
        self.vectorizer: FeatureUnion = make_union(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english"),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        )
        # Transposed once, in the row-major form a product with a question's row converts it to on every call.
        self.columns = self.vectorizer.fit_transform(documents).T.tocsr()

    def probabilities(self, texts: Sequence[str], keys: Sequence[str], temperature: float) -> np.ndarray:
        """For each text, a probability per key in ``keys``' order: the softmax of its similarity to each article
        (``temperature``: lower is sharper); a key with no article here gets the lowest similarity.
        """
        similarity = (lexical.features(self.vectorizer, list(texts)) @ self.columns).toarray()
        column = {key: i for i, key in enumerate(self.keys)}
        scores = np.stack(
            [similarity[:, column[key]] if key in column else np.zeros(len(texts)) for key in keys], axis=1
        )
        weights = np.exp((scores - scores.max(axis=1, keepdims=True)) / temperature)
        return weights / weights.sum(axis=1, keepdims=True)


_built: dict[str, tuple[Knowledge, AnswerIndex]] = {}


def answer_index(retrieval_intent: str) -> Optional[AnswerIndex]:
    """The index of the articles of ``retrieval_intent`` (``faq``) in the knowledge in use; None when it has none."""
    kb = knowledge()
    cached = _built.get(retrieval_intent)
    if cached is not None and cached[0] is kb:
        return cached[1]
    articles = [a for a in kb.articles if a.intent == retrieval_intent]
    if not articles:
        return None
    index = AnswerIndex([a.retrieval_intent for a in articles], [f"{a.title}. {a.answer}" for a in articles])
    _built[retrieval_intent] = (kb, index)
    return index
