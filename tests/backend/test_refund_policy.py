"""The refund policy's boundaries, as a pure function (the HTTP tests cover how it is applied)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.billing.policy import REFUND_WINDOW, decide_refund

NOW = datetime(2026, 6, 1, 12, 0, 0)


def decide(**overrides):
    arguments = dict(
        order_status="delivered",
        delivered_at=NOW - timedelta(days=1),
        order_total_cents=10_000,
        already_refunded_cents=0,
        requested_cents=None,
        now=NOW,
    )
    arguments.update(overrides)
    return decide_refund(**arguments)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({}, "eligible"),
        ({"delivered_at": NOW - REFUND_WINDOW}, "eligible"),
        ({"delivered_at": NOW - REFUND_WINDOW - timedelta(seconds=1)}, "refund_window_expired"),
        ({"order_status": "shipped", "delivered_at": None}, "order_not_delivered"),
        ({"order_status": "placed", "delivered_at": None}, "order_not_delivered"),
        ({"order_status": "cancelled"}, "order_cancelled"),
        ({"already_refunded_cents": 10_000}, "already_refunded"),
        ({"requested_cents": 10_000}, "eligible"),
        ({"requested_cents": 10_001}, "amount_exceeds_refundable"),
        ({"already_refunded_cents": 6_000, "requested_cents": 4_001}, "amount_exceeds_refundable"),
    ],
)
def test_policy_rules(overrides: dict, code: str) -> None:
    decision = decide(**overrides)
    assert decision.code == code
    assert decision.eligible == (code == "eligible")


def test_refundable_amount_accounts_for_earlier_refunds() -> None:
    assert decide(already_refunded_cents=2_500).refundable_cents == 7_500
