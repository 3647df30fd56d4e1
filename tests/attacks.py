"""The attack ledger: every attack test records what it tried and what got through.

`make audit` runs the tests marked `attack` and prints one line per attack class (tests/conftest.py,
pytest_terminal_summary); `make test` runs them too. Any bypass, enumeration difference, duplicate or
lost handoff fails the test that saw it, so the build fails.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Dict

COUNTERS = ("attempts", "bypasses", "enumeration_differences", "duplicates", "lost_handoffs")


@dataclass
class AttackClass:
    name: str
    attempts: int = 0
    bypasses: int = 0
    enumeration_differences: int = 0
    duplicates: int = 0
    lost_handoffs: int = 0

    @property
    def failed(self) -> bool:
        return any(getattr(self, counter) for counter in COUNTERS[1:])


LEDGER: Dict[str, AttackClass] = {}


def record(
    name: str,
    *,
    attempts: int = 1,
    bypasses: int = 0,
    enumeration_differences: int = 0,
    duplicates: int = 0,
    lost_handoffs: int = 0,
) -> AttackClass:
    """Add to an attack class's counts and return them (tests assert on the totals they care about)."""
    entry = LEDGER.setdefault(name, AttackClass(name))
    entry.attempts += attempts
    entry.bypasses += bypasses
    entry.enumeration_differences += enumeration_differences
    entry.duplicates += duplicates
    entry.lost_handoffs += lost_handoffs
    return entry


def report_lines() -> list:
    width = max((len(name) for name in LEDGER), default=10)
    lines = []
    for entry in sorted(LEDGER.values(), key=lambda item: item.name):
        counts = ", ".join(f"{counter.replace('_', ' ')} {getattr(entry, counter)}" for counter in COUNTERS)
        lines.append(f"{'FAIL' if entry.failed else 'ok  '}  {entry.name:<{width}}  {counts}")
    return lines


def write_json(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(entry) for entry in LEDGER.values()], indent=2))
