"""Triage measured on labelled ticket-style messages (tests/triage/messages_{dev,test}.yml, written blind):
routing accuracy, the share auto-routed and their precision, priority accuracy and urgent recall, language
accuracy and entity accuracy.

Tune on dev only (`python -m triage eval --set dev --errors` lists dev's mistakes); the test set is read only
through `summary`, never printed message by message.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import getaddresses
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import yaml

from common.paths import REPO_ROOT
from triage.calibration import Calibration
from triage.classify import Parse
from triage.parsing import InboundMessage, valid_address
from triage.pipeline import Reading, read_message
from triage.priority import URGENT

SETS_DIR = REPO_ROOT / "tests" / "triage"
ENTITY_FIELDS = ("order_id", "email", "amount")


def set_path(name: str) -> Path:
    if name not in ("dev", "test"):
        raise ValueError(f"unknown set {name!r}: dev or test")
    return SETS_DIR / f"messages_{name}.yml"


@dataclass(frozen=True)
class Labelled:
    id: str
    message: InboundMessage
    queue: str
    priority: str
    language: Optional[str]
    entities: Dict[str, Optional[str]]


def _text(value: Any) -> Optional[str]:
    return None if value is None or value == "" else str(value).strip()


def sender_of(value: Any) -> Optional[str]:
    """ "Jane Doe <jane@example.org>" as the receiver reads a From header: the address alone."""
    addresses = [address for _name, address in getaddresses([str(value or "")]) if valid_address(address)]
    return addresses[0] if addresses else None


def load_set(path: Path) -> List[Labelled]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found = []
    for item in data["messages"]:
        entities = item.get("entities") or {}
        found.append(
            Labelled(
                id=str(item["id"]),
                message=InboundMessage(
                    channel=str(item.get("channel") or "email"),
                    sender=sender_of(item.get("from")),
                    subject=str(item.get("subject") or ""),
                    body=str(item.get("body") or ""),
                ),
                queue=str(item["queue"]),
                priority=str(item["priority"]),
                language=_text(item.get("language")),
                entities={name: _text(entities.get(name)) for name in ENTITY_FIELDS},
            )
        )
    return found


def predicted_entities(reading: Reading) -> Dict[str, Optional[str]]:
    return {
        "order_id": reading.entities.order_id,
        "email": reading.entities.email,
        "amount": reading.entities.amount,
    }


def same_entity(name: str, predicted: Optional[str], expected: Optional[str]) -> bool:
    if predicted is None or expected is None:
        return predicted is None and expected is None
    if name == "email":
        return predicted.lower() == expected.lower()
    if name == "amount":
        try:
            return float(predicted) == float(expected.replace(",", ".").lstrip("$€£ "))
        except ValueError:
            return predicted == expected
    return predicted == expected


def read_all(
    labelled: Sequence[Labelled], parse: Parse, calibration: Calibration, threshold: Optional[float] = None
) -> List[Reading]:
    return [read_message(item.message, parse, calibration, threshold) for item in labelled]


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def summary(labelled: Sequence[Labelled], readings: Sequence[Reading]) -> Dict[str, Any]:
    pairs = list(zip(labelled, readings, strict=True))
    total = len(pairs)
    routed_right = [item.queue == reading.queue for item, reading in pairs]
    auto = [right for right, (_item, reading) in zip(routed_right, pairs, strict=True) if reading.auto_routed]
    urgent = [reading.priority == URGENT for item, reading in pairs if item.priority == URGENT]
    flagged_urgent = [item.priority == URGENT for item, reading in pairs if reading.priority == URGENT]
    entities = {
        name: _ratio(
            sum(
                same_entity(name, predicted_entities(reading)[name], item.entities[name])
                for item, reading in pairs
            ),
            total,
        )
        for name in ENTITY_FIELDS
    }
    return {
        "messages": total,
        "routing_accuracy": _ratio(sum(routed_right), total),
        "auto_routed_share": _ratio(len(auto), total),
        "auto_routed_precision": _ratio(sum(auto), len(auto)),
        "suggested_accuracy": _ratio(sum(routed_right) - sum(auto), total - len(auto)),
        "priority_accuracy": _ratio(sum(item.priority == reading.priority for item, reading in pairs), total),
        "urgent_recall": _ratio(sum(urgent), len(urgent)),
        "urgent_precision": _ratio(sum(flagged_urgent), len(flagged_urgent)),
        "urgent_messages": len(urgent),
        "language_accuracy": _ratio(sum(item.language == reading.language for item, reading in pairs), total),
        "entity_accuracy": entities,
        "entity_accuracy_mean": sum(entities.values()) / len(entities),
    }


def summary_lines(name: str, result: Dict[str, Any]) -> List[str]:
    entities = result["entity_accuracy"]
    return [
        f"Triage on the {name} set ({result['messages']} messages)",
        f"  routing accuracy        {result['routing_accuracy']:.3f}",
        f"  auto-routed share       {result['auto_routed_share']:.3f}",
        f"  auto-routed precision   {result['auto_routed_precision']:.3f}",
        f"  suggested, right queue  {result['suggested_accuracy']:.3f}",
        f"  priority accuracy       {result['priority_accuracy']:.3f}",
        f"  urgent recall           {result['urgent_recall']:.3f} (of {result['urgent_messages']}; "
        f"precision {result['urgent_precision']:.3f})",
        f"  language accuracy       {result['language_accuracy']:.3f}",
        "  entity accuracy         "
        + ", ".join(f"{name} {entities[name]:.3f}" for name in ENTITY_FIELDS)
        + f" (mean {result['entity_accuracy_mean']:.3f})",
    ]


def error_lines(labelled: Sequence[Labelled], readings: Sequence[Reading]) -> List[str]:
    """Dev only: each message triage got wrong, with what it read (for tuning)."""
    lines = []
    for item, reading in zip(labelled, readings, strict=True):
        wrong = []
        if item.queue != reading.queue:
            wrong.append(f"queue {reading.queue} (want {item.queue}; p={reading.probability:.2f})")
        if item.priority != reading.priority:
            wrong.append(f"priority {reading.priority} (want {item.priority})")
        if item.language != reading.language:
            wrong.append(f"language {reading.language} (want {item.language})")
        predicted = predicted_entities(reading)
        for name in ENTITY_FIELDS:
            if not same_entity(name, predicted[name], item.entities[name]):
                wrong.append(f"{name} {predicted[name]} (want {item.entities[name]})")
        if wrong:
            votes = ", ".join(
                f"{queue} {share:.2f}" for queue, share in sorted(reading.classification.votes.items())
            )
            lines.append(f"{item.id}: " + "; ".join(wrong) + f" [votes: {votes}]")
    return lines
