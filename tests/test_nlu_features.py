"""The classifiers' feature matrix: sublinear TF-IDF per sparse block, unit rows, weighted dense block."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from nlu_components.features import SentenceFeatures


def message(counts: list[float], embedding: list[float]) -> Message:
    result = Message(data={"text": "x"})
    result.add_features(Features(sp.coo_matrix([counts]), "sentence", "text", "words"))
    result.add_features(Features(np.array([embedding]), "sentence", "text", "minilm"))
    return result


def test_each_block_is_idf_weighted_and_unit_length_and_empty_rows_stay_zero() -> None:
    training = [message([1, 0, 0], [1, 0]), message([1, 1, 0], [0, 1]), message([2, 0, 1], [1, 1])]
    features = SentenceFeatures(dense_weight=2.0).fit(training)
    # Document frequencies 3, 1, 1 of 3 messages: idf = ln(4 / (1 + df)) + 1.
    idf = np.log(4 / np.array([4, 2, 2])) + 1
    np.testing.assert_allclose(features.idf["words:sparse"], idf)

    matrix = features.matrix([message([3, 0, 1], [3, 4]), message([0, 0, 0], [0, 0])])
    assert sp.isspmatrix_csr(matrix) and matrix.shape == (2, 5)
    dense_block, sparse_block = matrix.toarray()[:, :2], matrix.toarray()[:, 2:]  # blocks in key order
    words = np.log1p(np.array([3.0, 0.0, 1.0])) * idf
    np.testing.assert_allclose(sparse_block[0], words / np.linalg.norm(words))
    np.testing.assert_allclose(dense_block[0], [1.2, 1.6])  # (3, 4) / 5 * dense_weight
    np.testing.assert_array_equal(matrix.toarray()[1], np.zeros(5))  # nothing known: no NaN from 0 / 0
