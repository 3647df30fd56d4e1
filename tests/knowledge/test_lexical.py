"""BM25 over the articles: word forms meet, rare words weigh more, scores stay within 0..1."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.articles import load_library
from knowledge.lexical import LexicalIndex, stem, tokens
from tests.knowledge.support import write_library


def test_word_forms_meet_on_one_stem() -> None:
    assert {stem("refunds"), stem("refunded"), stem("refunding")} == {"refund"}
    assert {stem("shipped"), stem("shipping"), stem("ships")} == {"ship"}
    assert stem("cancelled") == stem("cancel") and stem("charged") == stem("charge")
    assert stem("deliveries") == stem("delivery") and stem("address") == "address"
    assert tokens("Where's MY refund?? Café 10042") == ["refund", "cafe", "10042"]


def test_the_article_sharing_the_rare_words_ranks_first(tmp_path: Path) -> None:
    library = load_library(write_library(tmp_path))
    index = LexicalIndex([library[key] for key in sorted(library)])
    scores = dict(
        zip(index.ids, index.scores("how many business days until my refund arrives?"), strict=True)
    )
    assert max(scores, key=scores.__getitem__) == "refunds"
    scores = dict(zip(index.ids, index.scores("I forgot my password"), strict=True))
    assert max(scores, key=scores.__getitem__) == "passwords"
    assert scores["delivery"] == 0.0


def test_scores_are_normalised_and_unknown_words_lower_them(tmp_path: Path) -> None:
    library = load_library(write_library(tmp_path))
    index = LexicalIndex(list(library.values()))
    plain = index.scores("password link")
    diluted = index.scores("password link xylophone quantum")
    assert np.all((plain >= 0) & (plain <= 1)) and plain.max() > 0.3
    assert diluted.max() < plain.max()
    assert not index.scores("what is the").any()  # stop words only
    assert not LexicalIndex([]).scores("refund").any()
