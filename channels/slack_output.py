"""Messages to Slack through the Web API's chat.postMessage, within Slack's limits.

Text is Slack mrkdwn with the control characters escaped (channels/markup.py); buttons are Block Kit buttons
(an `actions` block holds at most 25, so more buttons take more blocks instead of turning into text as in
Rasa's connector). The API's base URL comes from SLACK_API_URL, so a local peer can stand in for Slack.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional

from rasa.core.channels.channel import OutputChannel
from slack_sdk.web.async_client import AsyncWebClient

from channels.markup import SLACK_SECTION_MAX_CHARACTERS, parts, slack_escape, slack_mrkdwn

logger = logging.getLogger(__name__)

CHANNEL = "slack"
SENDER_PREFIX = "slack-"
# slack-<team>-<channel>-<user>: the conversation says where its replies go, on any replica.
SENDER = re.compile(r"slack-([A-Z0-9]{2,32})-([A-Z0-9]{2,32})-([A-Z0-9]{2,32})")
BUTTONS_PER_BLOCK = 25  # https://api.slack.com/reference/block-kit/blocks#actions
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000


def sender_id(team: str, channel: str, user: str) -> str:
    return f"{SENDER_PREFIX}{team}-{channel}-{user}"


def slack_channel_of(recipient_id: str) -> str:
    """The Slack channel (a DM or the channel the bot was mentioned in) a conversation answers in."""
    match = SENDER.fullmatch(recipient_id)
    if match is None:
        raise ValueError(f"{recipient_id!r} is not a Slack conversation")
    return match.group(2)


def button_blocks(text: str, buttons: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """A section with the text, then the buttons, 25 to an actions block."""
    elements = [
        {
            "type": "button",
            "action_id": f"frontdesk-button-{index}",
            "text": {"type": "plain_text", "text": str(button.get("title", ""))[:BUTTON_TEXT_MAX] or "-"},
            "value": str(button.get("payload", "")),
        }
        for index, button in enumerate(buttons)
        if len(str(button.get("payload", ""))) <= BUTTON_VALUE_MAX
    ]
    blocks: List[Dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": slack_mrkdwn(text)}}
    ]
    for start in range(0, len(elements), BUTTONS_PER_BLOCK):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"frontdesk-buttons-{start // BUTTONS_PER_BLOCK}",
                "elements": elements[start : start + BUTTONS_PER_BLOCK],
            }
        )
    return blocks


class SlackOutput(OutputChannel):
    """Rasa's output channel for Slack; the recipient is our conversation id, which names the channel."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, client: AsyncWebClient, *, raise_failures: bool = True) -> None:
        super().__init__()
        self.client = client
        # Answering a customer's message, a refused post must not lose the turn (Rasa would not save the
        # tracker, though actions already ran): it is logged. A push from the console raises, so the
        # console knows the reply did not arrive and keeps it on the ticket.
        self.raise_failures = raise_failures

    async def _post(self, recipient_id: str, **fields: Any) -> None:
        try:
            await self.client.chat_postMessage(channel=slack_channel_of(recipient_id), **fields)
        except Exception as exc:
            if self.raise_failures:
                raise
            logger.error("Slack did not take a message for %s: %s", recipient_id, exc)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in parts(text, SLACK_SECTION_MAX_CHARACTERS):
            await self._post(recipient_id, text=slack_mrkdwn(part))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        chunks = parts(text, SLACK_SECTION_MAX_CHARACTERS) or [""]
        for part in chunks[:-1]:
            await self._post(recipient_id, text=slack_mrkdwn(part))
        # `text` is what notifications and screen readers show; the blocks are what the chat shows.
        await self._post(
            recipient_id, text=slack_mrkdwn(chunks[-1]), blocks=button_blocks(chunks[-1], buttons)
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._post(recipient_id, text=slack_escape(image))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        # Only what a message may carry; never another channel than the conversation's own.
        allowed = {key: json_message[key] for key in ("text", "blocks", "attachments") if key in json_message}
        if allowed:
            await self._post(recipient_id, **allowed)


def web_client(token: str, api_url: str, timeout: Optional[int] = 10) -> AsyncWebClient:
    """The Slack Web API client for this bot, at the configured base URL (slack_sdk wants a final slash)."""
    return AsyncWebClient(token=token, base_url=api_url.rstrip("/") + "/", timeout=timeout or 10)
