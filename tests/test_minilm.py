"""The TensorFlow forward pass of the MiniLM encoder computes the numpy reference's function."""

from __future__ import annotations

import numpy as np
import pytest

from common.env import ConfigurationError
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
    # No cache: the single texts below must be encoded again, not read back from the batch.
    return (
        MiniLM(DEFAULT_DIR, backend="numpy", cache_size=0),
        MiniLM(DEFAULT_DIR, backend="tensorflow", cache_size=0),
    )


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


def test_a_cached_embedding_is_what_encoding_again_gives_and_skips_the_encoder() -> None:
    encoder = MiniLM(DEFAULT_DIR, backend="numpy", cache_size=2)
    calls: list[int] = []
    encode = encoder._encode
    encoder._encode = lambda ids, mask: calls.append(len(ids)) or encode(ids, mask)  # type: ignore[method-assign]

    first = encoder.embed(["where is my order 10042?", "no"])
    assert calls == [2]
    # The same word pieces (case and spacing before punctuation do not change them): no encoder call.
    again = encoder.embed(["Where is my order 10042 ?", "no"])
    assert calls == [2] and encoder.cache.hits == 2
    np.testing.assert_array_equal(again, first)
    # Changing the returned array does not change what the cache hands out next.
    again[1] = 0.0
    np.testing.assert_array_equal(encoder.embed(["no"])[0], first[1])
    # A third text evicts the least recently used one ("where is my order..."), which is encoded again.
    encoder.embed(["yes"])
    encoder.embed(["where is my order 10042?"])
    assert calls == [2, 1, 1]
    np.testing.assert_allclose(encoder.embed(["where is my order 10042?"])[0], first[0], atol=1e-6)


def test_the_cache_size_comes_from_the_environment_and_zero_turns_it_off(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MINILM_CACHE_SIZE", "0")
    encoder = MiniLM(DEFAULT_DIR, backend="numpy")
    encoder.embed(["no"])
    encoder.embed(["no"])
    assert encoder.cache.hits == 0 and encoder.cache.misses == 0
    monkeypatch.setenv("MINILM_CACHE_SIZE", "many")
    with pytest.raises(ConfigurationError, match="MINILM_CACHE_SIZE must be a whole number"):
        MiniLM(DEFAULT_DIR, backend="numpy")
