"""`make bench` keeps the serving throughput ratio first: the long-conversation and capacity parts come after
it, each with its wall time (checked with every part replaced by a stand-in, so it runs in a second)."""

from __future__ import annotations

from typing import Dict, List

import pytest

from bench import capacity, long_conversations, run


def part(title: str) -> List[Dict]:
    return [{"title": title, "rows": [{"x": 1}], "columns": ["x"]}]


def test_the_ratio_comes_first_then_long_conversations_then_capacity(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def serving_sections(baseline: object) -> List[Dict]:
        print("THROUGHPUT RATIO stand-in")
        return part("ratio") + part("serving")

    monkeypatch.setattr(run, "serving_sections", serving_sections)
    monkeypatch.setattr(long_conversations, "run", lambda: part("long"))
    monkeypatch.setattr(capacity, "run", lambda: part("capacity"))
    monkeypatch.setattr(run.training, "run", lambda logs: [])
    monkeypatch.setattr(run.nlu, "compare", lambda *args: [])
    monkeypatch.setattr(run, "knowledge_section", lambda: part("knowledge")[0])
    sections = run.bench(None)
    titles = [section["title"] for section in sections]
    assert titles[:4] == ["ratio", "serving", "long", "capacity"]
    assert sections[2]["intro"].startswith("This part:") and sections[3]["intro"].startswith("This part:")
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "THROUGHPUT RATIO stand-in"
