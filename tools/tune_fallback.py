"""Sweeps FallbackClassifier thresholds over the held-out NLU set and prints what each choice costs.

For every (threshold, ambiguity_threshold) pair it reports:
- wrong answers: held-out messages whose top intent is wrong and that would NOT fall back (the bot acts on
  a misunderstanding);
- needless fallbacks: messages understood correctly that WOULD fall back (the customer is asked to rephrase);
- macro-F1 with fallbacks counted as errors (what `make test` gates on).
Run: python -m tools.tune_fallback [--model models/X.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import List, Optional, Tuple

from sklearn.metrics import f1_score

from tools.check_nlu_data import load_examples
from tools.stack import REPO_ROOT, latest_model

THRESHOLDS = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
AMBIGUITY = [0.0, 0.05, 0.1]


async def raw_rankings(model: Path, texts: List[str]) -> List[List[Tuple[str, float]]]:
    """Intent rankings before the FallbackClassifier's verdict (its nlu_fallback entry removed)."""
    import logging

    import structlog
    from rasa.core.agent import Agent

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    logging.getLogger("rasa").setLevel(logging.WARNING)
    agent = Agent.load(str(model))
    rankings = []
    for text in texts:
        parsed = await agent.parse_message(text)
        ranking = [(item["name"], item["confidence"]) for item in parsed.get("intent_ranking", [])]
        rankings.append([item for item in ranking if item[0] != "nlu_fallback"])
    return rankings


def falls_back(ranking: List[Tuple[str, float]], threshold: float, ambiguity: float) -> bool:
    top = ranking[0][1]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return top < threshold or (ambiguity > 0 and top - second < ambiguity)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--test", type=Path, default=REPO_ROOT / "tests" / "nlu")
    args = parser.parse_args(argv)
    examples = load_examples(sorted(args.test.glob("*.yml")))
    truth = [intent for intent, _ in examples]
    rankings = asyncio.run(
        raw_rankings(args.model or latest_model(REPO_ROOT / "models"), [t for _, t in examples])
    )
    print(f"{len(examples)} held-out messages")
    print(
        f"{'threshold':>9} {'ambiguity':>9} {'wrong answers':>14} {'needless fallbacks':>19} {'macro-F1':>9}"
    )
    for threshold in THRESHOLDS:
        for ambiguity in AMBIGUITY:
            predicted, wrong, needless = [], 0, 0
            for expected, ranking in zip(truth, rankings, strict=False):
                fallback = falls_back(ranking, threshold, ambiguity)
                top = ranking[0][0]
                predicted.append("nlu_fallback" if fallback else top)
                wrong += (not fallback) and top != expected
                needless += fallback and top == expected
            labels = sorted(set(truth))
            macro = f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)
            print(f"{threshold:>9.2f} {ambiguity:>9.2f} {wrong:>14} {needless:>19} {macro:>9.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
