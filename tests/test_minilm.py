"""The TensorFlow forward pass of the MiniLM encoder computes the numpy reference's function."""

from __future__ import annotations

import numpy as np
import pytest

from nlu_components.minilm import BACKEND_VARIABLE, DEFAULT_DIR, MiniLM

TEXTS = [
    "where is my order 10042?",
    "jane@example.com",
    "no",
    "",  # [CLS] [SEP] only
    "Wo ist meine Bestellung? ¿Dónde está mi pedido? 日本",
    "I was charged twice for order 10050 and I would like the second payment back " * 20,  # > 128 tokens
]


@pytest.fixture(scope="module")
def encoders() -> tuple[MiniLM, MiniLM]:
    return MiniLM(DEFAULT_DIR, backend="numpy"), MiniLM(DEFAULT_DIR, backend="tensorflow")


def test_tensorflow_and_numpy_give_the_same_embeddings(encoders: tuple[MiniLM, MiniLM]) -> None:
    reference, compiled = encoders
    # One padded batch of mixed lengths (training) and one text at a time (serving).
    batched = compiled.embed(TEXTS)
    single = np.vstack([compiled.embed([text]) for text in TEXTS])
    expected = reference.embed(TEXTS)
    assert expected.shape == batched.shape == (len(TEXTS), 384)
    np.testing.assert_allclose(batched, expected, atol=1e-5)
    np.testing.assert_allclose(single, expected, atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    # Different texts stay different: a constant or zero output would pass the checks above only by luck.
    assert float(batched[0] @ batched[2]) < 0.9


def test_the_backend_comes_from_the_environment_and_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BACKEND_VARIABLE, "numpy")
    assert MiniLM(DEFAULT_DIR).backend == "numpy"
    monkeypatch.setenv(BACKEND_VARIABLE, "torch")
    with pytest.raises(ValueError, match="MINILM_BACKEND must be one of tensorflow, numpy, not 'torch'"):
        MiniLM(DEFAULT_DIR)
