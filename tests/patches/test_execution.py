"""The join of sparse features of bot/patches/execution.py gives Rasa's own matrix, element for element."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.training_data.features import Features
from scipy import sparse

from bot.patches.execution import _join_coordinates
from bot.patches.patching import ORIGINAL

ORIGINAL_JOIN = getattr(Features._combine_sparse_features, ORIGINAL, Features._combine_sparse_features)
PATCHED_JOIN = _join_coordinates(ORIGINAL_JOIN)


def _features(matrix: Any) -> Features:
    return Features(matrix, "sequence", "text", "CountVectorsFeaturizer")


def _pairs() -> list[tuple[Any, Any]]:
    def coo(rows: int, columns: int, density: float, seed: int, dtype: Any) -> sparse.coo_matrix:
        return sparse.random(rows, columns, density=density, random_state=seed, dtype=dtype, format="coo")

    return [
        (coo(7, 5000, 0.002, 1, np.float32), coo(7, 300, 0.02, 2, np.float32)),
        (coo(1, 40, 0.2, 3, np.float64), coo(1, 9, 0.0, 4, np.float32)),  # an empty one; values upcast
        (coo(3, 70000, 0.0001, 5, np.float32), coo(3, 10, 0.5, 6, np.float64)),
        (coo(2, 8, 0.5, 7, np.float32).tocsr(), coo(2, 5, 0.5, 8, np.float32)),  # not both coordinates: Rasa's
    ]


@pytest.mark.parametrize("left, right", _pairs())
def test_the_join_is_rasas_own(left: Any, right: Any) -> None:
    expected, joined = _features(copy.deepcopy(left)), _features(copy.deepcopy(left))
    ORIGINAL_JOIN(expected, _features(right))
    PATCHED_JOIN(joined, _features(right))
    a, b = expected.features, joined.features
    assert type(a) is type(b) and a.shape == b.shape and a.dtype == b.dtype
    assert (a.row.dtype, a.col.dtype) == (b.row.dtype, b.col.dtype)
    assert np.array_equal(a.data, b.data) and np.array_equal(a.row, b.row) and np.array_equal(a.col, b.col)


def test_unequal_lengths_get_rasas_error() -> None:
    left = _features(sparse.coo_matrix(np.ones((2, 3), dtype=np.float32)))
    with pytest.raises(ValueError, match="sequence dimensions do not match"):
        PATCHED_JOIN(left, _features(sparse.coo_matrix(np.ones((3, 3), dtype=np.float32))))
