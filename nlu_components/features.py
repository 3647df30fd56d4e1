"""One feature matrix from every sentence-level feature Rasa's featurizers produced for a message.

Each featurizer's sentence vector becomes one block: sparse blocks (n-gram counts) get sublinear TF-IDF
weighting learnt from the training messages, every block is L2-normalised, and dense blocks (sentence
embeddings) are multiplied by `dense_weight`. Shared by the intent and FAQ-topic classifiers.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import scipy.sparse as sp
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message


def sentence_blocks(message: Message) -> Dict[str, Any]:
    return {
        f"{f.origin}:{'sparse' if f.is_sparse() else 'dense'}": f.features
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    }


class SentenceFeatures:
    """Learns the IDF weights on training messages, then turns any messages into one sparse matrix."""

    def __init__(self, dense_weight: float, idf: Dict[str, np.ndarray] | None = None) -> None:
        self.dense_weight = dense_weight
        self.idf: Dict[str, np.ndarray] = idf or {}

    def fit(self, messages: List[Message]) -> SentenceFeatures:
        blocks = [sentence_blocks(m) for m in messages]
        for key in sorted(set(blocks[0]) if blocks else set()):
            if key.endswith(":sparse"):
                present = sp.vstack([sp.csr_matrix(b[key]) for b in blocks]) > 0
                df = np.asarray(present.sum(axis=0)).ravel()
                self.idf[key] = np.log((1 + len(blocks)) / (1 + df)) + 1
            else:
                self.idf[key] = np.ones(1)
        return self

    def matrix(self, messages: List[Message]) -> sp.csr_matrix:
        per_message = [sentence_blocks(m) for m in messages]
        columns = []
        for key in sorted(self.idf):
            rows = [blocks[key] for blocks in per_message]
            if key.endswith(":sparse"):
                block = sp.vstack(rows, format="csr", dtype=np.float64)
                # The IDF weight of each stored entry's column, read by index: a diagonal matrix of the
                # whole vocabulary per call cost more than the rest of this method (it runs per message).
                block.data = np.log1p(block.data) * self.idf[key][block.indices]
                columns.append(_unit_rows(block))
            else:
                dense = np.vstack(rows).astype(np.float64)
                norms = np.linalg.norm(dense, axis=1, keepdims=True)
                norms[norms == 0.0] = 1.0
                columns.append(sp.csr_matrix(dense / norms * self.dense_weight))
        return sp.hstack(columns, format="csr")


def _unit_rows(block: sp.csr_matrix) -> sp.csr_matrix:
    """Each row divided by its L2 norm (rows of zeros stay zero), as sklearn's `normalize` does."""
    squares = np.bincount(
        np.repeat(np.arange(block.shape[0]), np.diff(block.indptr)),
        weights=block.data**2,
        minlength=block.shape[0],
    )
    norms = np.sqrt(squares)
    norms[norms == 0.0] = 1.0
    block.data /= np.repeat(norms, np.diff(block.indptr))
    return block
