"""Choosing the fusion weight, the answer threshold and the margin on the dev set (never the test set).

    python -m knowledge tune             # tests/kb/questions_dev.yml

Each question's lexical and semantic scores are computed once; then every weight (0 to 1 by 0.05),
threshold (0.20 to 0.90 by 0.01) and margin (0 to 0.10 by 0.005) is scored on the same numbers. The
objective counts what a customer gets: +1 for an answer from the right article, -2 for an answer from a
wrong one or to a question the knowledge base cannot answer (worse than "I don't know, shall I get a
person?", which counts 0), among the settings that decline at least 95 % of the unanswerable questions
(the issue's goal). Ties go to the higher threshold, then the larger margin: the more careful setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

import numpy as np

from common.knowledge_settings import knowledge_settings
from knowledge.evaluation import (
    QUESTION_SETS,
    Question,
    evaluation_retriever,
    load_questions,
    question_scores,
)
from knowledge.retriever import Scores

WEIGHTS = np.round(np.arange(0.0, 1.0001, 0.05), 2)
THRESHOLDS = np.round(np.arange(0.20, 0.9001, 0.01), 2)
MARGINS = np.round(np.arange(0.0, 0.1001, 0.005), 3)
WRONG_COST = 2.0
MIN_CORRECT_ABSTENTION = 0.95


@dataclass(frozen=True)
class Choice:
    weight: float
    threshold: float
    margin: float
    utility: float
    recall_at_1: float
    answered_correctly: float
    correct_abstention: float
    wrong_answers: int


def choose(questions: Sequence[Question], scores: Sequence[Scores]) -> List[Choice]:
    """The best setting for each weight, best first."""
    expected = [question.article for question in questions]
    answerable = np.array([article is not None for article in expected])
    best: List[Choice] = []
    for weight in WEIGHTS:
        top1, top2, right = [], [], []
        for article, score in zip(expected, scores, strict=True):
            hits = score.hits(float(weight))
            top1.append(hits[0].score)
            top2.append(hits[1].score if len(hits) > 1 else -1.0)
            right.append(hits[0].article.id == article)
        first, second, correct = np.array(top1), np.array(top2), np.array(right)
        recall = float(correct[answerable].mean()) if answerable.any() else 0.0
        candidates = []
        for threshold in THRESHOLDS:
            for margin in MARGINS:
                answers = (first >= threshold) & (first - second >= margin)
                good = int((answers & correct).sum())
                wrong = int((answers & ~correct).sum())
                declined = float((~answers[~answerable]).mean()) if (~answerable).any() else 1.0
                if declined < MIN_CORRECT_ABSTENTION:
                    continue
                utility = good - WRONG_COST * wrong
                answered = good / max(1, int(answerable.sum()))
                candidates.append(
                    Choice(
                        float(weight),
                        float(threshold),
                        float(margin),
                        utility,
                        recall,
                        answered,
                        declined,
                        wrong,
                    )
                )
        if candidates:
            best.append(max(candidates, key=lambda c: (c.utility, c.threshold, c.margin)))
    return sorted(best, key=lambda c: (-c.utility, -c.recall_at_1))


def tune(path: Path = QUESTION_SETS["dev"]) -> List[Choice]:
    if path.resolve() == QUESTION_SETS["test"].resolve():
        raise SystemExit("The test set is held out: tune on the dev set (tests/kb/questions_dev.yml).")
    retriever = evaluation_retriever([knowledge_settings().kb_dir])
    questions = load_questions(path, retriever.articles)
    return choose(questions, question_scores(retriever, questions))
