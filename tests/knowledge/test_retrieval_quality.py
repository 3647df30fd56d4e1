"""Retrieval quality on the held-out questions (tests/kb/questions_test.yml: 230 answerable, 120 the knowledge
base cannot answer, written blind from the article catalogue), the gate of issue 15.

Measured when these bars were set, 2026-11-30 (`make kb-eval`, i.e. `python -m knowledge eval --set test`):
48 articles each with 6 to 10 customer questions in its front matter (passage scheme p3), all-MiniLM-L6-v2
in numpy, threshold 0.46, margin 0.030, semantic weight 0.85, all chosen on the dev set
(`python -m knowledge tune`):

    recall@1 0.913   recall@3 0.978   MRR 0.948   answered correctly 0.765
    correct abstention 0.967   abstention precision 0.703   wrong-answer rate 0.026

(Before the customer questions: recall@1 0.796, recall@3 0.922, MRR 0.861, correct abstention 0.983,
wrong-answer rate 0.060, at threshold 0.39, margin 0.025, weight 0.80.)

Each bar sits just under its measurement: one answerable question is 0.43 points of recall, one
unanswerable question 0.83 points of abstention, so recall@1 may lose 3 questions (0.90, the issue's goal),
recall@3 5 (0.95), and abstention 2 of the 120 (0.95, the issue's goal: 4 are answered now, 2 before the
questions) before failing. The wrong-answer rate (9 of 350 measured) may grow by 4 (0.038).
"""

from __future__ import annotations

from typing import Set

import pytest
import yaml

from knowledge.evaluation import QUESTION_SETS, Report, evaluate
from knowledge.retriever import ANSWERED

BARS = {
    "recall@1": 0.90,
    "recall@3": 0.95,
    "mrr": 0.93,
    "correct_abstention": 0.95,
    "abstention_precision": 0.68,
}
WRONG_ANSWER_RATE_BAR = 0.038


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
