"""Triage's quality gate on the held-out set (tests/triage/messages_test.yml: 160 ticket-style messages written
blind, long and multi-paragraph, with quoted replies, forwards, signatures and 12 % in fr/de/es/it/nl), read by
the served model through the shared stack's real Rasa server.

Measured on 2026-11-30 with the model trained that day (20261130-123906-molten-heap) and triage/calibration.json
fitted on the dev set (`python -m triage eval --set test`):

    routing accuracy 0.794, auto-routed share 0.175, auto-routed precision 0.964 (27 of 28), priority accuracy
    0.744, urgent recall 0.778 (14 of 18), language accuracy 1.000, entity accuracy order id 0.988, email 1.000,
    amount 0.925 (mean 0.971)

The bars sit a little under those: room for a few of the 160 messages to change when the model is retrained
(the NLU data keeps growing; the previous model of the same day gave routing 0.800), no room for a real
regression. Auto-routed precision matters most (a wrongly auto-routed ticket waits in the wrong team's queue)
and keeps its bar at 0.9; the share auto-routed may shrink a little, which only costs agents clicks. Urgent
recall has 18 messages behind it: 0.72 allows one more miss (13 of 18). After a retrain, refit the calibration
on dev (`python -m triage calibrate`).
"""

from __future__ import annotations

import pytest

from clients.rasa import RasaClient
from common.settings import ServiceEndpoint
from tools.stack import Stack
from triage.__main__ import caching
from triage.calibration import Calibration
from triage.evaluation import load_set, read_all, set_path, summary, summary_lines

pytestmark = pytest.mark.e2e

BARS = {
    "routing_accuracy": 0.77,
    "auto_routed_share": 0.15,
    "auto_routed_precision": 0.90,
    "priority_accuracy": 0.72,
    "urgent_recall": 0.72,
    "language_accuracy": 0.98,
    "entity_accuracy_mean": 0.95,
}


def test_triage_meets_its_bars_on_the_held_out_set(stack: Stack) -> None:
    rasa = RasaClient.connect(ServiceEndpoint(stack.config.rasa_url, stack.config.rasa_api_token, 2, 30, 2))
    labelled = load_set(set_path("test"))
    assert len(labelled) >= 150
    result = summary(labelled, read_all(labelled, caching(rasa.parse), Calibration.load()))
    print("\n".join(summary_lines("test", result)))
    below = {name: round(result[name], 3) for name, bar in BARS.items() if result[name] < bar}
    assert not below, f"below the bars {BARS}: {below}"
