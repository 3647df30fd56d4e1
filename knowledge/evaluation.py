"""How well retrieval finds the right article, and how well it abstains, on a labelled question set.

A set (tests/kb/questions_dev.yml, tests/kb/questions_test.yml) is YAML:

    answerable:   [{q: "how long until my money is back?", article: refund-policy}, ...]
    unanswerable: [{q: "do you sell gift wrapping for pianos?"}, ...]

Ranking figures use the ranked articles whatever the decision: recall@1, recall@3 and MRR over the
answerable questions. Decision figures use `decide` (threshold and margin):
- answered correctly: answerable questions answered from their article;
- correct abstention: unanswerable questions the bot declined (the goal is at least 95 %);
- abstention precision: of all abstentions, the share that were unanswerable questions;
- wrong-answer rate: over all questions, answers from the wrong article or to an unanswerable question.

The threshold, margin and fusion weight are tuned on the dev set only (knowledge/tuning.py); the test set
is held out: read it only through these summary figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import yaml

from common.knowledge_settings import knowledge_settings
from common.paths import REPO_ROOT
from knowledge.articles import Article, load_library
from knowledge.indexing import EmbeddingCache, MiniLMEncoder
from knowledge.retriever import EMPTY_QUERY, Decision, Retriever, Scores, decide_from
from knowledge.vectors import NumpyIndex

QUESTION_SETS = {
    "dev": REPO_ROOT / "tests" / "kb" / "questions_dev.yml",
    "test": REPO_ROOT / "tests" / "kb" / "questions_test.yml",
}


class QuestionSetError(ValueError):
    """A question file is missing, malformed or names an article the library does not have."""


@dataclass(frozen=True)
class Question:
    text: str
    article: Optional[str]  # None: the knowledge base cannot answer it


def load_questions(path: Path, articles: Mapping[str, Article]) -> List[Question]:
    if not path.is_file():
        raise QuestionSetError(f"{path}: no such question set")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise QuestionSetError(f"{path}: expected the keys answerable and unanswerable")
    questions: List[Question] = []
    for position, item in enumerate(data.get("answerable") or []):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str) or not item.get("article"):
            raise QuestionSetError(f"{path}: answerable #{position + 1} needs q and article, not {item!r}")
        if item["article"] not in articles:
            raise QuestionSetError(
                f"{path}: answerable #{position + 1} names {item['article']!r}, not a published article"
            )
        questions.append(Question(item["q"], str(item["article"])))
    for position, item in enumerate(data.get("unanswerable") or []):
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise QuestionSetError(f"{path}: unanswerable #{position + 1} needs q, not {item!r}")
        questions.append(Question(item["q"], None))
    return questions


@dataclass(frozen=True)
class Outcome:
    question: Question
    ranked: List[Tuple[str, float]]  # the five best articles and their fused scores
    decision: Decision

    @property
    def answered(self) -> Optional[str]:
        return self.decision.answer.article.id if self.decision.answer else None

    @property
    def rank(self) -> Optional[int]:
        ids = [article_id for article_id, _ in self.ranked]
        return ids.index(self.question.article) + 1 if self.question.article in ids else None

    @property
    def mistaken(self) -> bool:
        if self.question.article is None:
            return self.answered is not None
        return self.answered != self.question.article or self.rank != 1


@dataclass
class Report:
    outcomes: List[Outcome]
    articles: int
    threshold: float
    margin: float
    weight: float
    seconds: float = 0.0
    metrics: Dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.metrics = metrics(self.outcomes)


def metrics(outcomes: Sequence[Outcome]) -> Dict[str, float]:
    answerable = [o for o in outcomes if o.question.article is not None]
    unanswerable = [o for o in outcomes if o.question.article is None]
    abstained = [o for o in outcomes if o.answered is None]
    wrong = [o for o in outcomes if o.answered is not None and o.answered != o.question.article]

    def share(part: float, whole: int) -> float:
        return part / whole if whole else 0.0

    return {
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "recall@1": share(sum(o.rank == 1 for o in answerable), len(answerable)),
        "recall@3": share(sum(o.rank is not None and o.rank <= 3 for o in answerable), len(answerable)),
        "mrr": share(sum(1.0 / o.rank for o in answerable if o.rank), len(answerable)),
        "answered_correctly": share(
            sum(o.answered == o.question.article for o in answerable), len(answerable)
        ),
        "correct_abstention": share(sum(o.answered is None for o in unanswerable), len(unanswerable)),
        "abstention_precision": share(sum(o.question.article is None for o in abstained), len(abstained)),
        "wrong_answer_rate": share(len(wrong), len(outcomes)),
    }


def evaluation_retriever(directories: Sequence[Path]) -> Retriever:
    """The library of `directories` in a numpy index (the figures do not depend on the store), its
    vectors from the shared cache in KB_INDEX_DIR."""
    settings = knowledge_settings()
    encoder = MiniLMEncoder()
    retriever = Retriever(
        encoder,
        NumpyIndex(),
        EmbeddingCache(encoder, settings.index_dir / "embeddings"),
        threshold=settings.answer_threshold,
        margin=settings.margin,
    )
    retriever.update(load_library(*directories))
    return retriever


def question_scores(retriever: Retriever, questions: Sequence[Question]) -> List[Scores]:
    """Every question's scores of every article, the questions embedded in one batch."""
    vectors = retriever.embed_queries([question.text for question in questions])
    return [retriever.scores(q.text, vector) for q, vector in zip(questions, vectors, strict=True)]


