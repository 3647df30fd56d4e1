"""Checks the labelled NLU data: enough examples per intent, and no test example that is also trained on."""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Iterable, List, Tuple

from rasa.shared.nlu.training_data.loading import load_data

from common.paths import REPO_ROOT

MIN_TRAIN = {"out_of_scope": 150}
MIN_TRAIN_DEFAULT = 50
MIN_TEST = 15


def normalise(text: str) -> str:
    """Lower case, punctuation removed, spaces collapsed: two examples equal here are the same example."""
    return " ".join(re.sub(r"[^\w\s@.-]", " ", text.lower()).split()).strip(" .")


def load_examples(paths: Iterable[Path]) -> List[Tuple[str, str]]:
    """(intent, text) for every example in the given NLU files."""
    examples = []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            examples.append((message.get("intent"), message.get("text")))
    return examples


def check(train_dir: Path, test_dir: Path) -> List[str]:
    """Every problem found, as readable lines (empty when the data is fine)."""
    train = load_examples(sorted(train_dir.glob("*.yml")))
    test = load_examples(sorted(test_dir.glob("*.yml")))
    problems = []
    train_counts, test_counts = Counter(i for i, _ in train), Counter(i for i, _ in test)
    for intent, count in sorted(train_counts.items()):
        needed = MIN_TRAIN.get(intent, MIN_TRAIN_DEFAULT)
        if count < needed:
            problems.append(f"training data has {count} examples of {intent}, needs {needed}")
    for intent in sorted(train_counts):
        if test_counts[intent] < MIN_TEST:
            problems.append(
                f"held-out test set has {test_counts[intent]} examples of {intent}, needs {MIN_TEST}"
            )
    trained = {normalise(text): intent for intent, text in train}
    for _intent, text in test:
        if normalise(text) in trained:
            problems.append(
                f"test example is also in the training data ({trained[normalise(text)]}): {text!r}"
            )
    print(
        f"training examples: {len(train)} in {len(train_counts)} intents; held-out test examples: {len(test)}"
    )
    return problems


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train", type=Path, default=REPO_ROOT / "data" / "nlu")
    parser.add_argument("--test", type=Path, default=REPO_ROOT / "tests" / "nlu")
    args = parser.parse_args(argv)
    problems = check(args.train, args.test)
    for problem in problems:
        print(f"NLU data problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
