"""Checks the labelled NLU data: enough examples per intent, and nothing held out that is also trained on.

Held-out sets: tests/nlu (written with the training data), tests/nlu_independent (written blind, without
seeing the training data) and tests/nlu_dev (the dev split, for tuning thresholds and pipelines). A
held-out example that is the same as a training example, or a near-duplicate of one (token Jaccard
similarity >= 0.8), is a leak: the score would measure memory, not understanding.

    python -m tools.check_nlu_data            # fails on any problem
    python -m tools.check_nlu_data --report   # also prints how close each held-out set is to training
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

from rasa.shared.nlu.training_data.loading import load_data

from common.paths import REPO_ROOT

MIN_TRAIN = {"out_of_scope": 150}
MIN_TRAIN_DEFAULT = 50
MIN_TEST = 15
MIN_INDEPENDENT = 30
MIN_INDEPENDENT_OFF_TOPIC = 300
NEAR_DUPLICATE = 0.8
HELD_OUT = {
    "tests/nlu": REPO_ROOT / "tests" / "nlu",
    "tests/nlu_independent": REPO_ROOT / "tests" / "nlu_independent",
    "tests/nlu_dev": REPO_ROOT / "tests" / "nlu_dev",
}
Example = Tuple[str, str]  # (intent, text)


def normalise(text: str) -> str:
    """Lower case, punctuation removed, spaces collapsed: two examples equal here are the same example."""
    return " ".join(re.sub(r"[^\w\s@.-]", " ", text.lower()).split()).strip(" .")


def tokens(text: str) -> FrozenSet[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def load_examples(paths: Iterable[Path]) -> List[Example]:
    """(intent, text) for every example in the given NLU files."""
    examples = []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            examples.append((message.get("intent"), message.get("text")))
    return examples


def load_dir(directory: Path) -> List[Example]:
    """Every example in the directory's NLU files, including generated ones in subdirectories."""
    return load_examples(sorted(directory.rglob("*.yml")))


class NearestTraining:
    """Finds the most similar training example by token Jaccard (an inverted index keeps it fast)."""

    def __init__(self, train: Sequence[Example]) -> None:
        self.train = [(intent, text, tokens(text)) for intent, text in train]
        self.index: Dict[str, Set[int]] = defaultdict(set)
        for position, (_, _, words) in enumerate(self.train):
            for word in words:
                self.index[word].add(position)

    def nearest(self, text: str) -> Tuple[float, str, str]:
        words = tokens(text)
        candidates = set().union(*(self.index.get(word, set()) for word in words)) if words else set()
        best = (0.0, "", "")
        for position in candidates:
            intent, train_text, train_words = self.train[position]
            score = jaccard(words, train_words)
            if score > best[0]:
                best = (score, intent, train_text)
        return best


def leaks(train: Sequence[Example], held_out: Sequence[Example]) -> List[Tuple[str, str, str, float]]:
    """(held-out text, training text, training intent, similarity) for every exact or near duplicate."""
    nearest = NearestTraining(train)
    trained = {normalise(text): (intent, text) for intent, text in train}
    found = []
    for _intent, text in held_out:
        if normalise(text) in trained:
            found.append((text, trained[normalise(text)][1], trained[normalise(text)][0], 1.0))
            continue
        score, intent, train_text = nearest.nearest(text)
        if score >= NEAR_DUPLICATE:
            found.append((text, train_text, intent, score))
    return found


def check(train_dir: Path, held_out_dirs: Dict[str, Path]) -> List[str]:
    """Every problem found, as readable lines (empty when the data is fine)."""
    train = load_dir(train_dir)
    problems = []
    train_counts = Counter(intent for intent, _ in train)
    for intent, count in sorted(train_counts.items()):
        needed = MIN_TRAIN.get(intent, MIN_TRAIN_DEFAULT)
        if count < needed:
            problems.append(f"training data has {count} examples of {intent}, needs {needed}")
    for name, directory in held_out_dirs.items():
        held_out = load_dir(directory)
        counts = Counter(intent for intent, _ in held_out)
        for intent in sorted(train_counts):
            needed = MIN_TEST
            if name == "tests/nlu_independent":
                needed = MIN_INDEPENDENT_OFF_TOPIC if intent == "out_of_scope" else MIN_INDEPENDENT
            if name != "tests/nlu_dev" and counts[intent] < needed:
                problems.append(f"{name} has {counts[intent]} examples of {intent}, needs {needed}")
        unknown = sorted(set(counts) - set(train_counts))
        if unknown:
            problems.append(f"{name} has intents that nothing is trained on: {', '.join(unknown)}")
        for text, train_text, intent, score in leaks(train, held_out):
            problems.append(
                f"{name} example {text!r} is {'the same as' if score == 1.0 else f'a near-duplicate ({score:.2f}) of'}"
                f" training example {train_text!r} ({intent})"
            )
        print(f"{name}: {len(held_out)} examples in {len(counts)} intents")
    print(f"training examples: {len(train)} in {len(train_counts)} intents")
    return problems


def similarity_report(train_dir: Path, held_out_dirs: Dict[str, Path]) -> None:
    """How close each held-out set is to the training data (share of examples at Jaccard >= 0.6 and 0.8)."""
    nearest = NearestTraining(load_dir(train_dir))
    for name, directory in held_out_dirs.items():
        scores = [nearest.nearest(text)[0] for _, text in load_dir(directory)]
        close = sum(score >= 0.6 for score in scores) / max(len(scores), 1)
        near = sum(score >= NEAR_DUPLICATE for score in scores) / max(len(scores), 1)
        print(f"{name}: {close:.1%} within Jaccard 0.6 of a training example, {near:.1%} within 0.8")


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--train", type=Path, default=REPO_ROOT / "data" / "nlu")
    parser.add_argument(
        "--report", action="store_true", help="print each held-out set's closeness to training"
    )
    args = parser.parse_args(argv)
    held_out = {name: path for name, path in HELD_OUT.items() if path.is_dir()}
    problems = check(args.train, held_out)
    if args.report:
        similarity_report(args.train, held_out)
    for problem in problems:
        print(f"NLU data problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
