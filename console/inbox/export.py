"""Trainers' labels as NLU training data: data/nlu/learned.yml and a held-out share in tests/nlu/test_learned.yml.

Only labels that name an existing intent are exported (accept, intent, out_of_scope); a new intent or a
question for the knowledge base needs a person first. Items two trainers labelled differently are left out.

Inbox texts are redacted, so placeholders go back to neutral, realistic values chosen by a hash of the text
("[ORDER]" -> "10517", "[EMAIL]" -> "sam.lee@example.com"): a model trained on "[ORDER]" would learn a bracket
token no customer ever types, and its char n-grams would tie "[" to one intent.

Hygiene is tools/check_nlu_data.py's: no text (normalised) already anywhere in data/nlu or tests/nlu*; nothing
held out that is a near-duplicate (Jaccard >= 0.8) of training; short messages (four words or fewer) only in
training. Output is deterministic: ordered by intent then text, split by a hash of the normalised text.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set, Tuple

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from common.paths import REPO_ROOT
from console.inbox.agreement import category
from console.inbox.models import ACCEPT, INTENT, OUT_OF_SCOPE, InboxItem, InboxLabel

EXPORTED_KINDS = (ACCEPT, INTENT, OUT_OF_SCOPE)
TRAINING_FILE = Path("nlu") / "learned.yml"  # under data_dir
HELDOUT_FILE = Path("test_learned.yml")  # under heldout_dir
SHORT_MESSAGE_WORDS = 4
HEADER = "# Written by `python -m console.inbox export` from trainers' labels in the console's inbox: do not edit.\n"
_PLACEHOLDER = re.compile(r"\[([A-Z]+)\]")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FIRST = ("sam", "alex", "maria", "li", "noah", "ava", "omar", "lena", "ivan", "zoe")
_LAST = ("lee", "garcia", "smith", "khan", "novak", "brown", "rossi", "meyer", "silva", "chen")


@dataclass
class Example:
    intent: str
    text: str  # placeholders filled in, entities annotated
    plain: str  # placeholders filled in, no annotations: what duplicates are checked on
    source: str
    trainers: Tuple[str, ...] = ()


@dataclass
class ExportResult:
    examples: int = 0
    heldout: int = 0
    skipped_duplicates: int = 0
    skipped_disagreements: int = 0
    files: Dict[Path, str] = field(default_factory=dict)  # path -> new content
    # Whose labels are in the exported data: none of them may approve a model trained on it.
    trainers: List[str] = field(default_factory=list)


def _number(seed: str, modulo: int) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % modulo


def neutral_value(label: str, seed: str) -> str:
    """A realistic stand-in for a placeholder, the same for the same seed."""
    n = _number(seed, 10**9)
    first, last = _FIRST[n % len(_FIRST)], _LAST[(n // 10) % len(_LAST)]
    values = {
        "ORDER": f"1{n % 10000:04d}",  # the store's order ids (data/nlu/regex.yml order_id)
        "EMAIL": f"{first}.{last}@example.com",
        "PHONE": f"07700 900{n % 1000:03d}",  # a range reserved for fiction
        "CODE": f"{100000 + n % 900000}",
        "CARD": "4111 1111 1111 1111",  # the well-known test card number
        "INVOICE": f"INV-{2023 + n % 3}-{n % 10000:04d}",
        "NAME": first.capitalize(),
        "IBAN": "GB82 WEST 1234 5698 7654 32",  # the standard documentation example
        "TOKEN": hashlib.sha256(seed.encode()).hexdigest()[:24],
        "ADDRESS": f"{1 + n % 98} Example Street",
    }
    return values.get(label, label.lower())


def fill_placeholders(text: str, entities: Sequence[Dict[str, Any]]) -> Tuple[str, str]:
    """(annotated text for Rasa, plain text): placeholders filled in, entities moved with the new offsets."""
    pieces: List[str] = []
    offsets: List[Tuple[int, int]] = []  # (old position, new position) at each change
    position, built = 0, 0
    for index, match in enumerate(_PLACEHOLDER.finditer(text)):
        pieces.append(text[position : match.start()])
        built += match.start() - position
        value = neutral_value(match.group(1), f"{text}#{index}")
        offsets.append((match.start(), built))
        offsets.append((match.end(), built + len(value)))
        pieces.append(value)
        built += len(value)
        position = match.end()
    pieces.append(text[position:])
    plain = "".join(pieces)

    def moved(old: int) -> int:
        shift = 0
        for before, after in offsets:
            if before <= old:
                shift = after - before
        return old + shift

    annotated, cursor = [], 0
    for entity in sorted(entities, key=lambda entity: entity["start"]):
        start, end = moved(entity["start"]), moved(entity["end"])
        span = plain[start:end]
        annotated.append(plain[cursor:start])
        original = text[entity["start"] : entity["end"]]
        value = span if _PLACEHOLDER.search(original) or entity["value"] == span else entity["value"]
        if value == span:
            annotated.append(f"[{span}]({entity['entity']})")
        else:
            annotated.append(f"[{span}]{json.dumps({'entity': entity['entity'], 'value': value})}")
        cursor = end
    annotated.append(plain[cursor:])
    return "".join(annotated), plain


def agreed_examples(*, db_session: Session) -> Tuple[List[Example], int]:
    """One example per item whose trainers all agree on an exported label; and how many items disagreed."""
    by_item: Dict[int, List[InboxLabel]] = defaultdict(list)
    for label in db_session.execute(select(InboxLabel).order_by(InboxLabel.id)).scalars():
        by_item[label.item_id].append(label)
    items = {
        item.id: item
        for item in db_session.execute(select(InboxItem).where(InboxItem.id.in_(list(by_item)))).scalars()
    }
    examples, disagreements = [], 0
    for item_id, labels in sorted(by_item.items()):
        if len({category(label) for label in labels}) > 1:
            disagreements += 1
            continue
        first = labels[0]
        if first.kind not in EXPORTED_KINDS or not first.intent:
            continue
        item = items[item_id]
        annotated, plain = fill_placeholders(item.text, json.loads(first.entities or "[]"))
        trainers = tuple(sorted({label.trainer for label in labels}))
        source = f"inbox item {item.id} ({item.source_ref}), labelled by {', '.join(trainers)}"
        examples.append(Example(str(first.intent), annotated, plain, source, trainers))
    return examples, disagreements


def _heldout_dirs(heldout_dir: Path) -> List[Path]:
    return sorted(path for path in heldout_dir.parent.glob("nlu*") if path.is_dir()) or [heldout_dir]


# Rasa's annotation of an entity in an example: [text](entity), [text]{"entity": ...} or [text][synonym].
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def read_examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) of an NLU file, as Rasa's reader gives them (tests/console/test_inbox_export.py compares
    the two on the project's data) in a fraction of the time: the export preview reads ~9,000 examples."""
    content = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
    found: List[Tuple[str, str]] = []
    for entry in content.get("nlu") or [] if isinstance(content, dict) else []:
        if not isinstance(entry, dict) or "intent" not in entry:
            continue
        examples = entry.get("examples") or []
        if isinstance(examples, str):
            texts = [
                line.strip()[2:].strip() for line in examples.splitlines() if line.strip().startswith("- ")
            ]
        else:
            texts = [str(example.get("text", "")) for example in examples if isinstance(example, dict)]
        found.extend((str(entry["intent"]), _ANNOTATION.sub(r"\1", text)) for text in texts)
    return found


