"""Parsing customer text into slot values."""

from __future__ import annotations

import pytest

from actions import values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10042", "10042"),
        ("order #10042", "10042"),
        ("it's 10042.", "10042"),
        ("1004", None),
        ("100420", None),
        ("20042", None),
        ("", None),
    ],
)
def test_order_id(text: str, expected: str | None) -> None:
    assert values.parse_order_id(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jane@Example.COM", "jane@example.com"),
        ("mail me at o.h+shop@mail.example.org please", "o.h+shop@mail.example.org"),
        ("jane at example dot com", None),
        ("jane@", None),
        (["jane@example.com", "jane@example.com"], "jane@example.com"),
    ],
)
def test_email(text, expected) -> None:
    assert values.parse_email(text) == expected


@pytest.mark.parametrize(
    ("text", "allow_full", "expected"),
    [
        ("$25", False, "25.00"),
        ("19.99 dollars", False, "19.99"),
        ("1,250.50", False, "1250.50"),
        ("12,5", False, "12.50"),
        ("everything please", True, "full"),
        ("everything please", False, None),
        ("0", False, None),
        ("-5", False, "5.00"),
        ("a lot", True, None),
    ],
)
def test_amount(text: str, allow_full: bool, expected: str | None) -> None:
    assert values.parse_amount(text, allow_full=allow_full) == expected


def test_invoice_id_and_free_text() -> None:
    assert values.parse_invoice_id("copy of inv-2026-0012 please") == "INV-2026-0012"
    assert values.parse_invoice_id("invoice 12") is None
    assert values.parse_free_text("  too   short ", min_length=10) is None
    assert values.parse_free_text("x" * 5000, min_length=10) == "x" * values.MAX_FREE_TEXT
    # A payload typed or clicked into a free-text question is not an address or a reason.
    assert values.parse_free_text('/inform{"account_field": "address"}', min_length=10) is None
    assert (
        values.parse_free_text("12 Elm Street / Flat 2, Leeds", min_length=10)
        == "12 Elm Street / Flat 2, Leeds"
    )
