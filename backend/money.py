"""Money is stored as integer cents and exchanged as decimal strings with two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel


def to_cents(amount: Decimal) -> int:
    """Convert a decimal amount to integer cents."""
    return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def from_cents(cents: int) -> Decimal:
    """Convert integer cents to a two-place decimal."""
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


class MoneyModel(BaseModel):
    """Base for response schemas with money: amounts leave the API as exact strings like "59.90"."""

    class Config:
        json_encoders = {Decimal: lambda value: f"{value:.2f}"}
