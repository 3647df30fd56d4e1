"""Augmented NLU training data, generated from data/nlu into data/nlu/generated/augmented.yml.

Customers misspell, use other words for the same thing (purchase, parcel, reimbursement) and write
British or American English. From each hand-written, unannotated example this adds, deterministically:
- a typo variant (adjacent letters swapped, a letter dropped or doubled) for a share of the examples;
- a synonym variant where the example uses a word with a common customer synonym or spelling;
- short replies built from templates for the small-talk intents, where one word carries the meaning;
- requests to other companies phrased like ours ("cancel my order at <marketplace>", "refund my <ride app>
  trip"), as `out_of_scope`: a brand name is what tells them apart (carriers and payment providers are left
  out, since our own customers name them about our orders);
- device and software requests ("how to update Windows", "reset my router"), as `out_of_scope`;
- off-topic banking questions: a few examples of each Banking77 intent (train split) that a store does not
  handle, as `out_of_scope` (Banking77, Casanueva et al. 2020, CC BY 4.0; see README "Data and licences").
Nothing generated repeats a training example or comes near a held-out one (tools/check_nlu_data's
near-duplicate rule), so augmentation never leaks a test example into training.

    python -m tools.augment_nlu          # write the file
    python -m tools.augment_nlu --check  # fail if the file is not what the generator writes
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import re
import sys
from typing import Dict, Iterable, List

import yaml

from common.paths import REPO_ROOT, banking77_dir
from tools.check_nlu_data import HELD_OUT, NEAR_DUPLICATE, NearestTraining, load_dir, load_examples, normalise

SOURCE = REPO_ROOT / "data" / "nlu"
TARGET = SOURCE / "generated" / "augmented.yml"
BANKING_TARGET = SOURCE / "generated" / "banking77_off_topic.yml"
SEED = 20261130
BANKING77_PER_INTENT = 4
VOCABULARY = yaml.safe_load((REPO_ROOT / "tools" / "augmentation.yml").read_text())
SYNONYMS: Dict[str, List[str]] = VOCABULARY["synonyms"]
TEMPLATES: Dict[str, Dict[str, List[str]]] = VOCABULARY["templates"]
OTHER_COMPANIES: List[str] = VOCABULARY["other_companies"]
OTHER_COMPANY_REQUESTS: List[str] = VOCABULARY["other_company_requests"]
DEVICES: List[str] = VOCABULARY["devices"]
DEVICE_REQUESTS: List[str] = VOCABULARY["device_requests"]
BANKING77_STORE_LIKE = set(VOCABULARY["banking77_store_like"])
OTHER_COMPANY_SAMPLES = 300
DEVICE_SAMPLES = 80
TYPO_SHARE = 0.25


def hand_written() -> Dict[str, List[str]]:
    """Unannotated hand-written examples by intent (annotated ones would need their entity spans moved)."""
    by_intent: Dict[str, List[str]] = {}
    for path in sorted(SOURCE.glob("*.yml")):
        document = yaml.safe_load(path.read_text()) or {}
        for block in document.get("nlu", []):
            if "intent" not in block:
                continue
            lines = [
                line[2:].strip()
                for line in str(block.get("examples", "")).splitlines()
                if line.startswith("- ")
            ]
            by_intent.setdefault(block["intent"], []).extend(
                line for line in lines if "[" not in line and "](" not in line
            )
    return by_intent


def with_typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 4 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    at = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
    elif kind == "drop":
        word = word[:at] + word[at + 1 :]
    else:
        word = word[:at] + word[at] + word[at:]
    words[index] = word
    return " ".join(words)


def with_synonym(text: str, rng: random.Random) -> str:
    lowered = text.lower()
    found = [term for term in SYNONYMS if re.search(rf"\b{re.escape(term)}\b", lowered)]
    if not found:
        return text
    term = rng.choice(sorted(found))
    return re.sub(rf"\b{re.escape(term)}\b", rng.choice(SYNONYMS[term]), lowered, count=1)


def generate() -> Dict[str, List[str]]:
    rng = random.Random(SEED)
    source = hand_written()
    all_training = [(intent, text) for intent, texts in source.items() for text in texts]
    seen = {normalise(text) for text in (t for texts in source.values() for t in texts)}
    seen |= {normalise(text) for _, text in load_examples(sorted(SOURCE.glob("*.yml")))}
    held_out = NearestTraining(
        [("held-out", text) for path in HELD_OUT.values() for _, text in load_dir(path)]
    )
    held_out_exact = {normalise(text) for _, text, _ in held_out.train}
    generated: Dict[str, List[str]] = {}

    def keep(intent: str, text: str) -> None:
        key = normalise(text)
        if not key or key in seen or key in held_out_exact:
            return
        if held_out.nearest(text)[0] >= NEAR_DUPLICATE:
            return
        seen.add(key)
        generated.setdefault(intent, []).append(text)

    for intent, text in all_training:
        if rng.random() < TYPO_SHARE:
            keep(intent, with_typo(text, rng))
        variant = with_synonym(text, rng)
        if variant != text.lower():
            keep(intent, variant)
    for intent, parts in TEMPLATES.items():
        for head in parts["heads"]:
            for tail in parts["tails"]:
                keep(intent, f"{head}{tail}")
    pairs = sorted(itertools.product(OTHER_COMPANY_REQUESTS, OTHER_COMPANIES))
    for template, company in rng.sample(pairs, OTHER_COMPANY_SAMPLES):
        keep("out_of_scope", template.format(company=company))
    for template, device in rng.sample(sorted(itertools.product(DEVICE_REQUESTS, DEVICES)), DEVICE_SAMPLES):
        keep("out_of_scope", template.format(device=device))
    return generated


def generate_banking() -> Dict[str, List[str]]:
    """Banking77's off-topic questions, kept apart so the file above never depends on the benchmark."""
    rng = random.Random(SEED)
    held_out = NearestTraining(
        [("held-out", text) for path in HELD_OUT.values() for _, text in load_dir(path)]
    )
    seen = {normalise(text) for _, text in load_examples(sorted(SOURCE.glob("*.yml")))}
    kept = []
    for text in banking_off_topic(rng):
        if normalise(text) not in seen and held_out.nearest(text)[0] < NEAR_DUPLICATE:
            seen.add(normalise(text))
            kept.append(text)
    return {"out_of_scope": kept} if kept else {}


