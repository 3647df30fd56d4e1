"""The Qdrant index (the client's local mode: the code path a Qdrant server gets) ranks as numpy does."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from common.knowledge_settings import knowledge_settings
from knowledge.articles import load_library
from knowledge.indexing import EmbeddingCache, MiniLMEncoder, TextEncoder
from knowledge.retriever import Retriever
from knowledge.vectors import NumpyIndex, QdrantIndex, qdrant_client
from tests.knowledge.support import CountingEncoder

QUESTIONS = [
    "how long until my refund shows up on my card",
    "can I change the address on an order I already placed",
    "my parcel says delivered but it is not here",
    "do you take paypal",
    "how do I stop the marketing emails",
    "what is the weather tomorrow",
]


def test_numpy_and_qdrant_local_mode_give_the_same_ranking(tmp_path: Path, minilm: MiniLMEncoder) -> None:
    library = load_library(knowledge_settings().kb_dir)
    cache_dir = knowledge_settings().index_dir / "embeddings"  # shared with make kb-eval: vectors by content
    numpy_side = Retriever(minilm, NumpyIndex(), EmbeddingCache(minilm, cache_dir))
    numpy_side.update(library)
    client = qdrant_client(str(tmp_path / "qdrant"))
    qdrant_side = Retriever(
        minilm,
        QdrantIndex(client, "kb-test-passages", 384),
        EmbeddingCache(minilm, cache_dir),
        headings=QdrantIndex(client, "kb-test-headings", 384),
    )
    qdrant_side.update(library)
    for question in QUESTIONS:
        expected = numpy_side.search(question, k=10)
        found = qdrant_side.search(question, k=10)
        assert [hit.article.id for hit in found] == [hit.article.id for hit in expected], question
        np.testing.assert_allclose([h.score for h in found], [h.score for h in expected], atol=1e-4)
        assert qdrant_side.decide(question).reason == numpy_side.decide(question).reason
    client.close()


def qdrant_retriever(client: QdrantClient, encoder: TextEncoder) -> Retriever:
    passages, headings = QdrantIndex(client, "kb-passages", 384), QdrantIndex(client, "kb-headings", 384)
    return Retriever(encoder, passages, EmbeddingCache(encoder, None), headings=headings)


def test_a_persistent_qdrant_collection_is_not_filled_again(tmp_path: Path, minilm: MiniLMEncoder) -> None:
    library = {key: a for key, a in load_library(knowledge_settings().kb_dir).items() if key < "d"}
    client = qdrant_client(str(tmp_path / "qdrant"))
    assert qdrant_retriever(client, minilm).update(library).embedded == len(library)
    client.close()

    # Another process (or a restart) on the same collections: they hold every article's current hash already.
    client = qdrant_client(str(tmp_path / "qdrant"))
    counting = CountingEncoder(minilm)
    again = qdrant_retriever(client, counting)
    assert again.index.stored() == {key: a.content_hash for key, a in library.items()}
    report = again.update(library)
    assert (report.added, report.changed, report.embedded, counting.texts) == ([], [], 0, [])
    removed = sorted(library)[0]
    assert again.update({k: a for k, a in library.items() if k != removed}).removed == [removed]
    assert removed not in again.index.stored() and removed not in again.headings.stored()
    client.close()


@pytest.mark.parametrize("location", [":memory:"])
def test_the_client_can_also_live_in_memory(location: str, minilm: MiniLMEncoder) -> None:
    index = QdrantIndex(qdrant_client(location), "kb-memory", 384)
    index.upsert("a", "hash-a", minilm.embed(["refunds take a week", "refunds go to your card"]))
    index.upsert("b", "hash-b", minilm.embed(["parcels arrive in three days"]))
    found = index.search(minilm.embed(["when do I get my refund"])[0], limit=2)
    assert list(found) == ["a", "b"] and found["a"] > found["b"]
    index.upsert("a", "hash-a2", minilm.embed(["gift cards never expire"]))  # replaces both passages
    assert index.stored() == {"a": "hash-a2", "b": "hash-b"}
