"""One message through triage: cleaned, classified, enriched, given a priority and a queue, then opened as a
ticket in the backend, routed or suggested.

`read_message` is the whole reading with no side effect but the NLU calls (the evaluation runs it alone);
`Triage.handle` adds the backend: the possible match and the ticket.

What the ticket keeps (the backend redacts every message, subject and detail once more with its recognisers
and the CRM's values, keeping order and invoice numbers, as for the bot's tickets):
- one customer message: the cleaned text only, never the quoted thread, signature or disclaimer;
- the address masked (the backend masks an unverified ticket's address) and no customer id;
- `details.triage`: route (auto or suggested), queue, intent, calibrated confidence, priority and why, language,
  sentiment, entities (order id and amount as written, any email masked) and the possible-match note.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from clients.backend.ticketing import NewTicket, TicketingClient, TicketMessage
from common.masking import mask_email
from common.triage_settings import own_domains
from triage.calibration import Calibration
from triage.classify import Classification, Parse, classify
from triage.cleaning import clean_body, pieces
from triage.enrich import Entities, Sentiment, amount_value, entities_of, language_of, sentiment_of
from triage.lexicon import language_votes, privacy_votes
from triage.matching import PossibleMatch, SenderMatcher
from triage.parsing import InboundMessage
from triage.priority import priority_of
from triage.routing import CATEGORY_OF_QUEUE, PRIVACY, TRIAGE_CATEGORY

# The model reads English; a message in another language is never auto-routed on its reading.
ROUTABLE_LANGUAGES = ("en", None)
NO_SUBJECT = "(no subject)"


@dataclass(frozen=True)
class Reading:
    """Everything triage concluded about one message."""

    cleaned: str
    classification: Classification
    entities: Entities
    language: Optional[str]
    sentiment: Sentiment
    priority: str
    priority_reasons: List[str]
    probability: float
    auto_routed: bool
    route_reasons: List[str] = field(default_factory=list)

    @property
    def queue(self) -> str:
        return self.classification.queue


def read_message(
    message: InboundMessage, parse: Parse, calibration: Calibration, threshold: Optional[float] = None
) -> Reading:
    # A message that is nothing but a closing ("Thanks!") or a quote keeps its own words rather than none.
    cleaned = clean_body(message.body) or message.body.strip()
    subject = message.subject.strip()
    language = language_of(cleaned or subject)
    # The model reads English: another language's ticket is sorted by its words alone (lexicon.py).
    english = language in ROUTABLE_LANGUAGES
    text = f"{subject}\n{cleaned}"
    privacy = privacy_votes(text)
    words = ({PRIVACY: privacy} if privacy else {}) if english else language_votes(language or "", text)
    classification = classify(subject, pieces(cleaned), parse, words, model_votes=english)
    sentiment = sentiment_of(cleaned or subject, language)
    entities = entities_of(classification, subject, cleaned, sender=message.sender, own_domains=own_domains())
    amount = amount_value(entities.amount) if entities.amount else None
    priority, priority_reasons = priority_of(
        classification,
        f"{subject}\n{cleaned}",
        sentiment=sentiment.score,
        order_id=entities.order_id,
        amount=float(amount) if amount else None,
    )
    probability = calibration.probability(classification)
    needed = calibration.threshold if threshold is None else threshold
    reasons = []
    if probability < needed:
        reasons.append(f"confidence {probability:.2f} below {needed:.2f}")
    if language not in ROUTABLE_LANGUAGES:
        reasons.append(f"written in {language}; the model reads English")
    return Reading(
        cleaned=cleaned,
        classification=classification,
        entities=entities,
        language=language,
        sentiment=sentiment,
        priority=priority,
        priority_reasons=priority_reasons,
        probability=probability,
        auto_routed=not reasons,
        route_reasons=reasons,
    )


def triage_details(reading: Reading, channel: str, match: PossibleMatch) -> Dict[str, Any]:
    entities = reading.entities
    sentiment: Dict[str, Any] = {"score": reading.sentiment.score, "label": reading.sentiment.label}
    if reading.sentiment.note:
        sentiment["note"] = reading.sentiment.note
    return {
        "channel": channel,
        "triage": {
            "route": "auto" if reading.auto_routed else "suggested",
            "queue": reading.queue,
            "why_not_auto": reading.route_reasons,
            "intent": reading.classification.intent,
            "confidence": round(reading.probability, 3),
            "votes": reading.classification.votes,
            "priority": reading.priority,
            "priority_reasons": reading.priority_reasons,
            "language": reading.language,
            "sentiment": sentiment,
            "entities": {
                "order_id": entities.order_id,
                "email": mask_email(entities.email) if entities.email else None,
                "amount": entities.amount,
            },
            "possible_match": match.as_details(),
        },
    }


def idempotency_key(message: InboundMessage) -> str:
    """The same message delivered twice (an SMTP retry, a double-clicked form) opens one ticket."""
    identity = message.message_id or f"{message.sender}\n{message.subject}\n{message.body}"
    return "triage-" + hashlib.sha256(f"{message.channel}\n{identity}".encode()).hexdigest()[:48]


@dataclass(frozen=True)
class Outcome:
    ticket_id: int
    reading: Reading


class Triage:
    """Reads a message and opens its ticket; the NLU and backend calls raise the clients' errors."""

    def __init__(
        self,
        parse: Parse,
        tickets: TicketingClient,
        matcher: SenderMatcher,
        calibration: Calibration,
        threshold: Optional[float] = None,
    ) -> None:
        self.parse = parse
        self.tickets = tickets
        self.matcher = matcher
        self.calibration = calibration
        self.threshold = threshold

    def handle(self, message: InboundMessage) -> Outcome:
        reading = read_message(message, self.parse, self.calibration, self.threshold)
        match = self.matcher.match(message.sender, reading.entities.order_id)
        subject = message.subject.strip() or (reading.cleaned.split("\n", 1)[0][:80] or NO_SUBJECT)
        ticket = NewTicket(
            subject=subject,
            category=CATEGORY_OF_QUEUE[reading.queue] if reading.auto_routed else TRIAGE_CATEGORY,
            priority=reading.priority,
            # A claim: the backend keeps it masked and never links it to an account (matching.py).
            customer_email=message.sender,
            details=triage_details(reading, message.channel, match),
            messages=[TicketMessage("customer", reading.cleaned or message.subject)],
        )
        ticket_id = self.tickets.create_ticket(ticket, idempotency_key=idempotency_key(message))
        return Outcome(ticket_id, reading)
