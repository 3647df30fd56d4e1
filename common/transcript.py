"""A Rasa conversation as people read it: who said what, when, with no secret in it.

Shared by the action server (the transcript copied to a ticket) and the console (the live chat an agent
reads), so that both show the same thing:
- a one-time code the customer typed never leaves the tracker: the answer to a code question is masked, and so
  is any stand-alone 6-digit number (our codes' length; order numbers have 5 digits);
- nor does a card number, an IBAN or a verification token (a link's token), in any line: they are replaced
  by the redactor's placeholders ([CARD], [IBAN], [TOKEN]). Emails, phones and names stay in the live
  conversation: the agent replies to this person. The copy stored on a ticket goes further: the backend runs
  every message and detail through the whole redactor (backend/tickets/service.py);
- a button the customer clicked reads as the button's title ("Yes, connect me"), not its payload
  (`/request_human`, `/faq{"faq_topic": "delivery_times"}`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, Iterator, Optional

from common.redaction import (
    CODE,
    Redactor,
    Span,
    card_numbers,
    code_spans,
    ibans,
    placeholder,
    replace_spans,
    resolve,
    tokens,
)

# The slot a form asks for while it waits for a one-time code (actions/slots.py VERIFICATION_CODE).
CODE_SLOT = "verification_code"
CODE_SHOWN_AS = "••••••"


@dataclass(frozen=True)
class Line:
    author: str  # "customer", "bot" or "agent"
    text: str
    timestamp: float
    agent: Optional[str] = None
    # A file the customer sent (channels/attachments.py): its id, as the channel's metadata named it.
    attachment_id: Optional[str] = None


def mask_codes(text: str, *, code_was_asked: bool) -> str:
    """The text with anything that may be a one-time code replaced."""
    # What a code looks like is common/redaction.py's (6 digits; any 4-8 digits answering the code question).
    return replace_spans(text, code_spans(text, code_was_asked=code_was_asked), lambda _span: CODE_SHOWN_AS)


# The redactor's recognisers for secrets that are never an agent's business (the one redactor, a subset).
_SECRETS = Redactor([card_numbers, ibans, tokens])


def _shown_as(span: Span) -> str:
    return CODE_SHOWN_AS if span.label == CODE else placeholder(span.label)


def redact_secrets(text: str, *, codes: bool = True, code_was_asked: bool = False) -> str:
    """The text without card numbers, IBANs or tokens, and without one-time codes if `codes` (what a
    customer typed: bots, agents and the backend's own notes quote 6-digit order and ticket numbers)."""
    found = (code_spans(text, code_was_asked=code_was_asked) if codes else []) + _SECRETS.find_spans(text)
    # Longest wins: a card number's 6-digit run is part of the card, not a code.
    return replace_spans(text, resolve(found), _shown_as)


def button_title(payload: str, offered: Iterable[Dict[str, Any]]) -> Optional[str]:
    """The title of the offered button whose payload the customer sent, if one was offered."""
    for button in offered:
        if str(button.get("payload") or "").strip() == payload.strip():
            return str(button.get("title") or "") or None
    return None


def conversation_lines(events: Iterable[Dict[str, Any]]) -> Iterator[Line]:
    """Customer, bot and agent messages in order, as people should read them."""
    requested_slot: Optional[str] = None
    offered: list[Dict[str, Any]] = []
    for event in events:
        kind = event.get("event")
        if kind == "slot" and event.get("name") == "requested_slot":
            requested_slot = event.get("value")
        elif kind == "active_loop" and not event.get("name"):
            requested_slot = None
        elif kind == "bot":
            offered = list((event.get("data") or {}).get("buttons") or [])
            if event.get("text"):
                agent = (event.get("metadata") or {}).get("agent")
                yield Line(
                    "agent" if agent else "bot",
                    redact_secrets(event["text"], codes=False),
                    _time(event),
                    agent,
                )
        elif kind == "user" and event.get("text"):
            text = str(event["text"])
            if text.startswith("/"):
                # A payload the customer did not click (typed, or a stale button) is shown as it came.
                text = button_title(text, offered) or text
            attachment = (event.get("metadata") or {}).get("attachment")
            attachment_id = attachment.get("id") if isinstance(attachment, dict) else None
            yield Line(
                "customer",
                redact_secrets(text, code_was_asked=requested_slot == CODE_SLOT),
                _time(event),
                attachment_id=attachment_id if isinstance(attachment_id, str) else None,
            )


def _time(event: Dict[str, Any]) -> float:
    return float(event.get("timestamp") or 0)
