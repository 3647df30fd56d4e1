"""What a ticket carries besides its queue: the order id, email and amount it mentions, its language and
its sentiment.

- Entities come from the model's own extractors (the patterns of data/nlu/regex.yml, run inside Rasa on every
  piece), with the redactor's recognisers (common/recognisers.py) over the whole cleaned text as a second
  look, so a number split across a wrapped line or in a long piece is still found. No pattern is written here.
- Language: lingua, restricted to the six languages customers write to us in (en, fr, de, es, it, nl); fewer
  candidates make it faster and more accurate on short texts.
- Sentiment: VADER's compound score (-1 to 1), for English only: its lexicon and rules are English, and a
  score for French or German text would be a guess dressed as a number. Other languages get no score
  (`sentiment` None, `sentiment_note` saying why), never a neutral 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Dict, List, Optional, Sequence

from common.recognisers import EMAIL_PATTERN, Context, order_numbers
from triage.classify import Classification

LANGUAGES = ("en", "fr", "de", "es", "it", "nl")
# Below this many letters a language guess is noise ("Order 10042?"); the ticket's language is then unknown.
MIN_LETTERS_FOR_LANGUAGE = 12
# VADER's own conventional cut-offs for negative / positive.
NEGATIVE_BELOW = -0.05
POSITIVE_ABOVE = 0.05
_AMOUNT_NUMBER = re.compile(r"\d{1,6}(?:[.,]\d{1,2})?")
# regex.yml's amounts put the currency sign first ("€45"); continental customers write it after ("45,00 €").
_TRAILING_CURRENCY = re.compile(r"(?<![\d.,])\d{1,6}(?:[.,]\d{1,2})?\s?[€£$]")


@dataclass(frozen=True)
class Entities:
    order_ids: List[str]
    emails: List[str]
    amounts: List[str]

    @property
    def order_id(self) -> Optional[str]:
        return self.order_ids[0] if self.order_ids else None

    @property
    def email(self) -> Optional[str]:
        return self.emails[0] if self.emails else None

    @property
    def amount(self) -> Optional[str]:
        return self.amounts[0] if self.amounts else None


def amount_value(text: str) -> Optional[str]:
    """An amount as written ("£45.99", "45,99 €", "30 EUR") as a plain decimal ("45.99"), for comparing."""
    match = _AMOUNT_NUMBER.search(text)
    if not match:
        return None
    try:
        return str(Decimal(match.group(0).replace(",", ".")).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def _in_order(values: List[str], text: str) -> List[str]:
    """Each value once, in the order it first appears in the text (values not in it last)."""
    unique = list(dict.fromkeys(values))
    return sorted(
        unique, key=lambda value: (text.find(value) if value in text else len(text), unique.index(value))
    )


def entities_of(
    classification: Classification,
    subject: str,
    body: str,
    *,
    sender: Optional[str] = None,
    own_domains: Sequence[str] = (),
) -> Entities:
    """Order ids, emails and amounts, as written and in the order written: the body's first, then the
    subject's (a reply's subject names the earlier thread's order, the body the one asked about now).

    Emails are the customer's: the store's own domains are left out, and when the sender's address is among
    those written, it comes first (the customer's own account, not a second address they mention)."""
    found: Dict[str, List[str]] = {"order_ids": [], "emails": [], "amounts": []}
    for text, in_subject in ((body, False), (subject, True)):
        order_ids = classification.entity_values("order_id", in_subject=in_subject) + [
            text[span.start : span.end] for span in order_numbers(text, Context())
        ]
        emails = classification.entity_values("email", in_subject=in_subject) + EMAIL_PATTERN.findall(text)
        amounts = classification.entity_values("amount", in_subject=in_subject) + [
            match.group(0) for match in _TRAILING_CURRENCY.finditer(text)
        ]
        found["order_ids"] += _in_order(order_ids, text)
        found["emails"] += _in_order([email.lower() for email in emails], text.lower())
        found["amounts"] += _in_order([amount.strip() for amount in amounts], text)
    domains = tuple(domain.lower() for domain in own_domains)
    emails = [
        email
        for email in dict.fromkeys(found["emails"])
        if not email.endswith(tuple(f"@{d}" for d in domains))
    ]
    if sender and sender.lower() in emails:
        emails.remove(sender.lower())
        emails.insert(0, sender.lower())
    return Entities(
        order_ids=list(dict.fromkeys(found["order_ids"])),
        emails=emails,
        amounts=list(dict.fromkeys(amount for amount in found["amounts"] if amount_value(amount))),
    )


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(_iso(code)) for code in LANGUAGES]
    return LanguageDetectorBuilder.from_languages(*languages).with_preloaded_language_models().build()


def _iso(code: str) -> Any:
    from lingua import IsoCode639_1

    return getattr(IsoCode639_1, code.upper())


def language_of(text: str) -> Optional[str]:
    """en, fr, de, es, it or nl; None when the text is too short to tell."""
    if sum(character.isalpha() for character in text) < MIN_LETTERS_FOR_LANGUAGE:
        return None
    detected = _detector().detect_language_of(text)
    if detected is None:
        return None
    return str(detected.iso_code_639_1.name).lower()


@lru_cache(maxsize=1)
def _vader() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@dataclass(frozen=True)
class Sentiment:
    score: Optional[float]
    label: Optional[str]
    note: Optional[str] = None


def sentiment_of(text: str, language: Optional[str]) -> Sentiment:
    """VADER's compound score and its label for English; no score for other languages (see module doc)."""
    if language != "en":
        return Sentiment(
            None, None, f"not measured: the sentiment lexicon is English only (language {language})"
        )
    score = float(_vader().polarity_scores(text)["compound"])
    label = "negative" if score < NEGATIVE_BELOW else "positive" if score > POSITIVE_ABOVE else "neutral"
    return Sentiment(round(score, 3), label)


def warm_up() -> None:
    """Load the language models and the lexicon before the first customer waits for them."""
    language_of("Where is my parcel? It should have arrived last week.")
    sentiment_of("Thanks a lot", "en")
