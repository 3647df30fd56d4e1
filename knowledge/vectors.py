"""Where the passage vectors live: a numpy matrix in the process (the default) or a Qdrant collection.

Both hold each article as a few unit vectors (its passages) tagged with the article's content hash, and
answer one question: for a query vector, the best passage similarity (cosine) of each of the `limit`
closest articles. The retriever (knowledge/retriever.py) sees only the `VectorIndex` protocol, so the
Qdrant tests run the very code a compose deployment runs, against the client's local mode.
"""

from __future__ import annotations

import uuid
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Optional, Protocol, Tuple

import numpy as np

if TYPE_CHECKING:
    from qdrant_client import QdrantClient


class VectorIndex(Protocol):
    def stored(self) -> Dict[str, str]:
        """The content hash held for each article id."""

    def upsert(self, article_id: str, content_hash: str, vectors: np.ndarray) -> None:
        """Replace all of an article's passages (one unit vector per row)."""

    def remove(self, article_ids: Iterable[str]) -> None: ...

    def search(self, vector: np.ndarray, limit: int) -> Dict[str, float]:
        """The best passage similarity per article, for the `limit` articles with the highest."""


class NumpyIndex:
    """All passages in one float32 matrix; a query is one matrix-vector product (48 articles: ~200 rows)."""

    def __init__(self) -> None:
        self._articles: Dict[str, Tuple[str, np.ndarray]] = {}
        self._matrix: Optional[np.ndarray] = None
        self._owners: List[str] = []
        self._starts = np.zeros(0, dtype=np.int64)

    def stored(self) -> Dict[str, str]:
        return {article_id: digest for article_id, (digest, _) in self._articles.items()}

    def upsert(self, article_id: str, content_hash: str, vectors: np.ndarray) -> None:
        self._articles[article_id] = (content_hash, np.asarray(vectors, dtype=np.float32))
        self._matrix = None

    def remove(self, article_ids: Iterable[str]) -> None:
        for article_id in article_ids:
            self._articles.pop(article_id, None)
        self._matrix = None

    def _stack(self) -> np.ndarray:
        if self._matrix is None:
            self._owners = sorted(self._articles)
            blocks = [self._articles[article_id][1] for article_id in self._owners]
            sizes = [len(block) for block in blocks]
            self._starts = np.cumsum([0, *sizes[:-1]]).astype(np.int64)
            self._matrix = np.vstack(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
        return self._matrix

    def search(self, vector: np.ndarray, limit: int) -> Dict[str, float]:
        matrix = self._stack()
        if not len(matrix):
            return {}
        best = np.maximum.reduceat(matrix @ np.asarray(vector, dtype=np.float32), self._starts)
        top = np.argsort(-best, kind="stable")[:limit]
        return {self._owners[row]: float(best[row]) for row in top}


def qdrant_client(location: str) -> QdrantClient:
    """A server URL (compose: http://qdrant:6333), ":memory:", or a folder for the client's local mode
    (one process at a time: the client locks the folder)."""
    from qdrant_client import QdrantClient

    if location == ":memory:":
        return QdrantClient(location=":memory:")
    if location.startswith(("http://", "https://")):
        return QdrantClient(url=location)
    Path(location).mkdir(parents=True, exist_ok=True)
    return QdrantClient(path=location)


class QdrantIndex:
    """One point per passage in a collection of its own per encoder (a new encoder never mixes with the old
    one's vectors); each point's payload names its article and that article's content hash."""

    def __init__(self, client: QdrantClient, collection: str, dimensions: int) -> None:
        from qdrant_client import models

        self.client, self.collection, self.models = client, collection, models
        if not client.collection_exists(collection):
            client.create_collection(
                collection,
                vectors_config=models.VectorParams(size=dimensions, distance=models.Distance.COSINE),
            )
            with warnings.catch_warnings():  # the local mode has no payload indexes, and says so
                warnings.simplefilter("ignore", UserWarning)
                client.create_payload_index(collection, "article_id", models.PayloadSchemaType.KEYWORD)

    def stored(self) -> Dict[str, str]:
        held: Dict[str, str] = {}
        offset: Any = None
        while True:
            points, offset = self.client.scroll(
                self.collection, limit=256, offset=offset, with_payload=["article_id", "content_hash"]
            )
            for point in points:
                payload = point.payload or {}
                held[str(payload["article_id"])] = str(payload["content_hash"])
            if offset is None:
                return held

    def _article_filter(self, article_ids: List[str]) -> Any:
        models = self.models
        condition = models.FieldCondition(key="article_id", match=models.MatchAny(any=article_ids))
        return models.FilterSelector(filter=models.Filter(must=[condition]))

    def upsert(self, article_id: str, content_hash: str, vectors: np.ndarray) -> None:
        self.remove([article_id])
        points = [
            self.models.PointStruct(
                id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"kb/{article_id}/{row}")),
                vector=[float(value) for value in vector],
                payload={"article_id": article_id, "content_hash": content_hash, "passage": row},
            )
            for row, vector in enumerate(np.asarray(vectors, dtype=np.float32))
        ]
        self.client.upsert(self.collection, points=points, wait=True)

    def remove(self, article_ids: Iterable[str]) -> None:
        wanted = list(article_ids)
        if wanted:
            self.client.delete(self.collection, points_selector=self._article_filter(wanted), wait=True)

    def search(self, vector: np.ndarray, limit: int) -> Dict[str, float]:
        groups = self.client.query_points_groups(
            self.collection,
            group_by="article_id",
            query=[float(value) for value in np.asarray(vector, dtype=np.float32)],
            limit=limit,
            group_size=1,
            with_payload=False,
        ).groups
        return {str(group.id): float(group.hits[0].score) for group in groups if group.hits}