def _existing(directories: Sequence[Path], written: Set[Path]) -> List[Tuple[str, str]]:
    paths = sorted(
        path for directory in directories if directory.is_dir() for path in directory.rglob("*.yml")
    )
    return [example for path in paths if path.resolve() not in written for example in read_examples(path)]


def _is_heldout(key: str, fraction: float) -> bool:
    return _number(f"heldout:{key}", 10_000) < fraction * 10_000


def render(examples: Sequence[Example]) -> str:
    """Rasa 3 YAML, each example in the list form with its source as metadata."""
    lines = [HEADER, 'version: "3.1"\n']
    if not examples:
        return "".join(lines) + "nlu: []\n"
    lines.append("nlu:\n")
    intent = None
    for example in examples:
        if example.intent != intent:
            intent = example.intent
            lines.append(f"- intent: {intent}\n  examples:\n")
        lines.append(f"  - text: {json.dumps(example.text, ensure_ascii=False)}\n")
        lines.append(f"    metadata:\n      source: {json.dumps(example.source, ensure_ascii=False)}\n")
    return "".join(lines)


def plan_export(
    *, db_session: Session, data_dir: Path, heldout_dir: Path, heldout_fraction: float = 0.2
) -> ExportResult:
    """What export_labels would write, without writing it."""
    from tools.check_nlu_data import NEAR_DUPLICATE, NearestTraining, jaccard, normalise, tokens

    training_path, heldout_path = data_dir / TRAINING_FILE, heldout_dir / HELDOUT_FILE
    written = {training_path.resolve(), heldout_path.resolve()}
    trained = _existing([data_dir / "nlu"], written)
    held = _existing(_heldout_dirs(heldout_dir), written)
    seen = {normalise(text) for _, text in trained + held}
    examples, disagreements = agreed_examples(db_session=db_session)
    result = ExportResult(skipped_disagreements=disagreements)
    fresh: List[Example] = []
    for example in sorted(examples, key=lambda example: (example.intent, example.plain, example.source)):
        key = normalise(example.plain)
        if key in seen:
            result.skipped_duplicates += 1
            continue
        seen.add(key)
        fresh.append(example)
    near_training = NearestTraining(trained)
    to_heldout = [
        example
        for example in fresh
        if len(example.plain.split()) > SHORT_MESSAGE_WORDS
        and _is_heldout(normalise(example.plain), heldout_fraction)
    ]
    to_train = [example for example in fresh if example not in to_heldout]
    # A held-out example close to training (old or new) would be a leak: it trains instead.
    train_words = [tokens(example.plain) for example in to_train]
    for example in list(to_heldout):
        words = tokens(example.plain)
        if near_training.nearest(example.plain)[0] >= NEAR_DUPLICATE or any(
            jaccard(words, other) >= NEAR_DUPLICATE for other in train_words
        ):
            to_heldout.remove(example)
            to_train.append(example)
    # A training example close to a held-out one would make that one a leak: it is left out.
    near_heldout = NearestTraining(held + [(example.intent, example.plain) for example in to_heldout])
    kept = []
    for example in to_train:
        if near_heldout.nearest(example.plain)[0] >= NEAR_DUPLICATE:
            result.skipped_duplicates += 1
        else:
            kept.append(example)

    def ordered(chosen: List[Example]) -> List[Example]:
        return sorted(chosen, key=lambda example: (example.intent, example.plain, example.source))

    result.examples, result.heldout = len(kept), len(to_heldout)
    result.trainers = sorted({name for example in kept + to_heldout for name in example.trainers})
    chosen = {training_path: ordered(kept), heldout_path: ordered(to_heldout)}
    # An empty file is written only over an earlier export (its examples are gone); never created.
    result.files = {path: render(found) for path, found in chosen.items() if found or path.exists()}
    return result


def export_labels(
    *, db_session: Session, data_dir: Path, heldout_dir: Path, heldout_fraction: float = 0.2
) -> ExportResult:
    """Write learned.yml (training) and test_learned.yml (held out) from the agreed labels."""
    result = plan_export(
        db_session=db_session, data_dir=data_dir, heldout_dir=heldout_dir, heldout_fraction=heldout_fraction
    )
    for path, content in result.files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return result


def export_patch(
    *,
    db_session: Session,
    data_dir: Path,
    heldout_dir: Path,
    heldout_fraction: float = 0.2,
    root: Optional[Path] = None,
) -> Tuple[str, ExportResult]:
    """The export as a unified diff against the files as they are (nothing is written), for review."""
    result = plan_export(
        db_session=db_session, data_dir=data_dir, heldout_dir=heldout_dir, heldout_fraction=heldout_fraction
    )
    base = (root or REPO_ROOT).resolve()
    chunks: List[str] = []
    for path, content in result.files.items():
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        name = os.path.relpath(path.resolve(), base)
        chunks.extend(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                content.splitlines(keepends=True),
                fromfile=f"a/{name}" if path.exists() else "/dev/null",
                tofile=f"b/{name}",
            )
        )
    return "".join(chunks), result
