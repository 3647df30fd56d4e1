"""/metrics on a real backend process: METRICS_TOKEN required when set, requests labelled by route template
(not by URL, so ids cannot explode the series)."""

from __future__ import annotations

from pathlib import Path

import requests

from tests.support import TOKENS, start_backend, stop_backend

METRICS_TOKEN = "a-long-metrics-token-for-this-test-only"


def test_backend_metrics_need_the_token_and_label_by_route(tmp_path: Path) -> None:
    server = start_backend(
        f"sqlite:///{tmp_path}/backend.db", tmp_path / "backend.log", "sqlite", METRICS_TOKEN=METRICS_TOKEN
    )
    try:
        for ticket_id in (999_991, 999_992, 999_993):
            answer = requests.get(
                f"{server.base_url}/v1/tickets/{ticket_id}",
                headers={"Authorization": f"Bearer {TOKENS['admin']}"},
                timeout=10,
            )
            assert answer.status_code == 404
        url = f"{server.base_url}/metrics"
        assert requests.get(url, timeout=10).status_code == 401
        assert requests.get(url, headers={"Authorization": "Bearer wrong"}, timeout=10).status_code == 401
        granted = requests.get(url, headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10)
        assert granted.status_code == 200
        lines = [
            line
            for line in granted.text.splitlines()
            if line.startswith("frontdesk_http_requests_total{") and 'route="/v1/tickets/{ticket_id}"' in line
        ]
        assert len(lines) == 1 and 'status="404"' in lines[0] and lines[0].endswith(" 3.0"), lines
        assert "/v1/tickets/999991" not in granted.text
    finally:
        stop_backend(server)
