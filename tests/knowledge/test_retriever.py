"""Decisions, incremental re-indexing and the process's retriever picking up published changes."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import List, Set

import pytest

from common.knowledge_settings import KnowledgeSettings
from knowledge.articles import load_library
from knowledge.indexing import EmbeddingCache, MiniLMEncoder, texts_to_embed
from knowledge.live import LiveRetriever
from knowledge.retriever import (
    AMBIGUOUS,
    ANSWER_THRESHOLD,
    ANSWERED,
    BELOW_THRESHOLD,
    EMPTY_QUERY,
    MARGIN,
    SEMANTIC_WEIGHT,
    Retriever,
)
from knowledge.vectors import NumpyIndex
from tests.knowledge.support import CountingEncoder, write_article, write_library


def retriever_over(
    folder: Path,
    encoder: CountingEncoder,
    cache_dir: Path,
    threshold: float = ANSWER_THRESHOLD,
    margin: float = MARGIN,
) -> Retriever:
    retriever = Retriever(encoder, NumpyIndex(), EmbeddingCache(encoder, cache_dir), threshold, margin)
    retriever.update(load_library(folder))
    return retriever


def test_a_question_is_answered_from_its_article_or_declined(tmp_path: Path, minilm: MiniLMEncoder) -> None:
    retriever = retriever_over(write_library(tmp_path / "kb"), CountingEncoder(minilm), tmp_path / "index")
    decision = retriever.decide("how long does it take to get my money back?")
    assert decision.reason == ANSWERED and decision.answer is not None
    assert decision.answer.article.id == "refunds"
    expected = SEMANTIC_WEIGHT * decision.answer.semantic + (1 - SEMANTIC_WEIGHT) * decision.answer.lexical
    assert decision.answer.score == pytest.approx(expected)
    assert [hit.article.id for hit in retriever.search("parcel arrival express", k=2)][0] == "delivery"
    assert retriever.decide("  ?? ").reason == EMPTY_QUERY and retriever.search("") == []
    assert retriever.decide("what is the capital of Mongolia").reason == BELOW_THRESHOLD
    # Two articles within the margin of each other: neither is chosen.
    careful = retriever_over(
        tmp_path / "kb", CountingEncoder(minilm), tmp_path / "index", threshold=0.0, margin=1.0
    )
    decision = careful.decide("refund or delivery?")
    assert decision.reason == AMBIGUOUS and decision.answer is None and len(decision.hits) == 3


def test_only_new_or_changed_articles_are_embedded_again(tmp_path: Path, minilm: MiniLMEncoder) -> None:
    kb = write_library(tmp_path / "kb")
    encoder = CountingEncoder(minilm)
    retriever = retriever_over(kb, encoder, tmp_path / "index")
    assert retriever.cache.embedded == 3
    first_pass = len(encoder.texts)
    assert first_pass == sum(len(texts_to_embed(a)) for a in load_library(kb).values())

    # A new process with the same cache folder embeds nothing.
    again = CountingEncoder(minilm)
    assert retriever_over(kb, again, tmp_path / "index").cache.embedded == 0 and again.texts == []

    write_article(kb, "delivery", "Standard delivery now takes 2 to 4 business days.", version=2)
    write_article(kb, "passwords", ARTICLE_BODY_UNCHANGED, version=5)  # only the version moved
    write_article(kb, "gift-cards", "Gift cards never expire and can be used on any order.")
    (kb / "refunds.md").unlink()
    report = retriever.update(load_library(kb))
    assert (report.added, report.changed, report.removed, report.embedded) == (
        ["gift-cards"],
        ["delivery"],
        ["refunds"],
        2,
    )
    assert len(encoder.texts) == first_pass + 4  # a heading and one passage each
    assert set(retriever.index.stored()) == {"delivery", "passwords", "gift-cards"}
    assert "refunds" not in {hit.article.id for hit in retriever.search("refund to my card", k=5)}
    assert retriever.search("how long is standard delivery", k=1)[0].article.answer.startswith(
        "Standard delivery now"
    )


ARTICLE_BODY_UNCHANGED = (
    'Choose "Forgot password" on the sign-in page and we email you a link that works for one hour.'
)


def settings_for(tmp_path: Path, refresh_seconds: float = 5) -> KnowledgeSettings:
    return KnowledgeSettings(
        kb_dir=tmp_path / "kb",
        published_dir=tmp_path / "published",
        index_dir=tmp_path / "index",
        vector_store="numpy",
        qdrant_location=":memory:",
        answer_threshold=ANSWER_THRESHOLD,
        margin=MARGIN,
        refresh_seconds=refresh_seconds,
    )


def test_a_running_process_picks_up_a_published_article_after_the_refresh_interval(
    tmp_path: Path, minilm: MiniLMEncoder
) -> None:
    write_library(tmp_path / "kb")
    now = [1000.0]
    live = LiveRetriever(settings_for(tmp_path), encoder=CountingEncoder(minilm), clock=lambda: now[0])
    question = "do your gift cards expire?"
    assert "gift-cards" not in live.current().articles

    write_article(
        tmp_path / "published", "gift-cards", "Gift cards never expire and can be used on any order."
    )
    now[0] += 1  # within KB_REFRESH_SECONDS: the sources are not looked at again
    assert "gift-cards" not in live.current().articles
    now[0] += 5
    decision = live.current().decide(question)
    assert decision.answer is not None and decision.answer.article.id == "gift-cards"
    assert live.last_report is not None and live.last_report.embedded == 1

    # Retiring it in the published folder takes it out; nothing is embedded for that.
    write_article(
        tmp_path / "published", "gift-cards", "Gift cards never expire.", version=2, status="retired"
    )
    now[0] += 5
    assert "gift-cards" not in live.current().articles
    assert live.last_report.removed == ["gift-cards"] and live.last_report.embedded == 0

    # A broken file is logged and the articles in use stay.
    (tmp_path / "published" / "broken.md").write_text("no front matter\n")
    now[0] += 5
    assert set(live.current().articles) == {"refunds", "delivery", "passwords"}
    now[0] += 5
    assert live.refresh() is None  # unchanged sources are not read again


def test_questions_are_answered_while_the_library_changes(tmp_path: Path, minilm: MiniLMEncoder) -> None:
    kb = write_library(tmp_path / "kb")
    retriever = retriever_over(kb, CountingEncoder(minilm), tmp_path / "index")
    with_gift_cards = load_library(
        write_article(tmp_path / "more", "gift-cards", "Gift cards never expire.").parent, kb
    )
    without = load_library(kb)
    errors: List[BaseException] = []
    seen: Set[str] = set()

    def ask() -> None:
        try:
            for _ in range(30):
                decision = retriever.decide("how long until my refund arrives?")
                seen.update(hit.article.id for hit in decision.hits)
        except BaseException as error:  # any failure in a thread fails the test
            errors.append(error)

    threads = [threading.Thread(target=ask) for _ in range(3)]
    for thread in threads:
        thread.start()
    for round_ in range(10):
        retriever.update(with_gift_cards if round_ % 2 == 0 else without)
    for thread in threads:
        thread.join()
    assert errors == [] and {"refunds", "delivery", "passwords"} <= seen
