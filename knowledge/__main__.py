"""The knowledge base from a terminal.

python -m knowledge eval --set dev|test [--errors]   recall@1, recall@3, MRR and abstention figures
python -m knowledge tune [--questions FILE]          choose weight, threshold and margin (dev set only)
python -m knowledge index                            embed what changed in KB_DIR and KB_PUBLISHED_DIR
python -m knowledge ask "where is my refund?"        the ranked articles and the decision
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import List

from common.knowledge_settings import knowledge_settings


def evaluate_set(options: argparse.Namespace) -> int:
    from knowledge.evaluation import QUESTION_SETS, errors, evaluate, summary

    path = options.questions or QUESTION_SETS[options.set]
    report = evaluate(path)
    print(summary(report, f"KB retrieval, {path.name}"))
    if options.errors:
        print(errors(report))
    return 0


def tune(options: argparse.Namespace) -> int:
    from knowledge.tuning import tune as run_tuning

    choices = run_tuning(options.questions) if options.questions else run_tuning()
    print("weight threshold margin utility recall@1 answered_correctly correct_abstention wrong_answers")
    for c in choices:
        print(
            f"{c.weight:6.2f} {c.threshold:9.2f} {c.margin:6.3f} {c.utility:7.1f} {c.recall_at_1:8.3f} "
            f"{c.answered_correctly:18.3f} {c.correct_abstention:18.3f} {c.wrong_answers:13d}"
        )
    return 0


def index_or_ask(options: argparse.Namespace) -> int:
    from knowledge.live import LiveRetriever

    live = LiveRetriever(knowledge_settings())
    start = time.perf_counter()
    update = live.refresh(force=True)
    elapsed = time.perf_counter() - start
    if update is None:
        print("the articles could not be read (see the error above)")
        return 1
    if options.command == "index":
        print(
            f"{len(live.retriever.articles)} articles in {elapsed:.2f} s: {len(update.added)} added, "
            f"{len(update.changed)} changed, {len(update.removed)} removed, {update.embedded} embedded "
            f"({live.settings.vector_store})"
        )
        return 0
    decision = live.retriever.decide(options.question)
    for hit in decision.hits:
        print(f"{hit.score:.3f}  lexical {hit.lexical:.3f}  semantic {hit.semantic:.3f}  {hit.article.id}")
    print(f"{decision.reason}: {decision.answer.article.id if decision.answer else '-'}")
    return 0


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="The knowledge base.")
    commands = parser.add_subparsers(dest="command", required=True)
    scoring = commands.add_parser("eval", help="score a labelled question set")
    scoring.add_argument("--set", choices=["dev", "test"], default="dev")
    scoring.add_argument("--questions", type=Path, help="another question file (instead of --set)")
    scoring.add_argument("--errors", action="store_true", help="list every mistake")
    tuning = commands.add_parser("tune", help="choose weight, threshold and margin on the dev set")
    tuning.add_argument("--questions", type=Path, help="another dev question file")
    commands.add_parser("index", help="bring the index up to date and say what it did")
    ask = commands.add_parser("ask", help="rank the articles for one question")
    ask.add_argument("question")
    options = parser.parse_args(argv)
    handlers = {"eval": evaluate_set, "tune": tune, "index": index_or_ask, "ask": index_or_ask}
    return handlers[options.command](options)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
