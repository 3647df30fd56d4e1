"""How much trainers agree: Cohen's kappa over the items two different trainers labelled.

A label's category is its intent (accept, intent, out_of_scope and new_intent all name one) or
"needs_answer". Where an item has more than two labels, the first two trainers to label it count. Overall
kappa is over all categories; per intent it is one-vs-rest (that intent or not), over the same items. Kappa
is undefined (None) where chance agreement is already total, e.g. both trainers always chose one category.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.inbox.models import NEEDS_ANSWER, InboxLabel

Pair = Tuple[str, str]


def cohen_kappa(pairs: Sequence[Pair]) -> Optional[float]:
    if not pairs:
        return None
    total = len(pairs)
    observed = sum(first == second for first, second in pairs) / total
    firsts, seconds = Counter(first for first, _ in pairs), Counter(second for _, second in pairs)
    expected = sum(firsts[category] * seconds[category] for category in firsts) / (total * total)
    if expected >= 1.0:
        return None
    return round((observed - expected) / (1.0 - expected), 4)


def category(label: InboxLabel) -> str:
    return NEEDS_ANSWER if label.kind == NEEDS_ANSWER or not label.intent else str(label.intent)


def doubly_labelled(*, db_session: Session) -> List[Pair]:
    """(first trainer's category, second trainer's category) per item two trainers labelled."""
    by_item: Dict[int, List[InboxLabel]] = defaultdict(list)
    for label in db_session.execute(select(InboxLabel).order_by(InboxLabel.id)).scalars():
        by_item[label.item_id].append(label)
    return [
        (category(labels[0]), category(labels[1]))
        for _, labels in sorted(by_item.items())
        if len(labels) >= 2 and labels[0].trainer != labels[1].trainer
    ]


def agreement(*, db_session: Session) -> Dict[str, Any]:
    pairs = doubly_labelled(db_session=db_session)
    intents = sorted({name for pair in pairs for name in pair if name != NEEDS_ANSWER})
    per_intent = []
    for intent in intents:
        binary = [(first == intent, second == intent) for first, second in pairs]
        per_intent.append(
            {
                "intent": intent,
                "kappa": cohen_kappa([(str(a), str(b)) for a, b in binary]),
                "items": sum(a or b for a, b in binary),
            }
        )
    return {"overall": cohen_kappa(pairs), "items": len(pairs), "per_intent": per_intent}
