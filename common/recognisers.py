"""The recognisers common/redaction.py runs: each finds spans of one kind of personal data in free text.

A recogniser is a plain callable `(text, context) -> spans`. Patterns come with a check where one exists
(Luhn for cards, mod-97 for IBANs) so that ordinary long numbers (tracking, EAN, bank references) stay.
Person names live in common/person_names.py (cue phrases and a first-name list).

One-time codes: the patterns here are also what `common/transcript.py` masks in transcripts, so the ticket
copy, the console and the learning loop agree on what a code is.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, List, Pattern, Sequence

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


def pattern_spans(pattern: Pattern[str], label: str, text: str, group: int = 0) -> Iterator[Span]:
    for match in pattern.finditer(text):
        if match.group(group):
            yield Span(match.start(group), match.end(group), label)


# --- One-time codes (shared with common/transcript.py) -----------------------------------------------------
# Our codes have 6 digits (backend/identity); in an answer to the code question any 4-8 digit run is one.
ANY_CODE_LIKE = re.compile(r"(?<![\dA-Za-z])\d(?:[ -]?\d){3,7}(?![\dA-Za-z])")
# Not part of a longer number: a phone number ("555 123 4567") or an amount ("1,250.00") is left alone.
SIX_DIGIT_CODE = re.compile(r"(?<![\d.,])(?<!\d[ -])\d{3}[ -]?\d{3}(?![ -]?\d)(?![.,]\d)")
# A message that itself talks about a code makes its short numbers codes too ("the code is 4821"); a promo,
# zip or product code is not that kind of code.
_CODE_WORDS = re.compile(r"\b(?:code|otp|pin|passcode|one[- ]time|verification|verify)\b", re.IGNORECASE)
_OTHER_CODES = re.compile(
    r"\b(?:promo|discount|voucher|coupon|product|zip|postal|post|sort|area|country|gift|bar|qr|colour|color)"
    r"[ -]?codes?\b",
    re.IGNORECASE,
)


def code_spans(text: str, *, code_was_asked: bool) -> List[Span]:
    """Numbers that may be a one-time code: any 4-8 digits when a code is the subject, else 6 digits."""
    pattern = ANY_CODE_LIKE if code_was_asked else SIX_DIGIT_CODE
    return list(pattern_spans(pattern, CODE, text))


def talks_about_a_code(text: str) -> bool:
    return bool(_CODE_WORDS.search(_OTHER_CODES.sub(" ", text)))


# A 6-digit number the message names as something else ("item number 778812", "100043 items").
_NAMED_NUMBER = re.compile(
    r"(?:\b(?:item|article|product|model|case|ticket|ref|reference|sku|part|serial)(?:\s+(?:number|no\.?|#))?"
    r"\s*[:#]?\s*$)",
    re.IGNORECASE,
)
_COUNTED = re.compile(r"^\s+(?:items?|units?|pieces?|pcs|pairs?)\b", re.IGNORECASE)


def codes(text: str, context: Context) -> Iterable[Span]:
    if context.code_was_asked or talks_about_a_code(text):
        return code_spans(text, code_was_asked=True)
    return [
        span
        for span in code_spans(text, code_was_asked=False)
        if not _NAMED_NUMBER.search(text[max(0, span.start - 30) : span.start])
        and not _COUNTED.match(text[span.end :])
    ]


# --- Emails, store identifiers (data/nlu/regex.yml) ---------------------------------------------------------
EMAIL_PATTERN = re.compile(
    r"(?<![A-Za-z0-9._%+'-])[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# The store's order ids: 5 digits starting with 1 (regex.yml `order_id`); invoices INV-2024-0042.
_ORDER = re.compile(r"(?<![\w.,-])1\d{4}(?![\w-]|[.,]\d)")
_INVOICE = re.compile(r"\bINV-\d{4}-\d{4}\b", re.IGNORECASE)


def emails(text: str, _context: Context) -> Iterable[Span]:
    return pattern_spans(EMAIL_PATTERN, EMAIL, text)


def order_numbers(text: str, _context: Context) -> Iterable[Span]:
    return pattern_spans(_ORDER, ORDER, text)


def invoice_numbers(text: str, _context: Context) -> Iterable[Span]:
    return pattern_spans(_INVOICE, INVOICE, text)


# --- Phone numbers ------------------------------------------------------------------------------------------
# Shapes a phone number has and a date, a price or an order number does not: a +country or 00 prefix
# (E.164 included), a bracketed area code, the North American 3-3-4 grouping (with its 1- trunk prefix), a
# leading trunk 0 with 9-12 digits ("07700 900123", "030 1234567"), or 10-11 digits in one run.
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\d{1,3}[ \-]?(?:\(\d{1,4}\)[ \-]?)?\d(?:[ \-]?\d){5,13}"
    r"|(?:\+?1[ \-.]?)?\(\d{2,5}\)[ \-]?\d{3,4}[ \-]?\d{3,4}"
    r"|(?:1[\-. ])?\d{3}[\-. ]\d{3}[\-. ]\d{4}"
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
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{1,4}){3,8}(?![A-Za-z0-9])", re.IGNORECASE)
# Lengths by country (the registry's), so a candidate that ran into the next word is cut to its real length.
_IBAN_LENGTHS = {
    "AD": 24, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
    "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27,
    "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MT": 31, "NL": 18, "NO": 15, "PL": 28, "PT": 25,
    "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "TR": 26, "AE": 23, "SA": 24, "IL": 23,
}  # fmt: skip


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
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
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
        candidate = match.group()
        length = _IBAN_LENGTHS.get(candidate[:2].upper())
        # The end of the candidate after `length` letters and digits (a trailing word may have been taken).
        count, end = 0, None
        for position, char in enumerate(candidate):
            count += char.isalnum()
            if length is not None and count == length:
                end = position + 1
                break
        if length is None:
            end = len(candidate)
        if end is not None and iban_valid(candidate[:end]):
            yield Span(match.start(), match.start() + end, IBAN)


# --- Verification tokens ------------------------------------------------------------------------------------
# Long url-safe or base64 strings with letters and digits interleaved, as verification links, API keys and
# session ids carry. A long word ("internationalisation") has no digits, and a tracking number is letters
# then digits (one switch), so both stay. Signed tokens (JWT) are three such parts joined by dots.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-+])[A-Za-z0-9_\-+]{20,}={0,2}(?![A-Za-z0-9_\-+])")
_SIGNED_TOKEN = re.compile(r"(?<![\w.\-])[A-Za-z0-9_\-]{8,}(?:\.[A-Za-z0-9_\-]{8,}){2}(?![\w\-])")
_CLASS_SWITCH = re.compile(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])")


def _looks_random(value: str) -> bool:
    return len(_CLASS_SWITCH.findall(value)) >= 4


def tokens(text: str, _context: Context) -> Iterable[Span]:
    for match in _TOKEN.finditer(text):
        if _looks_random(match.group()):
            yield Span(match.start(), match.end(), TOKEN)
    for match in _SIGNED_TOKEN.finditer(text):
        if _looks_random(match.group()):
            yield Span(match.start(), match.end(), TOKEN)


# --- Postal addresses ---------------------------------------------------------------------------------------
# A street line (house number, one to four words, a street type; or a continental "Hauptstraße 5" / "12 Rue
# de Rivoli"), then up to three ", town / postcode / STATE ZIP" parts. UK postcodes and "zip 12345" alone
# count too. Without a street type "12 bottles of wine" is no address.
_UK_POSTCODE = r"(?:GIR ?0AA|[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
_STREET_TYPE = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Av|Lane|Ln|Drive|Dr|Close|Court|Ct|Place|Pl|Square|Sq|Way|Boulevard|Blvd"
    r"|Parade|Crescent|Cres|Terrace|Row|Gardens|Grove|Hill|Park|Mews|Highway|Hwy|Parkway|Pkwy|Circle)"
)
# Street names are capitalised ("Queen's", "Pennsylvania", "W") or ordinals ("5th"): "2 days in a row" is
# no address, nor a colour ("2 Olive Green": Green and Walk are left out of the street types).
_WORD = r"(?:[A-ZÀ-ÖØ-Þ][\w'’.-]*|\d{1,3}(?:st|nd|rd|th))"
_UNIT = r"(?:(?:Flat|Apt\.?|Apartment|Unit|Suite|Floor)\s+\w+,?\s+)"
_CONTINENTAL = (
    r"(?:[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm)\s+\d{1,4}[a-z]?"
    r"|\d{1,4}(?:bis|ter)?,?\s+(?:Rue|Avenue|Boulevard|Bd|Place|Quai|Via|Viale|Piazza|Calle|Avenida|Rua|Plaza)"
    r"(?:\s+(?:[A-Za-zÀ-ÿ'’-]+))+?(?=,|\s*$|\s+\d{4,5}\b))"
)
_STREET_LINE = (
    rf"(?:{_UNIT}?(?:\d{{1,5}}[A-Za-z]?\s+)(?:{_WORD}\s+){{0,3}}{_WORD}\s+{_STREET_TYPE}\b\.?"
    rf"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"|{_UNIT}(?:{_WORD}\s+){{0,3}}{_STREET_TYPE}\b"
    rf"|P\.?\s?O\.?\s+Box\s+\d+"
    rf"|{_CONTINENTAL})"
)
_TOWN = r"[A-ZÀ-Ö][a-zà-öø-ÿ'’-]+(?:\s+[A-ZÀ-Ö][a-zà-öø-ÿ'’-]+){0,2}"
_ADDRESS_TAIL = (
    rf"(?:,?\s+(?:{_UK_POSTCODE}\b|[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?\b|\d{{4,5}}\s+{_TOWN}|{_TOWN}))"
)
_ADDRESS = re.compile(rf"(?<![\w-])(?:{_STREET_LINE})(?:{_ADDRESS_TAIL}){{0,3}}")
# Typed in lower case ("9 mecklenburgh square"): only street types that are no everyday word ("row", "way").
_CASELESS_STREET = re.compile(
    r"(?<![\w-])\d{1,5}[a-z]?\s+(?:[a-z][\w'’-]*\s+){1,3}(?:street|road|avenue|lane|drive|boulevard|square|crescent"
    r"|terrace)\b(?:,?\s+(?:apt|flat|unit|suite)\.?\s*\w{1,4}\b)?(?:,?\s+[a-z]+(?:\s+[a-z]{2})?,?\s+\d{5}(?:-\d{4})?\b)?",
    re.IGNORECASE,
)
_POSTCODE_ALONE = re.compile(rf"(?<![\w-]){_UK_POSTCODE}(?![\w-])")
_US_TOWN_LINE = re.compile(rf"\b{_TOWN},\s+[A-Z]{{2}}\s+\d{{5}}(?:-\d{{4}})?\b")
_ZIP_CUE = re.compile(
    r"\b(?:zip|zip code|postcode|post code|postal code)\s*(?:is|:)?\s*(\d{5}(?:-\d{4})?)\b", re.IGNORECASE
)


def addresses(text: str, _context: Context) -> Iterable[Span]:
    for pattern in (_ADDRESS, _CASELESS_STREET, _POSTCODE_ALONE, _US_TOWN_LINE):
        for match in pattern.finditer(text):
            yield Span(match.start(), match.end(), ADDRESS)
    yield from pattern_spans(_ZIP_CUE, ADDRESS, text, group=1)


# --- The customer's own values ------------------------------------------------------------------------------


def _words_pattern(value: str) -> Pattern[str]:
    words = [re.escape(word) for word in value.split()]
    return re.compile(r"(?<!\w)" + r"[\s,]+".join(words) + r"(?!\w)", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)  # the same customer's values come with every line of their conversation
def _known_value_patterns(value: str) -> List[tuple[Pattern[str], str]]:
    value = value.strip()
    if len(value) < 3:
        return []
    if EMAIL_PATTERN.fullmatch(value):
        return [(re.compile(re.escape(value), re.IGNORECASE), EMAIL)]
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 7 and not re.search(r"[A-Za-z]", value):
        # The same digits however they are grouped; the national part alone too (no country code).
        national = digits[-9:]
        spaced = r"[ \-.()]*".join(national)
        return [(re.compile(rf"(?<!\d)(?:\+?\d{{1,3}}[ \-.()]*0?)?{spaced}(?!\d)"), PHONE)]
    if any(ch.isdigit() for ch in value):
        # An address: the whole of it, and each comma-separated part that says something on its own (the
        # street line, "London WC1N 2AD"), however it is cased.
        parts = [part.strip() for part in value.split(",")]
        found = [(_words_pattern(value), ADDRESS)]
        found += [(_words_pattern(part), ADDRESS) for part in parts if len(part) >= 5 and part != value]
        found += [(re.compile(rf"(?<!\w){code}(?!\w)", re.IGNORECASE), ADDRESS) for code in _postcodes(value)]
        return found
    # A name: the whole of it, and a first or last name on its own ("Jane here") is the same person.
    found = [(_words_pattern(value), NAME)]
    found += [
        (re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE), NAME)
        for word in value.split()
        if len(word) >= 3
    ]
    return found


def _postcodes(value: str) -> List[str]:
    return [
        r"\s?".join(re.escape(part) for part in code.split())
        for code in re.findall(_UK_POSTCODE, value.upper())
    ]


def known_values(text: str, context: Context) -> Iterable[Span]:
    for value in context.known_values:
        for pattern, label in _known_value_patterns(value or ""):
            yield from pattern_spans(pattern, label, text)