def outcomes_for(
    questions: Sequence[Question], scores: Sequence[Scores], weight: float, threshold: float, margin: float
) -> List[Outcome]:
    found = []
    for question, score in zip(questions, scores, strict=True):
        hits = score.hits(weight)[:5]
        decision = decide_from(hits, threshold, margin)
        if not any(character.isalnum() for character in question.text):
            decision = Decision(None, [], EMPTY_QUERY)
        found.append(Outcome(question, [(hit.article.id, hit.score) for hit in hits], decision))
    return found


def evaluate(path: Path, directories: Optional[Sequence[Path]] = None) -> Report:
    """Score one question set against the articles of `directories` (default: KB_DIR, the git seed)."""
    retriever = evaluation_retriever(directories or [knowledge_settings().kb_dir])
    questions = load_questions(path, retriever.articles)
    start = time.perf_counter()
    scores = question_scores(retriever, questions)
    outcomes = outcomes_for(questions, scores, retriever.weight, retriever.threshold, retriever.margin)
    return Report(
        outcomes,
        len(retriever.articles),
        retriever.threshold,
        retriever.margin,
        retriever.weight,
        seconds=time.perf_counter() - start,
    )


def summary(report: Report, name: str) -> str:
    m = report.metrics
    per_question = 1000 * report.seconds / max(1, len(report.outcomes))
    return "\n".join(
        [
            f"{name}: {report.articles} articles, {m['answerable']:.0f} answerable and {m['unanswerable']:.0f} "
            f"unanswerable questions ({per_question:.1f} ms per question)",
            f"threshold {report.threshold:.2f}, margin {report.margin:.3f}, semantic weight {report.weight:.2f}",
            f"recall@1              {m['recall@1']:.3f}",
            f"recall@3              {m['recall@3']:.3f}",
            f"MRR                   {m['mrr']:.3f}",
            f"answered correctly    {m['answered_correctly']:.3f}  (answerable, answered from their article)",
            f"correct abstention    {m['correct_abstention']:.3f}  (unanswerable, declined)",
            f"abstention precision  {m['abstention_precision']:.3f}  (of all abstentions, unanswerable ones)",
            f"wrong-answer rate     {m['wrong_answer_rate']:.3f}  (wrong article or an unanswerable answered, of all)",
        ]
    )


def errors(report: Report) -> str:
    lines = []
    for outcome in report.outcomes:
        if not outcome.mistaken:
            continue
        top = ", ".join(f"{article_id} {score:.3f}" for article_id, score in outcome.ranked[:3])
        got = outcome.answered or outcome.decision.reason
        lines.append(
            f"- {outcome.question.text!r}\n  expected {outcome.question.article or 'abstain'}, got {got}; top: {top}"
        )
    return "\n".join(lines) or "(no mistakes)"
