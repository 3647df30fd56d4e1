"""Linking a Slack or Telegram account to the customer's profile, only when they ask for it.

After a flow that needed a one-time code, a customer on Slack or Telegram is asked once per conversation
whether to note that account on their profile, so agents see it is them (the console shows linked accounts
beside the profile). A "yes" (typed or the button; action_answer_yes) links it with the verification just
earned; "no" links nothing. A link never verifies anybody: sensitive requests still need a code.
"""

from __future__ import annotations

import logging
from typing import List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.backend import backend
from actions.blocking import off_loop
from actions.conversation import channel_context
from actions.verification import FreshVerification, fresh_verification
from clients.http import ServiceRefused, ServiceUnavailable

logger = logging.getLogger(__name__)

ACTION_LINK_CHANNEL = "action_link_channel"
OFFER = "utter_offer_channel_link"
PLATFORM_NAMES = {"slack": "Slack", "telegram": "Telegram"}


def _offered_before(tracker: Tracker) -> bool:
    return any(
        event.get("event") == "bot" and (event.get("metadata") or {}).get("utter_action") == OFFER
        for event in tracker.events
    )


def offer_channel_link(
    dispatcher: CollectingDispatcher, tracker: Tracker, verification: FreshVerification
) -> None:
    """Ask once per conversation, on Slack or Telegram, unless the account is already linked (blocking)."""
    context = channel_context(tracker)
    if context.channel not in PLATFORM_NAMES or _offered_before(tracker):
        return
    try:
        links = backend().crm.channel_links(verification.customer_id, verification_token=verification.token)
    except (ServiceRefused, ServiceUnavailable) as exc:
        logger.warning("linked accounts unknown, not offering a link: %s", exc)
        return
    if any(link.identity == context.client_address for link in links):
        return
    dispatcher.utter_message(response=OFFER, platform=PLATFORM_NAMES[context.channel])


class ActionLinkChannel(Action):
    """The customer said yes to the offer: link this account with the verification they just earned."""

    def name(self) -> str:
        return ACTION_LINK_CHANNEL

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        context = channel_context(tracker)
        verification: Optional[FreshVerification] = fresh_verification(tracker)
        if context.channel not in PLATFORM_NAMES or verification is None:
            dispatcher.utter_message(response="utter_verification_required")
            return []
        try:
            await off_loop(
                backend().crm.link_channel,
                verification.customer_id,
                context.channel,
                context.client_address,
                verification_token=verification.token,
            )
        except (ServiceRefused, ServiceUnavailable) as exc:
            logger.warning("channel link failed: %s", exc)
            dispatcher.utter_message(response="utter_request_failed")
            return []
        dispatcher.utter_message(response="utter_channel_linked", platform=PLATFORM_NAMES[context.channel])
        return []
