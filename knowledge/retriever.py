"""Hybrid retrieval over the published articles, and the decision to answer from one of them or abstain.

Each article gets two scores for a question: lexical (BM25, knowledge/lexical.py, 0..1) and semantic: the
best cosine similarity between the question and one of the article's passages, averaged with weight
`HEADING_WEIGHT` with the similarity to its heading, title and tags (knowledge/indexing.py). They are fused
as a weighted sum, `SEMANTIC_WEIGHT` * semantic + (1 - it) * lexical. The passage scheme and the heading
weight were compared on tests/kb/questions_dev.yml, and the weight, the answer threshold and the margin
chosen on it (`python -m knowledge tune`, README "Knowledge base"); never on the held-out set.

`decide` answers with one article or none: it abstains when the best score is under the threshold
(`below_threshold`) or when the second-best article is within the margin of it (`ambiguous`: two articles
are never mixed, and a coin toss between them is not an answer).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np

from common.knowledge_settings import DEFAULT_ANSWER_THRESHOLD, DEFAULT_MARGIN
from knowledge.articles import Article
from knowledge.indexing import EmbeddingCache, TextEncoder
from knowledge.lexical import LexicalIndex
from knowledge.vectors import NumpyIndex, VectorIndex

SEMANTIC_WEIGHT = 0.85
# Dev set, MiniLM: the heading signal moved recall@1 from 0.74-0.78 to 0.81-0.84 for weights 0.2 to 1.0.
# With the articles' customer questions as passages (scheme p3) weights 0 to 1 tuned within 3 points of
# utility of each other on the dev set, so it stayed at 0.5.
HEADING_WEIGHT = 0.5
# The defaults of KB_ANSWER_THRESHOLD and KB_MARGIN (common/knowledge_settings.py).
ANSWER_THRESHOLD, MARGIN = DEFAULT_ANSWER_THRESHOLD, DEFAULT_MARGIN
CANDIDATES = 50  # closest articles asked of the vector index per question (every article, at 48)

ANSWERED = "answered"
BELOW_THRESHOLD = "below_threshold"
AMBIGUOUS = "ambiguous"
EMPTY_QUERY = "empty_query"
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Hit:
    article: Article
    score: float  # fused
    lexical: float
    semantic: float


@dataclass(frozen=True)
class Decision:
    answer: Optional[Hit]
    hits: List[Hit]
    reason: str  # answered | below_threshold | ambiguous | empty_query


@dataclass(frozen=True)
class Scores:
    """One question's lexical and semantic score of every candidate article, before fusion."""

    articles: List[Article]
    lexical: np.ndarray
    semantic: np.ndarray

    def hits(self, weight: float) -> List[Hit]:
        fused = weight * self.semantic + (1 - weight) * self.lexical
        order = np.argsort(-fused, kind="stable")
        return [
            Hit(self.articles[i], float(fused[i]), float(self.lexical[i]), float(self.semantic[i]))
            for i in order
        ]


def decide_from(hits: Sequence[Hit], threshold: float, margin: float) -> Decision:
    if not hits or hits[0].score < threshold:
        return Decision(None, list(hits), BELOW_THRESHOLD)
    if len(hits) > 1 and hits[0].score - hits[1].score < margin:
        return Decision(None, list(hits), AMBIGUOUS)
    return Decision(hits[0], list(hits), ANSWERED)


@dataclass
class UpdateReport:
    added: List[str] = field(default_factory=list)
    changed: List[str] = field(default_factory=list)
    removed: List[str] = field(default_factory=list)
    embedded: int = 0  # articles run through the encoder (the rest came from the cache or were unchanged)


class Retriever:
    """Thread-safe: `update` swaps in a new library while questions are answered from the previous one."""

    def __init__(
        self,
        encoder: TextEncoder,
        index: VectorIndex,
        cache: EmbeddingCache,
        threshold: float = ANSWER_THRESHOLD,
        margin: float = MARGIN,
        weight: float = SEMANTIC_WEIGHT,
        headings: Optional[VectorIndex] = None,
    ) -> None:
        """`index` holds the passages, `headings` (numpy unless given) one heading vector per article."""
        self.encoder, self.index, self.cache = encoder, index, cache
        self.headings: VectorIndex = headings if headings is not None else NumpyIndex()
        self.threshold, self.margin, self.weight = threshold, margin, weight
        self._lock = threading.RLock()
        self._updating = threading.Lock()
        self._articles: Dict[str, Article] = {}
        self._lexical = LexicalIndex([])
        self._order: List[str] = []

    @property
    def articles(self) -> Dict[str, Article]:
        return dict(self._articles)

    def update(self, articles: Mapping[str, Article]) -> UpdateReport:
        """Make `articles` the library: embed only new or changed ones, drop the removed ones. Embedding
        happens outside the lock (questions go on being answered meanwhile); one update at a time."""
        with self._updating:
            with self._lock:
                held, held_headings = self.index.stored(), self.headings.stored()
            report = UpdateReport(removed=sorted((set(held) | set(held_headings)) - set(articles)))
            stale = [
                a
                for key, a in sorted(articles.items())
                if held.get(key) != a.content_hash or held_headings.get(key) != a.content_hash
            ]
            for article in stale:
                (report.changed if article.id in held else report.added).append(article.id)
            before = self.cache.embedded
            vectors = self.cache.vectors(stale)
            report.embedded = self.cache.embedded - before
            with self._lock:
                for article, matrix in zip(stale, vectors, strict=True):
                    self.headings.upsert(article.id, article.content_hash, matrix[:1])
                    self.index.upsert(article.id, article.content_hash, matrix[1:])
                self.index.remove(report.removed)
                self.headings.remove(report.removed)
                self._order = sorted(articles)
                self._lexical = LexicalIndex([articles[key] for key in self._order])
                self._articles = dict(articles)
            return report

    def embed_queries(self, queries: Sequence[str]) -> np.ndarray:
        return self.encoder.embed(list(queries))

    def scores(self, query: str, vector: Optional[np.ndarray] = None) -> Scores:
        """Both scores of every article for `query` (its vector may be given, as the evaluation batches)."""
        if vector is None:
            vector = self.embed_queries([query])[0]
        with self._lock:
            lexical = self._lexical.scores(query)
            found = self.index.search(vector, CANDIDATES)
            about = self.headings.search(vector, CANDIDATES)
            articles = [self._articles[key] for key in self._order]
            best = np.array([found.get(key, 0.0) for key in self._order], dtype=np.float64)
            heading = np.array([about.get(key, 0.0) for key in self._order], dtype=np.float64)
        semantic = (best + HEADING_WEIGHT * heading) / (1 + HEADING_WEIGHT)
        return Scores(articles, lexical, semantic)

    def search(self, query: str, k: int = 3) -> List[Hit]:
        """The k best articles for the question, best first (empty for a question with no words)."""
        if not _WORD.search(query) or not self._order:
            return []
        return self.scores(query).hits(self.weight)[:k]

    def decide(self, query: str) -> Decision:
        """Answer from one article, or say why not."""
        if not _WORD.search(query):
            return Decision(None, [], EMPTY_QUERY)
        return decide_from(self.search(query, k=5), self.threshold, self.margin)
