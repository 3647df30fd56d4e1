"""Personal data out of free text before it is stored anywhere for people to read or a model to learn from.

One redactor for every service: each recogniser finds spans of one kind of personal data and labels them;
where spans overlap the longest wins (a card number is not also three phone numbers), ties go to the
recogniser listed first. Each kept span is replaced by its placeholder, e.g. `[EMAIL]`.

Recognisers are plain callables `(text, context) -> spans`, so another one (a presidio analyser, say) is
added by passing it in: `Redactor([*DEFAULT_RECOGNISERS, presidio_names])`.

One-time codes: the patterns here are also what `common/transcript.py` masks in transcripts, so the ticket
copy, the console and the learning loop agree on what a code is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, List, Optional, Pattern, Sequence

EMAIL = "EMAIL"
PHONE = "PHONE"
CODE = "CODE"
CARD = "CARD"
ORDER = "ORDER"
INVOICE = "INVOICE"
NAME = "NAME"
IBAN = "IBAN"
TOKEN = "TOKEN"
ADDRESS = "ADDRESS"

# --- One-time codes (shared with common/transcript.py) -----------------------------------------------------
# Our codes have 6 digits (backend/identity); in an answer to the code question any 4-8 digit run is one.
ANY_CODE_LIKE = re.compile(r"(?<!\d)\d(?:[ -]?\d){3,7}(?!\d)")
# Not part of a longer number: a phone number ("555 123 4567") or an amount ("1,250.00") is left alone.
SIX_DIGIT_CODE = re.compile(r"(?<![\d.,])(?<!\d[ -])\d{3}[ -]?\d{3}(?![ -]?\d)(?![.,]\d)")
# A message that itself talks about a code makes its short numbers codes too ("the code is 4821").
_CODE_WORDS = re.compile(r"\b(?:code|otp|pin|passcode|one[- ]time|verification|verify)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Context:
    """What a recogniser may know besides the text: the conversation asked for a code; the customer's own
    values from the CRM or the conversation's slots (name, email, phone, address)."""

    code_was_asked: bool = False
    known_values: Sequence[str] = ()


Recogniser = Callable[[str, Context], Iterable[Span]]


def _pattern_spans(pattern: Pattern[str], label: str, text: str, group: int = 0) -> Iterator[Span]:
    for match in pattern.finditer(text):
        if match.group(group):
            yield Span(match.start(group), match.end(group), label)


def code_spans(text: str, *, code_was_asked: bool) -> List[Span]:
    """Numbers that may be a one-time code: any 4-8 digits when a code is the subject, else 6 digits."""
    pattern = ANY_CODE_LIKE if code_was_asked else SIX_DIGIT_CODE
    return list(_pattern_spans(pattern, CODE, text))


def codes(text: str, context: Context) -> Iterable[Span]:
    return code_spans(text, code_was_asked=context.code_was_asked or bool(_CODE_WORDS.search(text)))


# --- Emails, store identifiers (data/nlu/regex.yml) ---------------------------------------------------------
_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# The store's order ids: 5 digits starting with 1 (regex.yml `order_id`); invoices INV-2024-0042.
_ORDER = re.compile(r"(?<![\w.,-])1\d{4}(?![\w-]|[.,]\d)")
_INVOICE = re.compile(r"\bINV-\d{4}-\d{4}\b", re.IGNORECASE)


def emails(text: str, _context: Context) -> Iterable[Span]:
    return _pattern_spans(_EMAIL, EMAIL, text)


def order_numbers(text: str, _context: Context) -> Iterable[Span]:
    return _pattern_spans(_ORDER, ORDER, text)


def invoice_numbers(text: str, _context: Context) -> Iterable[Span]:
    return _pattern_spans(_INVOICE, INVOICE, text)


# --- Phone numbers ------------------------------------------------------------------------------------------
# Shapes a phone number has and a date, a price or an order number does not: a +country or 00 prefix
# (E.164 included), a bracketed area code, the North American 3-3-4 grouping, a leading trunk 0 with 9-12
# digits ("07700 900123", "030 1234567"), or 10-11 digits in one run.
_SEP = r"[ \-.]?"
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[ \-]?(?:\(\d{1,4}\)[ \-]?)?\d(?:[ \-]?\d){5,13}"
    r"|\(\d{2,5}\)[ \-]?\d{3,4}[ \-]?\d{3,4}"
    r"|\d{3}[\-. ]\d{3}[\-. ]\d{4}"
    r"|0\d{2,4}[ \-]?\d(?:[ \-]?\d){4,8}"
    r"|\d{10,11}"
    r")(?![\w])"
)


def phone_numbers(text: str, _context: Context) -> Iterable[Span]:
    for match in _PHONE.finditer(text):
        digits = sum(ch.isdigit() for ch in match.group())
        if 7 <= digits <= 15:
            yield Span(match.start(), match.end(), PHONE)


# --- Payment cards and IBANs (checksums keep ordinary long numbers out) -------------------------------------
_CARD = re.compile(r"(?<![\d-])\d(?:[ \-]?\d){12,18}(?![\d-])")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]{4}){2,7}(?:[ ]?[A-Za-z0-9]{1,4})?(?![A-Za-z0-9])"
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    compact = re.sub(r"\s", "", candidate).upper()
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def card_numbers(text: str, _context: Context) -> Iterable[Span]:
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            yield Span(match.start(), match.end(), CARD)


