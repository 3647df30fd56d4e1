"""Handoff to a person: the ticket with full context, the pause while a person has the conversation,
an honest expected wait, and the bot's return (anything else? then a 1-5 rating) when the agent resolves.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import handoff_queue, slots
from actions.backend import backend, support_desk
from actions.blocking import off_loop
from actions.conversation import latest_message_id
from actions.handoff_brief import brief
from actions.idempotency import idempotency_key
from actions.transcript import summary, transcript
from actions.values import parse_email
from actions.verification import fresh_verification
from clients.backend.ticketing import NewTicket
from clients.console import Availability
from clients.http import ServiceRefused, ServiceUnavailable
from common.masking import mask_email
from common.vocabulary import ACTION_HANDOFF_RESOLVED

logger = logging.getLogger(__name__)

URGENT_REASONS = (slots.REASON_SENSITIVE_TOPIC,)
HIGH_PRIORITY_REASONS = (slots.REASON_BACKEND_UNAVAILABLE, slots.REASON_VERIFICATION_FAILED)
# What the customer hears first, per reason; the rest (ticket, wait) is the same for all.
REASON_OPENERS = {
    slots.REASON_SENSITIVE_TOPIC: "utter_handoff_sensitive_topic",
    slots.REASON_ESCALATION_LOOP: "utter_handoff_escalation_loop",
}


def handoff_reason(tracker: Tracker) -> str:
    """Why this handoff happens: set by the action that decided it, else inferred from the message."""
    reason = tracker.get_slot(slots.HANDOFF_REASON)
    if reason in slots.HANDOFF_REASONS:
        return reason
    if (tracker.latest_message.get("intent") or {}).get("name") == "sensitive_topic":
        return slots.REASON_SENSITIVE_TOPIC
    return slots.REASON_USER_REQUESTED


def reason_recorded(reason: str) -> List[EventType]:
    """The reason this handoff used, written into the conversation (the analytics stream reads it there,
    inferred reasons included), then cleared so the next handoff decides afresh."""
    return [SlotSet(slots.HANDOFF_REASON, reason), SlotSet(slots.HANDOFF_REASON, None)]


def priority_for(reason: str) -> str:
    """Sensitive topics jump the queue; failures on our side come next."""
    if reason in URGENT_REASONS:
        return "urgent"
    return "high" if reason in HIGH_PRIORITY_REASONS else "normal"


def customer_email(tracker: Tracker) -> Optional[str]:
    """The email the customer gave or verified in this conversation, if any (a claim until verified)."""
    return parse_email(tracker.get_slot(slots.VERIFIED_CONTACT)) or parse_email(tracker.get_slot(slots.EMAIL))


def current_availability(ticket_id: int) -> Optional[Availability]:
    """The console's view of the queue, or None when it can't be asked (then no wait time is promised)."""
    try:
        return support_desk().availability(ticket_id)
    except (ServiceUnavailable, ServiceRefused, KeyError, TypeError, ValueError) as exc:
        logger.warning("agent availability unknown: %s", exc)
        return None


def tell_what_happens_next(
    dispatcher: CollectingDispatcher,
    ticket_id: int,
    verified_email: Optional[str],
    availability: Optional[Availability],
) -> None:
    """The expected wait, or an honest "nobody is free", and how a late reply will reach the customer.

    Replies go by email only to an address the customer verified: a typed one could be anybody's.
    """
    if availability is None:
        dispatcher.utter_message(response="utter_handoff_created", ticket_id=ticket_id)
    elif not availability.within_hours:
        dispatcher.utter_message(response="utter_handoff_after_hours", ticket_id=ticket_id)
    elif availability.agents_available == 0:
        dispatcher.utter_message(response="utter_handoff_no_agent", ticket_id=ticket_id)
    else:
        dispatcher.utter_message(
            response="utter_handoff_wait",
            ticket_id=ticket_id,
            wait_minutes=availability.estimated_wait_minutes,
        )
    if verified_email:
        dispatcher.utter_message(
            response="utter_handoff_reply_by_email", masked_email=mask_email(verified_email)
        )
    else:
        dispatcher.utter_message(response="utter_handoff_keep_chat_open")


class ActionHandoff(Action):
    """Hand the conversation to a person and pause the bot until they resolve it.

    If ticketing is down the ticket waits in the local queue and is delivered when it recovers; the bot
    is not paused then, because no agent can see the conversation yet (claiming it pauses it).
    """

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        return await self.hand_over(dispatcher, tracker, handoff_reason(tracker))

    async def hand_over(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, reason: str
    ) -> List[EventType]:
        """Open (or queue) the handoff ticket for `reason` and tell the customer what happens next."""
        email = customer_email(tracker)
        # Only a verification earned in this channel session links the account; a typed email stays a claim.
        verification = fresh_verification(tracker)
        context = summary(tracker)
        context["verification"] = {
            "verified": verification is not None,
            "contact": tracker.get_slot(slots.VERIFIED_CONTACT) if verification else None,
        }
        context["brief"] = brief(
            tracker.events,
            reason=reason,
            verified=verification is not None,
            contact=context["verification"]["contact"],
            typed_email=email,
        ).as_dict()
        ticket = NewTicket(
            subject=context["brief"]["subject"],
            category="handoff",
            priority=priority_for(reason),
            customer_id=verification.customer_id if verification else None,
            customer_email=email,
            conversation_id=tracker.sender_id,
            details={"escalation_reason": reason, "summary": context},
            messages=transcript(tracker),
        )
        # From the customer's message: a resend of the same message after a crash finds the same ticket.
        key = idempotency_key(tracker, "handoff", reason, latest_message_id(tracker))
        opener = REASON_OPENERS.get(reason)
        if opener:
            dispatcher.utter_message(response=opener)
        try:
            ticket_id = await off_loop(
                backend().ticketing.create_ticket,
                ticket,
                idempotency_key=key,
                verification_token=verification.token if verification else None,
            )
        except (ServiceUnavailable, ServiceRefused) as exc:
            logger.warning("handoff queued for delivery: %s", exc)
            # Queued without the account link: the token would expire in the queue anyway.
            ticket.customer_id = None
            await off_loop(handoff_queue.pending_handoffs().put, key, ticket)
            dispatcher.utter_message(response="utter_handoff_queued")
            return [*reason_recorded(reason)]
        availability = await off_loop(current_availability, ticket_id)
        tell_what_happens_next(dispatcher, ticket_id, email if verification else None, availability)
        return [
            *reason_recorded(reason),
            SlotSet(slots.HANDOFF_TICKET_ID, str(ticket_id)),
            ConversationPaused(),
        ]


class ActionHandoffResolved(Action):
    """Run by the console when an agent resolves: the bot is back, asks if there's anything else and
    for a 1-5 rating (the CSAT form; its answer is stored on the ticket by action_store_csat)."""

    def name(self) -> str:
        return ACTION_HANDOFF_RESOLVED

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_handoff_resolved")
        if not tracker.get_slot(slots.HANDOFF_TICKET_ID):
            return []
        dispatcher.utter_message(response="utter_ask_csat_form_csat_rating")
        return [
            SlotSet(slots.CSAT_RATING, None),
            ActiveLoop("csat_form"),
            SlotSet(slots.REQUESTED_SLOT, slots.CSAT_RATING),
        ]
