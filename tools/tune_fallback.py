"""Sweeps the fallback and sensitive-flow thresholds on the dev split (tests/nlu_dev) and prints what each
choice costs. Only the dev split is used: the held-out sets are scored by tools/nlu_eval.py, never tuned on.

For every (threshold, ambiguity, guard threshold, guard margin) it reports, on the dev split:
- accuracy with fallbacks counted as misses (the customer is asked again instead of served);
- off-topic rejected: `out_of_scope` examples answered out_of_scope or with a fallback;
- dangerous: `out_of_scope` examples that would still start a refund, cancellation, account change,
  deletion or password reset;
- sensitive asked: real sensitive-flow requests that get the one-line yes/no question first.
The configurations with dangerous <= 0.6 % (one message in the dev split) are listed best accuracy first.

    python -m tools.tune_fallback [--model models/X.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from pathlib import Path
from typing import List, Optional, Tuple

from tools.check_nlu_data import load_dir
from tools.nlu_eval import OFF_TOPIC, SENSITIVE_FLOWS, SETS, parse_all
from tools.stack import REPO_ROOT, latest_model

THRESHOLDS = [0.2, 0.3, 0.4, 0.5]
AMBIGUITY = [0.0, 0.05, 0.1]
GUARD_THRESHOLDS = [0.4, 0.5, 0.6, 0.7, 0.8]
GUARD_MARGINS = [0.1, 0.2, 0.3, 0.4]
# The goal is 0.5 %; on a dev split of under 200 off-topic messages one message is already 0.5 %.
MAX_DANGEROUS = 0.006
Ranking = List[Tuple[str, float]]


async def raw_rankings(model: Path, texts: List[str]) -> List[Ranking]:
    """Intent rankings before the FallbackClassifier's and the guard's verdicts (nlu_fallback removed)."""
    rankings = []
    for parsed in await parse_all(model, texts):
        ranking = [(item["name"], item["confidence"]) for item in parsed.get("intent_ranking", [])]
        rankings.append([item for item in ranking if item[0] != "nlu_fallback"])
    return rankings


def decide(ranking: Ranking, threshold: float, ambiguity: float, guard: float, margin: float) -> str:
    """The intent the pipeline would output under these settings (nlu_fallback when unsure)."""
    top, confidence = ranking[0]
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    if confidence < threshold or (ambiguity > 0 and confidence - second < ambiguity):
        return "nlu_fallback"
    if top in SENSITIVE_FLOWS and (confidence < guard or confidence - second < margin):
        return "nlu_fallback"
    return top


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args(argv)
    examples = load_dir(SETS["dev"])
    truth = [intent for intent, _ in examples]
    rankings = asyncio.run(
        raw_rankings(args.model or latest_model(REPO_ROOT / "models"), [t for _, t in examples])
    )
    off_topic = [i for i, t in enumerate(truth) if t == OFF_TOPIC]
    sensitive = [i for i, t in enumerate(truth) if t in SENSITIVE_FLOWS]
    rows = []
    for threshold, ambiguity, guard, margin in itertools.product(
        THRESHOLDS, AMBIGUITY, GUARD_THRESHOLDS, GUARD_MARGINS
    ):
        predicted = [decide(r, threshold, ambiguity, guard, margin) for r in rankings]
        accuracy = sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth)
        rejected = sum(predicted[i] in (OFF_TOPIC, "nlu_fallback") for i in off_topic) / len(off_topic)
        dangerous = sum(predicted[i] in SENSITIVE_FLOWS for i in off_topic) / len(off_topic)
        asked_first = sum(predicted[i] == "nlu_fallback" and rankings[i][0][0] == truth[i] for i in sensitive)
        share_asked = asked_first / len(sensitive)
        rows.append((accuracy, rejected, dangerous, share_asked, threshold, ambiguity, guard, margin))
    print(
        f"dev split: {len(truth)} messages, {len(off_topic)} off-topic, {len(sensitive)} sensitive-flow requests"
    )
    print(
        f"{'threshold':>9} {'ambiguity':>9} {'guard':>5} {'margin':>6} {'accuracy':>8} {'off-topic rejected':>18} {'dangerous':>9} {'sensitive asked':>15}"
    )
    safe = sorted((row for row in rows if row[2] <= MAX_DANGEROUS), key=lambda row: (-row[0], -row[1]))
    for accuracy, rejected, dangerous, asked, threshold, ambiguity, guard, margin in safe[: args.top]:
        print(
            f"{threshold:>9.2f} {ambiguity:>9.2f} {guard:>5.2f} {margin:>6.2f} {accuracy:>8.3f} {rejected:>18.1%} {dangerous:>9.1%} {asked:>15.1%}"
        )
    if not safe:
        print("no setting keeps off-topic messages out of sensitive flows on the dev split")
    current = current_settings()
    for accuracy, rejected, dangerous, asked, *chosen in rows:
        if tuple(chosen) == current:
            print(
                f"config.yml now: threshold {current[0]}, ambiguity {current[1]}, guard {current[2]}, margin "
                f"{current[3]}: accuracy {accuracy:.3f}, off-topic rejected {rejected:.1%}, dangerous "
                f"{dangerous:.1%}, sensitive asked {asked:.1%}"
            )
    return 0


def current_settings() -> Tuple[float, float, float, float]:
    """(threshold, ambiguity, guard threshold, guard margin) as config.yml sets them."""
    import yaml

    pipeline = yaml.safe_load((REPO_ROOT / "config.yml").read_text())["pipeline"]
    fallback = next(c for c in pipeline if c["name"] == "FallbackClassifier")
    guard = next(c for c in pipeline if c["name"].endswith("SensitiveFlowGuard"))
    return (fallback["threshold"], fallback["ambiguity_threshold"], guard["threshold"], guard["margin"])


if __name__ == "__main__":
    raise SystemExit(main())
