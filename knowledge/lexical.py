"""BM25 over each article's title, tags, body and customers' questions, in numpy; scores normalised to 0..1
for fusion.

Words are lower-cased, accents dropped, stop words removed and a light English suffix stripper applied
("refunds", "refunded" -> "refund"; "shipping", "shipped" -> "ship"), so a question and an article meet
on the word, not its form. The title and tags count twice: they say what the article is about.

Postings are per term (article rows and term counts), so a query touches only the articles sharing a
word with it, however large the library grows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from typing import Dict, List, Sequence, Tuple

import numpy as np

from knowledge.articles import Article

K1 = 1.2
B = 0.75
TITLE_WEIGHT = 2  # title and tags are counted this many times

STOP_WORDS = frozenset(
    """a about am an and any are as at be been but by can could did do does doing for from had has have
    having he her here hers him his how i if in into is it its itself just me my myself no nor not of off on
    once only or our ours out over own please same she should so some such than that the their theirs them
    then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself hi hello hey thanks thank""".split()
)
_WORD = re.compile(r"[a-z0-9]+")


def stem(word: str) -> str:
    """A few English suffixes off, enough to match plurals and tenses (not a full Porter stemmer)."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            doubled = len(word) >= 2 and word[-1] == word[-2] and word[-1] not in "sz"
            if doubled and (word[-1] != "l" or len(word) > 4):
                word = word[:-1]  # shipped -> ship, cancelled -> cancel (but call stays call)
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]  # charge / charged -> charg
    return word


def tokens(text: str) -> List[str]:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    # One letter alone (the s of "where's", the t of "don't") says nothing.
    return [
        stem(word)
        for word in _WORD.findall(plain)
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit())
    ]


def article_terms(article: Article) -> List[str]:
    heading = tokens(" ".join([article.title, *article.tags]))
    return heading * TITLE_WEIGHT + tokens(article.body) + tokens(" ".join(article.questions))


class LexicalIndex:
    """BM25 (k1=1.2, b=0.75) over a fixed list of articles; rebuilt whole when the library changes (48
    articles take a few milliseconds)."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.ids = [article.id for article in articles]
        counts = [Counter(article_terms(article)) for article in articles]
        lengths = np.array([sum(count.values()) for count in counts], dtype=np.float64)
        self.average_length = float(lengths.mean()) if len(lengths) else 1.0
        rows: Dict[str, List[Tuple[int, int]]] = {}
        for row, count in enumerate(counts):
            for term, tf in count.items():
                rows.setdefault(term, []).append((row, tf))
        total = len(articles)
        self.postings: Dict[str, Tuple[np.ndarray, np.ndarray]] = {}
        self.idf: Dict[str, float] = {}
        norm = K1 * (1 - B + B * lengths / max(self.average_length, 1e-9))
        for term, pairs in rows.items():
            docs = np.array([row for row, _ in pairs], dtype=np.int64)
            counts_here = np.array([tf for _, tf in pairs], dtype=np.float64)
            self.idf[term] = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            self.postings[term] = (docs, counts_here * (K1 + 1) / (counts_here + norm[docs]))
        # A word no article has is as telling as the rarest word: it lowers a question's best possible score.
        self.unknown_idf = math.log(1 + (total + 0.5) / 0.5)

    def scores(self, query: str) -> np.ndarray:
        """Per article (in `ids` order): BM25 divided by the best score this query could reach (each of its
        words at saturation), so 1.0 means every word of the question is in the article many times."""
        result = np.zeros(len(self.ids), dtype=np.float64)
        terms = tokens(query)
        if not terms or not self.ids:
            return result
        ceiling = 0.0
        for term in terms:
            idf = self.idf.get(term, self.unknown_idf)
            ceiling += idf * (K1 + 1)
            if term in self.postings:
                docs, weights = self.postings[term]
                result[docs] += idf * weights
        return result / ceiling
