"""How much an agent changed a suggestion before sending it: Levenshtein distance in characters.

Replies are up to 2,000 characters, so the textbook table (length x length cells) would cost seconds in
Python on a reply path. This is the bit-parallel form (Myers 1999, as Hyyrö 2001 states it for the distance
between two whole strings): one column of the table is held as two bit vectors of vertical +1/-1 steps, and
each character of the other string updates the whole column with a few integer operations. Python's integers
are as wide as the suggestion, so this is O(len(b)) big-integer steps instead of O(len(a) * len(b)) cells.
"""

from __future__ import annotations

from typing import Dict


def edit_distance(a: str, b: str) -> int:
    """The fewest single-character insertions, deletions and substitutions that turn `a` into `b`."""
    # The common prefix and suffix cost nothing; an edited suggestion usually keeps most of both.
    start = 0
    shortest = min(len(a), len(b))
    while start < shortest and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    pattern, text = a[start:end_a], b[start:end_b]
    if not pattern:
        return len(text)
    if not text:
        return len(pattern)

    width = len(pattern)
    everything = (1 << width) - 1
    last_row = 1 << (width - 1)
    # Where each character occurs in the pattern, one bit per position.
    occurs: Dict[str, int] = {}
    for position, character in enumerate(pattern):
        occurs[character] = occurs.get(character, 0) | (1 << position)

    plus_vertical, minus_vertical = everything, 0  # column 0: distance i at row i, every step +1
    distance = width
    for character in text:
        matches = occurs.get(character, 0)
        crossing = matches | minus_vertical
        diagonal = ((((matches & plus_vertical) + plus_vertical) ^ plus_vertical) | matches) & everything
        plus_horizontal = (minus_vertical | ~(diagonal | plus_vertical)) & everything
        minus_horizontal = plus_vertical & diagonal
        if plus_horizontal & last_row:
            distance += 1
        elif minus_horizontal & last_row:
            distance -= 1
        # Row 0 of the table is 0, 1, 2, ...: its horizontal step is always +1, shifted in at the bottom bit.
        plus_horizontal = ((plus_horizontal << 1) | 1) & everything
        minus_horizontal = (minus_horizontal << 1) & everything
        plus_vertical = (minus_horizontal | ~(crossing | plus_horizontal)) & everything
        minus_vertical = plus_horizontal & crossing
    return distance


def edit_rate(suggestion: str, sent: str) -> float:
    """The distance as a share of the longer text: 0.0 sent as suggested, 1.0 nothing of it kept.

    Divided by the longer text (not the suggestion) so that the rate stays within 0..1 when the agent adds more
    than the suggestion held."""
    longer = max(len(suggestion), len(sent))
    return edit_distance(suggestion, sent) / longer if longer else 0.0
