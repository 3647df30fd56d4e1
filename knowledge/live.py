"""The process's one retriever, kept in step with its article sources while the process runs.

`retriever()` builds it on first use (articles from KB_DIR then KB_PUBLISHED_DIR, vectors from the cache in
KB_INDEX_DIR) and, at most every KB_REFRESH_SECONDS, looks at the sources again: first only each folder's
and each *.md file's modification time and size (a directory listing), and only when that changed, the
files themselves, so an article the console publishes is answered from within seconds, without a restart.
Only new or changed articles are embedded again (their content hash decides). A source that no longer
parses (a broken file) is logged and the library in use stays as it was.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Optional, Sequence, Tuple

from common.knowledge_settings import KnowledgeSettings, knowledge_settings
from knowledge.articles import ArticleError, load_library
from knowledge.indexing import PASSAGE_SCHEME, EmbeddingCache, MiniLMEncoder, TextEncoder
from knowledge.retriever import Retriever, UpdateReport
from knowledge.vectors import NumpyIndex, QdrantIndex, VectorIndex, qdrant_client

log = logging.getLogger(__name__)
Signature = Tuple[Tuple[str, int, Tuple[Tuple[str, int, int], ...]], ...]
DIMENSIONS = 384


def signature(directories: Sequence[Path]) -> Signature:
    """What changes when a file is added, removed or rewritten in a source: names, mtimes and sizes."""
    parts = []
    for directory in directories:
        try:
            folder = directory.stat().st_mtime_ns
            files = tuple(
                sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in directory.glob("*.md"))
            )
        except FileNotFoundError:
            folder, files = -1, ()
        parts.append((str(directory), folder, files))
    return tuple(parts)


def vector_indexes(settings: KnowledgeSettings, encoder: TextEncoder) -> Tuple[VectorIndex, VectorIndex]:
    """The passages' and the headings' index, in the process (numpy) or in two Qdrant collections."""
    if settings.vector_store == "qdrant":
        client = qdrant_client(settings.qdrant_location)  # one client: the local mode locks its folder
        collection = f"kb-{encoder.encoder_id}-{PASSAGE_SCHEME}"
        return (
            QdrantIndex(client, f"{collection}-passages", DIMENSIONS),
            QdrantIndex(client, f"{collection}-headings", DIMENSIONS),
        )
    return NumpyIndex(), NumpyIndex()


class LiveRetriever:
    """A Retriever plus its sources, re-read when they change (thread-safe)."""

    def __init__(
        self,
        settings: KnowledgeSettings,
        encoder: Optional[TextEncoder] = None,
        indexes: Optional[Tuple[VectorIndex, VectorIndex]] = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings, self.clock = settings, clock
        encoder = encoder or MiniLMEncoder()
        passages, headings = indexes or vector_indexes(settings, encoder)
        self.retriever = Retriever(
            encoder,
            passages,
            EmbeddingCache(encoder, settings.index_dir / "embeddings"),
            threshold=settings.answer_threshold,
            margin=settings.margin,
            headings=headings,
        )
        self._lock = threading.Lock()
        self._signature: Optional[Signature] = None
        self._checked = float("-inf")
        self.last_report: Optional[UpdateReport] = None

    def current(self) -> Retriever:
        """The retriever, refreshed first when the sources were last checked over KB_REFRESH_SECONDS ago."""
        if self.clock() - self._checked >= self.settings.refresh_seconds:
            self.refresh()
        return self.retriever

    def refresh(self, force: bool = False) -> Optional[UpdateReport]:
        """Re-read the sources if they changed (or `force`); returns what the update did, None if nothing."""
        with self._lock:
            self._checked = self.clock()
            seen = signature(self.settings.sources)
            if seen == self._signature and not force:
                return None
            try:
                library = load_library(*self.settings.sources)
            except ArticleError as error:
                log.error("knowledge base not reloaded, still serving the previous articles: %s", error)
                self._signature = seen  # retried when the files change again
                return None
            report = self.retriever.update(library)
            self._signature, self.last_report = seen, report
            if report.added or report.changed or report.removed:
                log.info(
                    "knowledge base: %d articles (%d added, %d changed, %d removed, %d embedded)",
                    len(library),
                    len(report.added),
                    len(report.changed),
                    len(report.removed),
                    report.embedded,
                )
            return report


_shared: Optional[LiveRetriever] = None
_shared_lock = threading.Lock()


def retriever() -> Retriever:
    """The process-wide retriever, built from knowledge_settings() on first use, refreshed as it goes."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = LiveRetriever(knowledge_settings())
        live = _shared
    return live.current()


def reset() -> None:
    """Forget the process-wide retriever (tests that change the settings)."""
    global _shared
    with _shared_lock:
        _shared = None
