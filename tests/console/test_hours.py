"""Support hours decide whether the bot says "the team is off now"."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.hours import within_hours


@pytest.mark.parametrize(
    "spec, utc, expected",
    [
        ("", datetime(2026, 11, 29, 3, 0), True),  # no hours set: always staffed
        ("Mon-Fri 09:00-17:00 UTC", datetime(2026, 11, 24, 9, 0), True),  # a Tuesday, opening time
        ("Mon-Fri 09:00-17:00 UTC", datetime(2026, 11, 24, 17, 1), False),
        ("Mon-Fri 09:00-17:00 UTC", datetime(2026, 11, 29, 12, 0), False),  # Sunday
        ("Mon-Fri 09:00-17:00 America/New_York", datetime(2026, 11, 24, 13, 0), False),  # 08:00 there
        ("Mon-Fri 09:00-17:00 America/New_York", datetime(2026, 11, 24, 15, 0), True),
        ("Sat-Sun 00:00-24:00", datetime(2026, 11, 29, 23, 59), True),
        ("Fri-Mon 10:00-12:00", datetime(2026, 11, 30, 11, 0), True),  # wraps over the weekend
    ],
)
def test_within_hours(spec: str, utc: datetime, expected: bool) -> None:
    assert within_hours(spec, utc) is expected


def test_a_malformed_setting_names_the_expected_format() -> None:
    with pytest.raises(ValueError, match="Mon-Fri 09:00-17:00"):
        within_hours("weekdays 9 to 5", datetime(2026, 11, 24, 12, 0))
