"""The README's metric table is the one generated from analytics/definitions.py."""

from __future__ import annotations

from analytics.definitions import DEFINITIONS, markdown_table
from analytics.metrics import compute
from common.paths import REPO_ROOT


def test_readme_carries_the_generated_table() -> None:
    assert markdown_table() in (REPO_ROOT / "README.md").read_text()


def test_every_defined_metric_is_computed_and_nothing_else() -> None:
    computed = compute([], as_of=0.0)
    assert set(computed.proportions) | set(computed.durations) == {each.key for each in DEFINITIONS}
