"""The Slack channel (same URL as Rasa's: /webhooks/slack/webhook): signed, deduplicated, guarded.

- Every request must carry Slack's signature (HMAC-SHA256 of `v0:<timestamp>:<body>` with the app's signing
  secret) and a timestamp within SLACK_REPLAY_WINDOW_SECONDS (5 minutes): forged, unsigned and replayed
  requests get 401 and never reach NLU.
- Slack retries an event it thinks we missed, with the same event_id; it also sends one message as both
  `app_mention` and `message` when the app subscribes to both. Each event id and each message (channel and
  ts) is handled once, across replicas when CHANNEL_STATE_REDIS_URL is set (common/dedup.py). Edits
  (`message_changed`) are not new messages.
- The 200 goes back at once; the message is handled afterwards (channels/webhooks.py), so a slow turn never
  makes Slack retry, and our failures never become a 500.
- Direct messages (message.im), mentions (app_mention) and button clicks (block_actions, posted to the same
  URL as the app's interactivity Request URL) are handled; everything else is acknowledged and ignored.
- A Slack user is not a verified customer: the conversation is `slack-<team>-<channel>-<user>`, stamped
  with the channel and the Slack user (common/channel_context.py), and sensitive actions still need a code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import time
from typing import Any, Awaitable, Callable, Dict, Optional
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import MessageGuard
from channels.slack_output import CHANNEL, SlackOutput, sender_id, web_client
from channels.webhooks import PLATFORM_MAX_BODY_BYTES, Background, error, json_object, mapping, refused
from common.channel_context import ChannelContext
from common.dedup import channel_state
from common.settings import ChannelSettings, PlatformSettings, channel_settings, run_id, slack_settings

logger = logging.getLogger(__name__)

SLACK_ID = re.compile(r"[A-Z0-9]{2,32}")
# Slack writes links, emails, mentions and channel names as <...> sequences in the text it sends.
LABELLED = re.compile(r"<(?:mailto:|https?://|#)[^|>]*\|([^>]*)>")
BARE_LINK = re.compile(r"<((?:https?://|mailto:)[^|>]*)>")
MENTION = re.compile(r"<[@!][^>]*>")


def signature_problem(
    secret: str, timestamp: Optional[str], signature: Optional[str], body: bytes, window_seconds: int
) -> Optional[str]:
    """Why a request is not Slack's (https://api.slack.com/authentication/verifying-requests-from-slack),
    or None when it is."""
    if not timestamp or not signature:
        return "unsigned"
    try:
        age = abs(time.time() - int(timestamp))
    except ValueError:
        return "bad_timestamp"
    if age > window_seconds:
        return "outside_replay_window"
    expected = (
        "v0=" + hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    )
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return "bad_signature"
    return None


def customer_text(text: str) -> str:
    """What the customer typed, from Slack's formatted text: links and emails as written, mentions dropped."""
    text = LABELLED.sub(lambda match: match.group(1), text)
    text = BARE_LINK.sub(lambda match: match.group(1).removeprefix("mailto:"), text)
    text = MENTION.sub(" ", text)
    return " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").split())


def message_id(*parts: str) -> str:
    """A stable id for the tracker's user event (ticket idempotency keys derive from it)."""
    return "slack-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


class GuardedSlackInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedSlackInput:
        return cls(slack_settings(), channel_settings())

    def __init__(self, platform: PlatformSettings, settings: ChannelSettings) -> None:
        self.platform = platform
        self.settings = settings
        self.guard = MessageGuard(settings)
        self.state = channel_state(platform.state_url)
        self.background = Background(CHANNEL)
        self.client = web_client(platform.bot_token, platform.api_url) if platform.enabled else None
        self.bot_user_id: Optional[str] = None

    def get_output_channel(self) -> Optional[SlackOutput]:
        """The output for messages pushed through Rasa's HTTP API (agent replies, the CSAT question)."""
        return SlackOutput(self.client) if self.client is not None else None

    async def _bot_user(self) -> Optional[str]:
        """Our own bot user (auth.test), so its messages and mentions of it are not taken for the customer's."""
        if self.bot_user_id is None and self.client is not None:
            try:
                self.bot_user_id = str((await self.client.auth_test()).get("user_id") or "") or None
            except Exception as exc:  # noqa: BLE001 - only a refinement; bot messages carry bot_id anyway
                logger.warning("Slack auth.test failed: %s", exc)
        return self.bot_user_id

    def _message(self, text: str, team: str, channel: str, user: str, message_key: str) -> UserMessage:
        assert self.client is not None
        return UserMessage(
            text,
            SlackOutput(self.client, raise_failures=False),
            sender_id(team, channel, user),
            input_channel=CHANNEL,
            metadata=ChannelContext(CHANNEL, f"slack:{team}:{user}").stamp(None),
            message_id=message_key,
        )

    async def _event(self, body: Dict[str, Any], request: Request, handle: Callable) -> HTTPResponse:
        event = mapping(body.get("event"))
        event_id, team = str(body.get("event_id") or ""), str(body.get("team_id") or "")
        retry = request.headers.get("X-Slack-Retry-Num")
        if not event_id or not await self.state.claim(f"slack:event:{event_id}"):
            logger.info(
                "Slack event %s delivered again (retry %s, %s): already handled.",
                event_id,
                retry,
                request.headers.get("X-Slack-Retry-Reason"),
            )
            return response.text("", headers={"X-Slack-No-Retry": "1"})
        kind, subtype = event.get("type"), event.get("subtype")
        channel, user, text = str(event.get("channel") or ""), str(event.get("user") or ""), event.get("text")
        direct = kind == "message" and event.get("channel_type") == "im"
        if subtype == "message_changed":
            logger.info("Slack: an edited message in %s is not a new message; ignored.", channel)
            return response.text("")
        if kind not in ("app_mention", "message") or (kind == "message" and not direct) or subtype:
            return response.text("")
        if (
            event.get("bot_id")
            or not isinstance(text, str)
            or not all(map(SLACK_ID.fullmatch, (team, channel, user)))
        ):
            return response.text("")
        if user == await self._bot_user():
            return response.text("")
        # One message can arrive as an app_mention and as a message event (different event ids).
        if not await self.state.claim(f"slack:message:{team}:{channel}:{event.get('ts')}"):
            return response.text("")
        message = self._message(
            customer_text(text), team, channel, user, message_id(team, channel, str(event.get("ts")))
        )
        self.background.start(handle(message), f"event {event_id}")
        return response.text("")

    async def _actions(self, payload: Dict[str, Any], handle: Callable) -> HTTPResponse:
        team = str(mapping(payload.get("team")).get("id") or "")
        user = str(mapping(payload.get("user")).get("id") or "")
        channel = str(
            mapping(payload.get("channel")).get("id")
            or mapping(payload.get("container")).get("channel_id")
            or ""
        )
        actions = payload.get("actions") if isinstance(payload.get("actions"), list) else []
        if (
            not actions
            or not isinstance(actions[0], dict)
            or not all(map(SLACK_ID.fullmatch, (team, channel, user)))
        ):
            return response.text("")
        action = actions[0]
        key = f"{team}:{user}:{action.get('action_ts')}:{action.get('action_id')}"
        if not await self.state.claim(f"slack:action:{key}"):
            return response.text("")
        value = action.get("value")
        if not isinstance(value, str) or not value:
            return response.text("")
        message = self._message(value, team, channel, user, message_id("action", key))
        self.background.start(handle(message), f"button {key}")
        return response.text("")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_slack_webhook", __name__)
        handle = self.guard.wrap(on_new_message)
        this_run = run_id()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.platform.enabled, "run_id": this_run})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.platform.enabled:
                return error(
                    404, "channel_off", "Slack is not configured (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET)."
                )
            body = request.body or b""
            if len(body) > PLATFORM_MAX_BODY_BYTES:
                return error(413, "request_too_large", "Too large.")
            problem = signature_problem(
                self.platform.webhook_secret,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
                body,
                self.platform.replay_window_seconds,
            )
            if problem:
                return refused(CHANNEL, problem, address=request.ip)
            try:
                return await self._dispatch(request, body, handle)
            except Exception:  # noqa: BLE001 - a 500 would make Slack deliver the event again
                logger.exception("Slack webhook failed")
                return response.text("", headers={"X-Slack-No-Retry": "1"})

        return webhook

    async def _dispatch(self, request: Request, body: bytes, handle: Callable) -> HTTPResponse:
        if "application/x-www-form-urlencoded" in (request.headers.get("content-type") or ""):
            # Interactivity (button clicks) arrives as a form with one `payload` field holding JSON.
            payload = json_object(
                (parse_qs(body.decode("utf-8", "replace")).get("payload") or ["{}"])[0].encode()
            )
            if payload is None:
                return error(400, "bad_request", "The payload field is not a JSON object.")
            if payload.get("type") == "block_actions":
                return await self._actions(payload, handle)
            return response.text("")
        parsed = json_object(body)
        if parsed is None:
            return error(400, "bad_request", "The body is not a JSON object.")
        if parsed.get("type") == "url_verification":
            return response.json({"challenge": str(parsed.get("challenge", ""))})
        if parsed.get("type") == "event_callback":
            return await self._event(parsed, request, handle)
        return response.text("")
