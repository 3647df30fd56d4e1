"""Customers' questions in an article's front matter: parsed and refused with clear errors, rendered back,
hashed with what is searched, embedded as passages of their own and searched by BM25."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Dict

import pytest

from common.knowledge_settings import knowledge_settings
from knowledge.articles import ArticleError, content_hash, load_library, parse_article, render_article
from knowledge.indexing import EmbeddingCache, MiniLMEncoder, passages, texts_to_embed
from knowledge.lexical import LexicalIndex
from knowledge.retriever import Retriever
from knowledge.vectors import NumpyIndex
from tests.knowledge.support import article_text, write_library

PLAIN = article_text("refunds", "Refunds", "[refund, billing]", "The answer.\n\nMore detail.")
ASKED = PLAIN.replace(
    "url: https://shop.example.com/help/refunds\n",
    "url: https://shop.example.com/help/refunds\n"
    "questions:\n- when do I get my   money back?\n- is my cash back yet?\n- when do I get my money back?\n",
)


def test_questions_are_read_as_a_tuple_of_single_spaced_distinct_lines() -> None:
    article = parse_article(ASKED, "data/kb/refunds.md")
    assert article.questions == ("when do I get my money back?", "is my cash back yet?")
    assert article.content_hash == content_hash(article.title, article.tags, article.body, article.questions)


def test_an_article_without_questions_has_none_and_keeps_its_earlier_hash() -> None:
    article = parse_article(PLAIN, "data/kb/refunds.md")
    assert article.questions == ()
    assert article.content_hash == content_hash("Refunds", ("refund", "billing"), article.body)
    assert "questions" not in render_article(article)


@pytest.mark.parametrize(
    "questions",
    [
        "questions: when do I get my money back?",
        "questions: [fine, '  ']",
        "questions: [1, 2]",
        "questions: {a: b}",
    ],
)
def test_questions_that_are_not_a_list_of_text_are_refused(questions: str) -> None:
    text = PLAIN.replace("url: https://", f"{questions}\nurl: https://")
    with pytest.raises(ArticleError) as raised:
        parse_article(text, "data/kb/refunds.md")
    assert str(raised.value).startswith(
        "data/kb/refunds.md: questions: must be a list of non-empty questions"
    )


def test_questions_round_trip_one_a_line_and_change_the_content_hash() -> None:
    article = parse_article(ASKED, "data/kb/refunds.md")
    text = render_article(article)
    assert "\nquestions:\n- when do I get my money back?\n- is my cash back yet?\n---\n" in text
    assert parse_article(text, "data/kb/refunds.md") == article
    fewer = parse_article(text.replace("- is my cash back yet?\n", ""), "data/kb/refunds.md")
    assert fewer.content_hash != article.content_hash
    later = parse_article(text.replace("2027-06-30", "2028-01-31"), "data/kb/refunds.md")
    assert later.content_hash == article.content_hash  # a review date is not searched


def test_every_seed_article_has_its_own_six_to_ten_questions() -> None:
    library = load_library(knowledge_settings().kb_dir)
    assert len(library) >= 48
    owners: Dict[str, str] = {}
    for article in library.values():
        assert 6 <= len(article.questions) <= 10, article.id
        for question in article.questions:
            key = " ".join(question.lower().split())
            assert key not in owners, f"{question!r} is in {article.id} and {owners.get(key)}"
            owners[key] = article.id


def test_each_question_is_a_passage_of_its_own_after_the_paragraphs() -> None:
    article = parse_article(ASKED, "data/kb/refunds.md")
    assert passages(article) == [
        "Refunds. The answer.",
        "Refunds. More detail.",
        "when do I get my money back?",
        "is my cash back yet?",
    ]
    assert len(texts_to_embed(article)) == 1 + 4


def test_words_only_in_the_questions_are_found_by_bm25(tmp_path: Path) -> None:
    write_library(tmp_path)
    before = load_library(tmp_path)
    index = LexicalIndex([before[key] for key in sorted(before)])
    assert not dict(zip(index.ids, index.scores("voucher"), strict=True))["refunds"]
    refunds = before["refunds"]
    asked = dataclasses.replace(refunds, questions=("does a gift voucher purchase get refunded?",))
    index = LexicalIndex([asked if key == "refunds" else before[key] for key in sorted(before)])
    scores = dict(zip(index.ids, index.scores("voucher"), strict=True))
    assert max(scores, key=scores.__getitem__) == "refunds" and scores["refunds"] > 0


def test_a_customer_phrasing_in_the_questions_brings_its_article_closer(
    tmp_path: Path, minilm: MiniLMEncoder
) -> None:
    question = "my dosh hasn't come back to me yet"

    def ranked(folder: Path) -> Dict[str, float]:
        retriever = Retriever(minilm, NumpyIndex(), EmbeddingCache(minilm, tmp_path / "index"))
        retriever.update(load_library(folder))
        return {hit.article.id: hit.semantic for hit in retriever.search(question, k=3)}

    without = ranked(write_library(tmp_path / "plain"))["refunds"]
    asked = write_library(tmp_path / "asked")
    text = (
        (asked / "refunds.md").read_text().replace("---\nA refund", f"questions: [{question}]\n---\nA refund")
    )
    (asked / "refunds.md").write_text(text)
    assert load_library(asked)["refunds"].questions == (question,)
    # The question is now a passage: its cosine with itself is 1, averaged with the heading's similarity.
    found = ranked(asked)
    assert list(found)[0] == "refunds" and found["refunds"] > without + 0.1
