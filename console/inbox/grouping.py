"""Near-duplicate messages in one group, so a trainer labels "where's my parcel??" once, not forty times.

Grouping uses words, not the MiniLM sentence embedding the NLU pipeline computes. Measured here (2 busy
cores, 2026-11-30): importing nlu_components.minilm pulls in rasa_patches and TensorFlow (12 s, 860 MB
resident), then the numpy encoder took 7.3 s for 100 messages; the console would carry all that for a list
page, plus a model file (var/models) it does not otherwise need. Words are also what a trainer sees as "the
same message": same normalised text, or a token-set Jaccard similarity of at least 0.8 (the leakage bar of
tools/check_nlu_data.py, so one group never straddles what that check calls distinct).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Dict, FrozenSet, Iterable, Optional, Set, Tuple

SIMILAR = 0.8
_PLACEHOLDER = re.compile(r"\[([A-Z]+)\]")


def normalise(text: str) -> str:
    """Lower case, placeholders as plain words, digits as 0, punctuation dropped, spaces collapsed."""
    lowered = _PLACEHOLDER.sub(lambda match: f" {match.group(1).lower()}_ ", text).lower()
    lowered = re.sub(r"\d+", "0", lowered)
    return " ".join(re.sub(r"[^\w\s]", " ", lowered).split())[:500]


def words(text: str) -> FrozenSet[str]:
    return frozenset(normalise(text).split())


def jaccard(a: FrozenSet[str], b: FrozenSet[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


class GroupIndex:
    """The existing groups by key and by word, to find a new message's group without comparing it to all."""

    def __init__(self, groups: Iterable[Tuple[int, str]] = ()) -> None:
        self.by_key: Dict[str, int] = {}
        self.words: Dict[int, FrozenSet[str]] = {}
        self.by_word: Dict[str, Set[int]] = defaultdict(set)
        for group_id, key in groups:
            self.add(group_id, key)

    def add(self, group_id: int, key: str) -> None:
        self.by_key.setdefault(key, group_id)
        self.words[group_id] = frozenset(key.split())
        for word in self.words[group_id]:
            self.by_word[word].add(group_id)

    def find(self, text: str) -> Optional[int]:
        """The group this text belongs to: same key, else the most similar at Jaccard >= 0.8 (lowest id on a
        tie, so the answer does not depend on set order)."""
        key = normalise(text)
        if key in self.by_key:
            return self.by_key[key]
        mine = frozenset(key.split())
        candidates = set().union(*(self.by_word.get(word, set()) for word in mine)) if mine else set()
        best: Optional[Tuple[float, int]] = None
        for group_id in candidates:
            score = jaccard(mine, self.words[group_id])
            if score >= SIMILAR and (best is None or (-score, group_id) < (-best[0], best[1])):
                best = (score, group_id)
        return best[1] if best else None
