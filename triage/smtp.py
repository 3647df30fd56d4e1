"""The inbound mail receiver: a real SMTP server (aiosmtpd) that turns every accepted message into a ticket.

What a sending server is told:
- 250 once the ticket exists (so a message is never acknowledged and then lost);
- 550 5.1.1 for a recipient we do not receive mail for (TRIAGE_SMTP_RECIPIENTS), 452 4.5.3 past
  TRIAGE_SMTP_MAX_RECIPIENTS;
- 552 for a message over TRIAGE_SMTP_MAX_BYTES (announced with SIZE, so a server can know before sending);
- 550 5.6.0 for a message that cannot be read (no valid From, no text);
- 450 4.7.1 when one address sends more than TRIAGE_SMTP_RATE_LIMIT;
- 451 4.3.0 while the assistant or the backend is unavailable: the sending server retries later, and the
  retry opens the same ticket at most once (the Message-ID is the idempotency key).

Nothing is relayed and nothing is stored here: the ticket holds the cleaned, redacted text (pipeline.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Optional

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from clients.http import ServiceRefused, ServiceUnavailable
from common.ratelimit import Limiter
from common.triage_settings import TriageSettings
from triage.parsing import UnreadableMessage, parse_email, valid_address
from triage.pipeline import Triage

logger = logging.getLogger(__name__)

ACCEPTED = "250 2.0.0 Message accepted: a support ticket was opened"
UNKNOWN_RECIPIENT = "550 5.1.1 No such mailbox here: this server only receives mail for the support team"
BAD_RECIPIENT = "553 5.1.3 The recipient address is not valid"
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"
RATE_LIMITED = "450 4.7.1 Too many messages from your address; try again later"
TRY_LATER = "451 4.3.0 Support is temporarily unavailable; please try again later"
NOT_TAKEN = "554 5.6.0 The message could not be taken as a support request"


def unreadable(reason: str) -> str:
    return f"550 5.6.0 Message not accepted: {reason}"


class TriageHandler:
    """aiosmtpd's handler: checks each recipient, then triages the message in a worker thread."""

    def __init__(self, triage: Triage, settings: TriageSettings, limiter: Limiter) -> None:
        self.triage = triage
        self.settings = settings
        self.limiter = limiter

    def accepts(self, address: str) -> bool:
        wanted = self.settings.smtp_recipients
        address = address.strip().lower()
        return not wanted or address in wanted or f"@{address.rpartition('@')[2]}" in wanted

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list
    ) -> str:
        if not valid_address(address):
            return BAD_RECIPIENT
        if not self.accepts(address):
            return UNKNOWN_RECIPIENT
        if len(envelope.rcpt_tos) >= self.settings.smtp_max_recipients:
            return TOO_MANY_RECIPIENTS
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        # aiosmtpd types the peer as a string; over TCP it is the (host, port) pair.
        connected: Any = session.peer
        peer = str(connected[0]) if isinstance(connected, tuple) and connected else "unknown"
        if not self.limiter.hit(self.settings.smtp_rate_limit, "triage-smtp", peer):
            return RATE_LIMITED
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="replace")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.process, raw)

    def process(self, raw: bytes) -> str:
        try:
            message = parse_email(raw)
            outcome = self.triage.handle(message)
        except UnreadableMessage as exc:
            return unreadable(str(exc))
        except ServiceUnavailable as exc:
            logger.warning("triage could not open a ticket now: %s", exc)
            return TRY_LATER
        except ServiceRefused as exc:
            logger.error("the backend refused a triaged ticket: %s %s", exc.status, exc.code)
            return TRY_LATER if exc.status == 429 else NOT_TAKEN
        logger.info(
            "email triaged into ticket %s (%s, %s)",
            outcome.ticket_id,
            outcome.reading.queue,
            "auto" if outcome.reading.auto_routed else "suggested",
        )
        return ACCEPTED


class SmtpReceiver:
    """The SMTP server in a thread of its own (aiosmtpd's Controller); start() returns once it listens."""

    def __init__(
        self, handler: TriageHandler, settings: TriageSettings, hostname: Optional[str] = None
    ) -> None:
        self.settings = settings
        self.controller = Controller(
            handler,
            hostname=hostname or settings.smtp_host,
            port=settings.smtp_port,
            data_size_limit=settings.smtp_max_bytes,
            enable_SMTPUTF8=True,
            ident="Frontdesk support intake",
            # A mail exchanger takes mail from anyone and relays nothing: there is no login to offer.
            auth_exclude_mechanism=["LOGIN", "PLAIN"],
            server_hostname=hostname or settings.smtp_host,
        )

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def address(self) -> Any:
        return (self.controller.hostname, self.controller.port)