def banking_off_topic(rng: random.Random) -> List[str]:
    """A few questions from each Banking77 intent that has nothing to do with a store (none if absent)."""
    train_csv = banking77_dir() / "train.csv"
    if not train_csv.exists():
        return []
    by_category: Dict[str, List[str]] = {}
    with train_csv.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["category"] not in BANKING77_STORE_LIKE:
                by_category.setdefault(row["category"], []).append(" ".join(row["text"].split()))
    picked = []
    for category in sorted(by_category):
        picked += rng.sample(by_category[category], min(BANKING77_PER_INTENT, len(by_category[category])))
    return picked


AUGMENTED_HEADER = (
    "Generated by `python -m tools.augment_nlu` from the hand-written files beside it: do not edit."
)
BANKING_HEADER = (
    "Generated by `python -m tools.augment_nlu`: do not edit. Off-topic banking questions sampled from the\n"
    "Banking77 train split (Casanueva et al., 2020, https://github.com/PolyAI-LDN/task-specific-datasets),\n"
    "licensed CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/); texts unchanged except whitespace."
)


def render(generated: Dict[str, List[str]], header: str) -> str:
    lines = [f"# {line}" for line in header.splitlines()] + ['version: "3.1"', "nlu:"]
    for intent in sorted(generated):
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in generated[intent]]
    return "\n".join(lines) + "\n"


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--check", action="store_true", help="fail if the committed file is out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    outputs = [(TARGET, render(generate(), AUGMENTED_HEADER))]
    if (banking77_dir() / "train.csv").exists():  # without the benchmark, its committed file stays as it is
        outputs.append((BANKING_TARGET, render(generate_banking(), BANKING_HEADER)))
    stale = [path for path, text in outputs if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(REPO_ROOT)} is out of date: run `python -m tools.augment_nlu`.")
        return 1 if stale else 0
    for path, text in outputs:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {text.count(chr(10) + '    - ')} examples to {path.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
