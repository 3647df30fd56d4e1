"""Personal data out of free text before it is stored anywhere for people to read or a model to learn from.

One redactor for every service: each recogniser finds spans of one kind of personal data and labels them;
where spans overlap the longest wins (a card number is not also three phone numbers), ties go to the
recogniser listed first. Each kept span is replaced by its placeholder, e.g. `[EMAIL]`.

Recognisers are plain callables `(text, context) -> spans` (common/recognisers.py, person names in
common/person_names.py), so another one is added by passing it in: `Redactor([*DEFAULT_RECOGNISERS, mine])`.
The customer's own values from the CRM (`known_values`) are masked wherever they appear, in any case.

Quality is measured, not assumed: `python -m tools.redaction_eval --set test` prints span precision, recall
and leaked characters per label on a labelled set (tests/privacy/redaction/), and
tests/privacy/test_redaction_quality.py holds the bars.
"""

from __future__ import annotations

import bisect
from typing import Any, Callable, Collection, Iterable, List, Sequence

from common.person_names import person_names
from common.recognisers import (
    ADDRESS,
    ANY_CODE_LIKE,
    CARD,
    CODE,
    EMAIL,
    IBAN,
    INVOICE,
    NAME,
    ORDER,
    PHONE,
    SIX_DIGIT_CODE,
    TOKEN,
    Context,
    Recogniser,
    Span,
    addresses,
    card_numbers,
    code_spans,
    codes,
    emails,
    iban_valid,
    ibans,
    invoice_numbers,
    known_values,
    luhn_valid,
    order_numbers,
    phone_numbers,
    tokens,
)

__all__ = [
    "ADDRESS", "ANY_CODE_LIKE", "CARD", "CODE", "DEFAULT_RECOGNISERS", "DEFAULT_REDACTOR", "EMAIL", "IBAN",
    "INVOICE", "NAME", "ORDER", "PHONE", "SIX_DIGIT_CODE", "TOKEN", "Context", "Recogniser", "Redactor", "Span",
    "addresses", "card_numbers", "code_spans", "codes", "emails", "find_spans", "iban_valid", "ibans",
    "invoice_numbers", "known_values", "luhn_valid", "order_numbers", "person_names", "phone_numbers",
    "STORE_IDENTIFIERS", "placeholder", "redact", "redact_in", "replace_spans", "resolve",
    "tokens",
]  # fmt: skip

# Order matters only between spans of equal length: the first recogniser's label wins.
DEFAULT_RECOGNISERS: Sequence[Recogniser] = (
    known_values,
    emails,
    card_numbers,
    ibans,
    invoice_numbers,
    tokens,
    addresses,
    phone_numbers,
    order_numbers,
    codes,
    person_names,
)


def resolve(spans: Iterable[Span]) -> List[Span]:
    """Non-overlapping spans, longest first (ties: the earlier one in `spans`), in text order."""
    ordered = sorted(enumerate(spans), key=lambda item: (-len(item[1]), item[0]))
    # Kept spans never overlap, so sorted by start their ends are sorted too: a neighbour check suffices.
    starts: List[int] = []
    kept: List[Span] = []
    for _, span in ordered:
        index = bisect.bisect_right(starts, span.start)
        overlaps_before = index > 0 and kept[index - 1].end > span.start
        overlaps_after = index < len(kept) and kept[index].start < span.end
        if len(span) and not overlaps_before and not overlaps_after:
            starts.insert(index, span.start)
            kept.insert(index, span)
    return kept


def placeholder(label: str) -> str:
    return f"[{label}]"


def replace_spans(text: str, spans: Sequence[Span], shown_as: Callable[[Span], str]) -> str:
    """The text with each (non-overlapping) span replaced."""
    parts, position = [], 0
    for span in sorted(spans, key=lambda span: span.start):
        parts.append(text[position : span.start])
        parts.append(shown_as(span))
        position = span.end
    parts.append(text[position:])
    return "".join(parts)


class Redactor:
    """Finds personal data with its recognisers and replaces it with placeholders."""

    def __init__(self, recognisers: Sequence[Recogniser] = DEFAULT_RECOGNISERS) -> None:
        self.recognisers = tuple(recognisers)

    def find_spans(
        self, text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False
    ) -> List[Span]:
        context = Context(code_was_asked=code_was_asked, known_values=tuple(known_values))
        found = [span for recogniser in self.recognisers for span in recogniser(text, context)]
        return resolve(found)

    def redact(
        self,
        text: str,
        *,
        known_values: Sequence[str] = (),
        code_was_asked: bool = False,
        keep: Collection[str] = (),
    ) -> str:
        """The text with each span replaced by its placeholder, except spans whose label is in `keep`: those
        are still found (so an order number is not also read as a code or a phone) but stay as written."""
        spans = self.find_spans(text, known_values=known_values, code_was_asked=code_was_asked)
        return replace_spans(
            text, [span for span in spans if span.label not in keep], lambda span: placeholder(span.label)
        )

    def redact_in(self, value: Any, *, known_values: Sequence[str] = (), keep: Collection[str] = ()) -> Any:
        """Every string inside a JSON-like value redacted (dict keys are the writer's names, left alone)."""
        if isinstance(value, str):
            return self.redact(value, known_values=known_values, keep=keep)
        if isinstance(value, dict):
            return {
                key: self.redact_in(item, known_values=known_values, keep=keep) for key, item in value.items()
            }
        if isinstance(value, list):
            return [self.redact_in(item, known_values=known_values, keep=keep) for item in value]
        return value


DEFAULT_REDACTOR = Redactor()

# The store's own identifiers: never personal data, and what an agent works with (a ticket's transcript, a
# refund's reason). Stores people read pass `keep=STORE_IDENTIFIERS`; the learning loop replaces them too.
STORE_IDENTIFIERS = frozenset({ORDER, INVOICE})


def find_spans(text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False) -> List[Span]:
    """The personal data in the text, as labelled spans (non-overlapping, in text order)."""
    return DEFAULT_REDACTOR.find_spans(text, known_values=known_values, code_was_asked=code_was_asked)


def redact(
    text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False, keep: Collection[str] = ()
) -> str:
    """The text with personal data replaced by placeholders such as [EMAIL] or [ORDER] (not the labels in
    `keep`, e.g. STORE_IDENTIFIERS)."""
    return DEFAULT_REDACTOR.redact(text, known_values=known_values, code_was_asked=code_was_asked, keep=keep)


def redact_in(value: Any, *, known_values: Sequence[str] = (), keep: Collection[str] = ()) -> Any:
    """Every string inside a JSON-like value (a ticket's details) redacted."""
    return DEFAULT_REDACTOR.redact_in(value, known_values=known_values, keep=keep)
