"""Parsing of what customers type into clean slot values; None means "not a valid value"."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Dict, Optional

from actions import slots

EMAIL_PATTERN = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
ORDER_ID_PATTERN = re.compile(r"(?<![\d.])(1\d{4})(?!\d|[.,]\d)")
INVOICE_ID_PATTERN = re.compile(r"\bINV-\d{4}-\d{4}\b", re.IGNORECASE)
AMOUNT_PATTERN = re.compile(r"(\d{1,7}(?:[.,]\d{1,2})?)")
FULL_AMOUNT_WORDS = ("full", "all", "everything", "whole", "entire", "total")
# The amount slot's value for "everything that can still be refunded".
FULL_AMOUNT = "full"
MAX_FREE_TEXT = 2000
# The backend keeps a refund's reason up to this length.
MAX_REASON = 500
QUESTION_OPENERS = (
    "how",
    "what",
    "what's",
    "whats",
    "which",
    "when",
    "why",
    "where",
    "who",
    "can",
    "could",
    "do",
    "does",
    "did",
    "is",
    "are",
    "was",
    "will",
    "would",
    "may",
    "should",
)


def as_text(value: Any) -> str:
    """Slot values may arrive as lists when two extractors agree; use the first."""
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


def parse_email(value: Any) -> Optional[str]:
    """The first email address in the value, lower-cased."""
    match = EMAIL_PATTERN.search(as_text(value))
    return match.group(0).lower() if match and len(match.group(0)) <= 320 else None


def parse_order_id(value: Any) -> Optional[str]:
    """A 5-digit order number starting with 1, as text."""
    match = ORDER_ID_PATTERN.search(as_text(value))
    return match.group(1) if match else None


def parse_invoice_id(value: Any) -> Optional[str]:
    """An invoice number like INV-2026-0001, upper-cased."""
    match = INVOICE_ID_PATTERN.search(as_text(value))
    return match.group(0).upper() if match else None


def parse_amount(value: Any, *, allow_full: bool) -> Optional[str]:
    """A positive amount with up to two decimals as text, or "full" for the whole refundable amount."""
    text = as_text(value).strip().lower()
    if allow_full and any(re.search(rf"\b{word}\b", text) for word in FULL_AMOUNT_WORDS):
        return FULL_AMOUNT
    match = AMOUNT_PATTERN.search(text.replace(",", "") if re.search(r"\d,\d{3}", text) else text)
    if not match:
        return None
    try:
        amount = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        return None
    if amount <= 0 or amount > Decimal("100000"):
        return None
    return f"{amount.quantize(Decimal('0.01'))}"


def parse_phone(value: Any) -> Optional[str]:
    """A phone number (7 to 15 digits, an optional leading +, spaces, dashes, dots, brackets), as typed."""
    text = as_text(value).strip()
    match = re.search(r"\+?\(?\d[\d\s().-]{5,20}\d", text)
    if not match or "@" in text:
        return None
    digits = re.sub(r"\D", "", match.group(0))
    return match.group(0).strip() if 7 <= len(digits) <= 15 else None


def parse_verification_code(value: Any) -> Optional[str]:
    """Six digits, spaces or dashes between them allowed ("123 456")."""
    digits = re.sub(r"[\s-]", "", as_text(value))
    return digits if re.fullmatch(r"\d{6}", digits) else None


def is_question(value: Any) -> bool:
    """Whether a message asks something ("how much did I pay?") rather than answers."""
    text = as_text(value).strip().lower()
    words = re.findall(r"[a-z']+", text)
    return text.endswith("?") or bool(words and words[0] in QUESTION_OPENERS)


def has_digits(value: Any) -> bool:
    return bool(re.search(r"\d", as_text(value)))


def parse_free_text(value: Any, *, min_length: int) -> Optional[str]:
    """Trimmed free text of a sensible length. A button payload or a typed intent command
    ("/inform{...}") reaches a form as text too: it is never an answer (an address, a reason)."""
    text = " ".join(as_text(value).split())
    if len(text) < min_length or text.startswith("/"):
        return None
    return text[:MAX_FREE_TEXT]


RATING_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def parse_rating(value: Any) -> Optional[int]:
    """A satisfaction rating from 1 to 5: a digit ("4", "4/5"), a word ("four") or stars ("★★★★")."""
    text = as_text(value).strip().lower()
    stars = text.count("\u2605") + text.count("\u2b50")
    if 1 <= stars <= 5 and not re.search(r"\d", text):
        return stars
    digits = re.findall(r"(?<![\d.])(\d+)(?![\d.])", text)
    if digits:
        rating = int(digits[0])
        return rating if 1 <= rating <= 5 else None
    words = [RATING_WORDS[word] for word in re.findall(r"[a-z]+", text) if word in RATING_WORDS]
    return words[0] if len(words) == 1 else None


# The one registry from slot to parser: what counts as a value for each slot customers fill by typing.
# Forms adapt two of them (email may be a phone number, amount may be "full"; actions/forms.py).
SLOT_PARSERS: Dict[str, Callable[[Any], Any]] = {
    slots.ORDER_ID: parse_order_id,
    slots.EMAIL: parse_email,
    slots.VERIFICATION_CODE: parse_verification_code,
    slots.CSAT_RATING: parse_rating,
    slots.AMOUNT: lambda value: parse_amount(value, allow_full=False),
    slots.INVOICE_ID: parse_invoice_id,
}