def ibans(text: str, _context: Context) -> Iterable[Span]:
    for match in _IBAN.finditer(text):
        if iban_valid(match.group()):
            yield Span(match.start(), match.end(), IBAN)


# --- Verification tokens ------------------------------------------------------------------------------------
# Long url-safe strings with letters and digits mixed, as our verification links and API keys carry; a long
# word ("internationalisation") has no digits, so it stays.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-])[A-Za-z0-9_\-]{20,}(?![A-Za-z0-9_\-])")


def tokens(text: str, _context: Context) -> Iterable[Span]:
    for match in _TOKEN.finditer(text):
        value = match.group()
        if any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value):
            yield Span(match.start(), match.end(), TOKEN)


# --- Person names -------------------------------------------------------------------------------------------
_NAME_WORD = r"[A-Z][a-zA-Z'\-]+"
# Capitalised words that follow "I'm" / "this is" without being a name.
_NOT_NAMES = frozenset(
    "Sorry Not So Very Really Just Still Trying Looking Having Getting Calling Writing Here There "
    "The A An It This That Your Our My Frontdesk Customer Support Service Urgent Ok Okay Fine Good Happy "
    "Unhappy Confused Done Back Waiting Interested Unable Able Afraid Sure".split()
)
_INTRODUCTION = re.compile(
    rf"\b(?:[Mm]y name is|[Mm]y name's|[Nn]ame is|[Nn]ame:)\s+(?P<name>[A-Za-z][a-zA-Z'\-]+(?:\s+{_NAME_WORD})?)"
)
_SELF_REFERENCE = re.compile(rf"\b(?:I'm|I am|[Ii]m|[Tt]his is)\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)")
_SIGNATURE = re.compile(
    rf"(?:[Tt]hanks|[Tt]hank you|[Rr]egards|[Cc]heers|[Bb]est|[Kk]ind regards|[Bb]est wishes|[Ss]incerely)"
    rf"\s*[,\-]?\s*\n?\s*(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD})?)\s*[.!]?\s*$"
)
_LOWERCASE_STOP = frozenset("not a an the trying looking having getting calling waiting here".split())


def _name_span(match: re.Match[str]) -> Optional[Span]:
    """The name's leading words, up to the first that is not part of a name ("I'm Jane Not ...")."""
    end = None
    for word in re.finditer(r"\S+", match.group("name")):
        if word.group() in _NOT_NAMES or word.group().lower() in _LOWERCASE_STOP:
            break
        end = match.start("name") + word.end()
    return Span(match.start("name"), end, NAME) if end is not None else None


def person_names(text: str, _context: Context) -> Iterable[Span]:
    for pattern in (_INTRODUCTION, _SELF_REFERENCE, _SIGNATURE):
        for match in pattern.finditer(text):
            span = _name_span(match)
            if span is not None:
                yield span


# --- The customer's own values ------------------------------------------------------------------------------


def _known_value_pattern(value: str) -> Optional[tuple[Pattern[str], str]]:
    value = value.strip()
    if len(value) < 3:
        return None
    if _EMAIL.fullmatch(value):
        return re.compile(re.escape(value), re.IGNORECASE), EMAIL
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7 and not re.search(r"[A-Za-z]", value):
        # The same digits however they are grouped; the national part alone too (no country code).
        national = digits[-9:]
        spaced = r"[ \-.()]*".join(national)
        return re.compile(rf"(?<!\d)(?:\+?\d{{1,3}}[ \-.()]*0?)?{spaced}(?!\d)"), PHONE
    label = ADDRESS if any(ch.isdigit() for ch in value) else NAME
    words = [re.escape(word) for word in value.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE), label


def known_values(text: str, context: Context) -> Iterable[Span]:
    for value in context.known_values:
        compiled = _known_value_pattern(value or "")
        if compiled is None:
            continue
        pattern, label = compiled
        yield from _pattern_spans(pattern, label, text)
        if label == NAME:
            # A first or last name on its own ("Jane here") is the same person.
            for word in value.split():
                if len(word) >= 3:
                    yield from _pattern_spans(
                        re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE), NAME, text
                    )


# Order matters only between spans of equal length: the first recogniser's label wins.
DEFAULT_RECOGNISERS: Sequence[Recogniser] = (
    known_values,
    emails,
    card_numbers,
    ibans,
    invoice_numbers,
    tokens,
    phone_numbers,
    order_numbers,
    codes,
    person_names,
)


def resolve(spans: Iterable[Span]) -> List[Span]:
    """Non-overlapping spans, longest first (ties: the earlier one in `spans`), in text order."""
    ordered = sorted(enumerate(spans), key=lambda item: (-len(item[1]), item[0]))
    kept: List[Span] = []
    for _, span in ordered:
        if len(span) and all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda span: span.start)


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

    def redact(self, text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False) -> str:
        spans = self.find_spans(text, known_values=known_values, code_was_asked=code_was_asked)
        return replace_spans(text, spans, lambda span: placeholder(span.label))


DEFAULT_REDACTOR = Redactor()


def find_spans(text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False) -> List[Span]:
    """The personal data in the text, as labelled spans (non-overlapping, in text order)."""
    return DEFAULT_REDACTOR.find_spans(text, known_values=known_values, code_was_asked=code_was_asked)


def redact(text: str, *, known_values: Sequence[str] = (), code_was_asked: bool = False) -> str:
    """The text with personal data replaced by placeholders such as [EMAIL] or [ORDER]."""
    return DEFAULT_REDACTOR.redact(text, known_values=known_values, code_was_asked=code_was_asked)
