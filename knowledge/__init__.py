"""The knowledge base: governed Markdown articles (data/kb/, and the console's published copies) and the
hybrid retrieval that answers a customer's question from one of them, with its link, or abstains.

    from knowledge import retriever
    decision = retriever().decide("how long do refunds take?")
    if decision.answer:  # a Hit: .article.answer, .article.url, .article.id, .article.version, .score
        ...

Importing this package loads nothing heavy: the encoder (numpy, no TensorFlow) loads on the first question.
`python -m knowledge` evaluates, tunes and indexes (knowledge/__main__.py).
"""

from knowledge.articles import Article, ArticleError, load_library, parse_article, render_article
from knowledge.live import LiveRetriever, retriever
from knowledge.retriever import AMBIGUOUS, ANSWERED, BELOW_THRESHOLD, EMPTY_QUERY, Decision, Hit, Retriever

__all__ = [
    "AMBIGUOUS",
    "ANSWERED",
    "BELOW_THRESHOLD",
    "EMPTY_QUERY",
    "Article",
    "ArticleError",
    "Decision",
    "Hit",
    "LiveRetriever",
    "Retriever",
    "load_library",
    "parse_article",
    "render_article",
    "retriever",
]
