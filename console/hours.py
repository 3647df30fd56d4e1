"""Support hours such as "Mon-Fri 09:00-17:00 Europe/London": is the team working now?"""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PATTERN = re.compile(
    r"^\s*(\w{3})\s*-\s*(\w{3})\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})(?:\s+(\S+))?\s*$"
)


def parse_hours(spec: str) -> tuple:
    """(first day, last day, opens, closes, zone) or a ValueError naming the expected format."""
    match = PATTERN.match(spec)
    if not match or match.group(1).lower() not in DAYS or match.group(2).lower() not in DAYS:
        raise ValueError(f"SUPPORT_HOURS {spec!r}: expected like 'Mon-Fri 09:00-17:00 Europe/London'")
    first, last = DAYS.index(match.group(1).lower()), DAYS.index(match.group(2).lower())
    opens = time(int(match.group(3)), int(match.group(4)))
    closes_hour = int(match.group(5))
    closes = time.max if closes_hour == 24 else time(closes_hour, int(match.group(6)))
    return first, last, opens, closes, ZoneInfo(match.group(7) or "UTC")


def within_hours(spec: str, now: datetime) -> bool:
    """True when `now` (UTC) falls in the hours; an empty spec means always staffed."""
    if not spec.strip():
        return True
    first, last, opens, closes, zone = parse_hours(spec)
    local = now.replace(tzinfo=timezone.utc).astimezone(zone)
    weekday = local.weekday()
    on_a_working_day = first <= weekday <= last if first <= last else weekday >= first or weekday <= last
    return on_a_working_day and opens <= local.time() <= closes
