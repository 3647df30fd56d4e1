"""How backend values are shown to customers (dates and money), so every flow writes them the same way.

Words that stand in for a missing value come from domain.yml (`utter_phrase_*`), like every other text.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Dict, Optional

from rasa_sdk.types import DomainDict

from actions.backend import settings
from common.texts import responses_of


def phrase(domain: DomainDict, name: str) -> str:
    """A fragment of customer-facing text from domain.yml (a response named utter_phrase_*).

    Rasa may send an action request without the domain (it sends it only when asked to), so the text is
    read from the domain file on disk when the request lacks it.
    """
    text = response_text(domain, name)
    if text is None:
        raise KeyError(f"domain.yml has no response {name}")
    return text


def response_text(domain: DomainDict, name: str) -> Optional[str]:
    """A response's first text, from the request's domain or else the domain file (None if it has none)."""
    variants = (domain.get("responses") or {}).get(name)
    if variants:
        return str(variants[0]["text"])
    return _file_responses().get(name)


def _file_responses() -> Dict[str, str]:
    return responses_of(settings().domain_path)


def display_date(iso_timestamp: Optional[str], missing: str) -> str:
    """'21 Nov 2026' from an ISO timestamp; `missing` when the backend has none."""
    if not iso_timestamp:
        return missing
    return datetime.fromisoformat(iso_timestamp.replace("Z", "+00:00")).strftime("%-d %b %Y")


def display_money(amount: Decimal, currency: str) -> str:
    """'59.90 USD'."""
    return f"{amount:.2f} {currency}"
