"""make report: one self-contained HTML file with the plots and the hand-worked corpus values."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterable

import pytest

from analytics import report, service
from analytics.consumer import open_store
from tests.analytics.test_metrics import corpus


def report_page(raw_events: Iterable[Dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """`make report` over an analytics store holding these stream events."""
    database_url = f"sqlite:///{tmp_path}/analytics.db"
    sessions = open_store(database_url)
    with sessions() as db_session:
        service.store(raw_events, db_session=db_session)
        db_session.commit()
    monkeypatch.setenv("ANALYTICS_DATABASE_URL", database_url)
    out = tmp_path / "report.html"
    assert report.main(["--out", str(out)]) == 0
    return out.read_text()


def test_report_is_self_contained_and_shows_the_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = report_page([raw for script in corpus() for raw in script.raw], tmp_path, monkeypatch)
    # The unit corpus (tests/analytics/test_metrics.py): 6 bot conversations, 3 of them handed over; its
    # events are from 2023, so every one is settled.
    assert "6 bot conversations; 0 within 24 h" in page
    assert "Containment (bot-handled)</td><td>50.0% (" in page
    assert page.count('src="data:image/png;base64,') == 3
    # Self-contained: nothing fetched from anywhere.
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "my thingy # broke, mail me at &lt;email&gt;" in page
