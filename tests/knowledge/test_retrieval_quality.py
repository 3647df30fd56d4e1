"""Retrieval quality on the held-out questions (tests/kb/questions_test.yml: 230 answerable, 120 the knowledge
base cannot answer, written blind from the article catalogue), the gate of issue 15.

Measured when these bars were set (`python -m knowledge eval --set test`, 48 articles, all-MiniLM-L6-v2 in
numpy, threshold 0.39, margin 0.025, semantic weight 0.80, all chosen on the dev set):

    recall@1 0.796   recall@3 0.922   MRR 0.861   answered correctly 0.609
    correct abstention 0.983   abstention precision 0.624   wrong-answer rate 0.060

Each bar sits just under its measurement: one answerable question is 0.43 points of recall, one
unanswerable question 0.83 points of abstention, so recall@1 may lose 3 questions (0.78), recall@3 5
(0.90), and abstention 2 of the 120 (0.965, still above the issue's 95 % goal) before failing. The
wrong-answer rate (21 of 350 measured) may grow by 4 (0.072). The issue's recall@1 goal of 0.90 is NOT met
by this encoder: the bar guards what we have (the README's "Knowledge base" says where the misses are).
"""

from __future__ import annotations

from typing import Set

import pytest
import yaml

from knowledge.evaluation import QUESTION_SETS, Report, evaluate
from knowledge.retriever import ANSWERED

BARS = {
    "recall@1": 0.78,
    "recall@3": 0.90,
    "mrr": 0.84,
    "correct_abstention": 0.965,
    "abstention_precision": 0.60,
}
WRONG_ANSWER_RATE_BAR = 0.072


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(QUESTION_SETS["test"])


def question_texts(name: str) -> Set[str]:
    data = yaml.safe_load(QUESTION_SETS[name].read_text(encoding="utf-8"))
    items = (data.get("answerable") or []) + (data.get("unanswerable") or [])
    return {" ".join(str(item["q"]).lower().split()) for item in items}


def test_the_held_out_set_is_large_enough_and_apart_from_the_dev_set(report: Report) -> None:
    assert report.metrics["answerable"] >= 200 and report.metrics["unanswerable"] >= 100
    assert not question_texts("test") & question_texts("dev")


@pytest.mark.parametrize("name", sorted(BARS))
def test_retrieval_meets_its_bar_on_the_held_out_questions(report: Report, name: str) -> None:
    assert report.metrics[name] >= BARS[name], f"{name} {report.metrics[name]:.3f} < {BARS[name]}"


def test_wrong_answers_stay_rare(report: Report) -> None:
    rate = report.metrics["wrong_answer_rate"]
    assert rate <= WRONG_ANSWER_RATE_BAR, f"wrong-answer rate {rate:.3f} > {WRONG_ANSWER_RATE_BAR}"
    # An answer is always the top article, and only when it clears the threshold and the margin.
    for outcome in report.outcomes:
        answer, hits = outcome.decision.answer, outcome.decision.hits
        if outcome.decision.reason == ANSWERED:
            assert answer is not None and answer == hits[0] and answer.score >= report.threshold
            assert len(hits) == 1 or answer.score - hits[1].score >= report.margin
        else:
            assert answer is None
