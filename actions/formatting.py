"""How backend values are shown to customers (dates and money), so every flow writes them the same way."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional


def display_date(iso_timestamp: Optional[str]) -> str:
    """'21 Nov 2026' from an ISO timestamp; 'unknown' when the backend has none."""
    if not iso_timestamp:
        return "unknown"
    return datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00")).strftime("%-d %b %Y")


def display_money(amount: Decimal, currency: str) -> str:
    """'59.90 USD'."""
    return f"{amount:.2f} {currency}"
