"""How backend values are shown to customers (dates and money), so every flow writes them the same way.

Words that stand in for a missing value come from domain.yml (`utter_phrase_*`), like every other text.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Optional

from rasa_sdk.types import DomainDict


def phrase(domain: DomainDict, name: str) -> str:
    """A fragment of customer-facing text from domain.yml (a response named utter_phrase_*)."""
    return str(domain["responses"][name][0]["text"])


def display_date(iso_timestamp: Optional[str], missing: str) -> str:
    """'21 Nov 2026' from an ISO timestamp; `missing` when the backend has none."""
    if not iso_timestamp:
        return missing
    return datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00")).strftime("%-d %b %Y")


def display_money(amount: Decimal, currency: str) -> str:
    """'59.90 USD'."""
    return f"{amount:.2f} {currency}"
