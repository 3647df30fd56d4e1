"""What is embedded for each article, and the on-disk cache that makes re-indexing incremental.

An article becomes a heading (its title and tags: what it is about) and a few passages: the title with the
canonical answer, then each further paragraph (with the title, which says what the paragraph is about),
then each of its `questions` (how customers ask for it) alone, as a customer's question would be. A
question is scored against the article's best passage, so a long article is not diluted into one averaged
vector and a detail in its fifth paragraph still counts, and against its heading (knowledge/retriever.py).

Vectors are cached in KB_INDEX_DIR/embeddings/<encoder>-<scheme>/<content hash>.npy: an article whose
title, tags, body and questions are unchanged is never embedded again, by this process or the next one; a new
encoder or passage scheme starts a new folder. Files are written to a temporary name and renamed, so two
processes sharing the folder (the action server and the console) never read half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path
from typing import List, Optional, Protocol, Sequence

import numpy as np

from common.minilm import DEFAULT_DIR, ENCODER_ID, MiniLM, fetch
from knowledge.articles import Article

PASSAGE_SCHEME = "p3"  # bump when `heading` or `passages` changes: the cache folder changes with it
MAX_PASSAGE_WORDS = 90  # the encoder reads 128 word pieces; longer paragraphs are cut at sentences
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`>#]+")


class TextEncoder(Protocol):
    encoder_id: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One unit vector per text."""


class MiniLMEncoder:
    """all-MiniLM-L6-v2 in numpy (common/minilm.py), loaded on first use: the NLU pipeline's encoder,
    without TensorFlow."""

    encoder_id = ENCODER_ID

    def __init__(self, model_dir: Path = DEFAULT_DIR) -> None:
        self.model_dir = model_dir
        self._model: Optional[MiniLM] = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                self._model = MiniLM(fetch(self.model_dir))
        return self._model.embed(texts)


def plain(markdown: str) -> str:
    """Markdown as the words a reader sees: link targets, emphasis and heading marks dropped."""
    return " ".join(_MARKUP.sub(" ", _LINK.sub(r"\1", markdown)).split())


def _pieces(paragraph: str) -> List[str]:
    words = paragraph.split()
    if len(words) <= MAX_PASSAGE_WORDS:
        return [paragraph]
    sentences = re.split(r"(?<=[.!?])\s+", paragraph)
    pieces: List[str] = []
    current: List[str] = []
    for sentence in sentences:
        if current and len(" ".join(current + [sentence]).split()) > MAX_PASSAGE_WORDS:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    return pieces + [" ".join(current)] if current else pieces


def heading(article: Article) -> str:
    """What the article is about, in a few words: "Refunds (refund, billing, returns)"."""
    title = plain(article.title)
    return f"{title} ({', '.join(article.tags)})" if article.tags else title


def passages(article: Article) -> List[str]:
    """The texts embedded for one article, the first always title + canonical answer."""
    title = plain(article.title)
    texts = [f"{title}. {plain(article.answer)}"]
    pending_heading = ""
    for paragraph in article.paragraphs[1:]:
        if paragraph.startswith("#") and "\n" not in paragraph:
            pending_heading = plain(paragraph)  # a heading is read with the paragraph under it
            continue
        text = plain(paragraph)
        context = f"{title}: {pending_heading}" if pending_heading else title
        texts += [f"{context}. {piece}" for piece in _pieces(text)]
        pending_heading = ""
    # A customer's question is closest to another customer's question: these are embedded as they are.
    return texts + [plain(question) for question in article.questions]


def texts_to_embed(article: Article) -> List[str]:
    """Row 0: the heading; rows 1 on: the passages (the layout of each cached matrix)."""
    return [heading(article), *passages(article)]


class EmbeddingCache:
    """Heading and passage vectors by article content hash (one matrix each, laid out as `texts_to_embed`),
    on disk; `embedded` counts the articles actually run through the encoder (what the incremental-indexing
    test measures)."""

    def __init__(self, encoder: TextEncoder, directory: Optional[Path]) -> None:
        self.encoder = encoder
        self.directory = directory / f"{encoder.encoder_id}-{PASSAGE_SCHEME}" if directory else None
        self.embedded = 0

    def _path(self, content_hash: str) -> Optional[Path]:
        return self.directory / f"{content_hash}.npy" if self.directory else None

    def vectors(self, articles: Sequence[Article]) -> List[np.ndarray]:
        """Each article's matrix (heading, then passages), embedding (in one batch) only those not on disk."""
        found: List[Optional[np.ndarray]] = [self._read(article.content_hash) for article in articles]
        missing = [i for i, matrix in enumerate(found) if matrix is None]
        if missing:
            texts = [texts_to_embed(articles[i]) for i in missing]
            flat = self.encoder.embed([text for group in texts for text in group])
            start = 0
            for i, group in zip(missing, texts, strict=True):
                found[i] = flat[start : start + len(group)].astype(np.float32)
                start += len(group)
                self._write(articles[i].content_hash, found[i])
            self.embedded += len(missing)
        return [matrix for matrix in found if matrix is not None]

    def _read(self, content_hash: str) -> Optional[np.ndarray]:
        path = self._path(content_hash)
        if path is None or not path.exists():
            return None
        try:
            return np.load(path, allow_pickle=False)
        except (OSError, ValueError):
            return None  # a damaged file is embedded again and overwritten

    def _write(self, content_hash: str, matrix: Optional[np.ndarray]) -> None:
        path = self._path(content_hash)
        if path is None or matrix is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            np.save(out, matrix, allow_pickle=False)
        os.replace(temporary, path)

    def prune(self, keep: Sequence[str]) -> int:
        """Delete cached vectors of content no longer in the library; returns how many files went."""
        if self.directory is None or not self.directory.is_dir():
            return 0
        wanted, removed = set(keep), 0
        for path in self.directory.glob("*.npy"):
            if path.stem not in wanted:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
