"""The Telegram channel (same URL as Rasa's: /webhooks/telegram/webhook): authenticated, deduplicated, guarded.

- Telegram sends the secret_token given to setWebhook (`python -m tools.telegram_webhook set`) in
  X-Telegram-Bot-Api-Secret-Token. It is required and compared in constant time; a missing or wrong one is
  logged as a security event and answered 401, before anything is parsed. (Rasa's connector compared the
  bot's public username, with an API call per update.)
- Telegram re-delivers an update until it gets a 2xx: each update_id is handled once, across replicas when
  CHANNEL_STATE_REDIS_URL is set. The 200 goes back at once and the message is handled afterwards; our own
  failures are logged, never answered with a 500 (which would make Telegram deliver it again).
- An edited message is not a new message: `edited_message` updates are acknowledged and ignored.
- A pressed inline button (callback_query) is answered (answerCallbackQuery) and its payload, or the payload
  kept for its key (channels/telegram_output.py), becomes the customer's message. `/start` is a greeting.
- Private chats only. A Telegram chat is not a verified customer: the conversation is `tg-<chat id>`,
  stamped with the channel and the Telegram user, and sensitive actions still need a one-time code.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any, Awaitable, Callable, Dict, Optional

from aiogram import Bot
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import MessageGuard
from channels.telegram_output import CHANNEL, TelegramOutput, make_bot, payload_of, sender_id
from channels.webhooks import PLATFORM_MAX_BODY_BYTES, Background, error, json_object, mapping, refused
from common.channel_context import ChannelContext
from common.dedup import channel_state
from common.settings import ChannelSettings, PlatformSettings, channel_settings, run_id, telegram_settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
START = "/start"
GREETING_INTENT = "/greet"


def _integer(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class GuardedTelegramInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> GuardedTelegramInput:
        return cls(telegram_settings(), channel_settings())

    def __init__(self, platform: PlatformSettings, settings: ChannelSettings) -> None:
        self.platform = platform
        self.settings = settings
        self.guard = MessageGuard(settings)
        self.state = channel_state(platform.state_url)
        self.background = Background(CHANNEL)
        self.bot: Optional[Bot] = make_bot(platform.bot_token, platform.api_url) if platform.enabled else None

    def get_output_channel(self) -> Optional[TelegramOutput]:
        """The output for messages pushed through Rasa's HTTP API (agent replies, the CSAT question)."""
        return TelegramOutput(self.bot, self.state) if self.bot is not None else None

    def _message(self, text: str, chat_id: int, user_id: int, message_key: str) -> UserMessage:
        assert self.bot is not None
        return UserMessage(
            text,
            TelegramOutput(self.bot, self.state, raise_failures=False),
            sender_id(chat_id),
            input_channel=CHANNEL,
            metadata=ChannelContext(CHANNEL, f"telegram:{user_id}").stamp(None),
            message_id=message_key,
        )

    async def _button(self, query: Dict[str, Any], handle: Callable) -> None:
        """A pressed button: stop the client's spinner, then the payload as the customer's message."""
        assert self.bot is not None
        await self.bot.answer_callback_query(str(query.get("id")))
        chat = mapping(mapping(query.get("message")).get("chat"))
        chat_id, user_id = _integer(chat.get("id")), _integer(mapping(query.get("from")).get("id"))
        data = query.get("data")
        if chat_id is None or user_id is None or chat.get("type") != "private" or not isinstance(data, str):
            return
        payload = await payload_of(data, self.state)
        if payload is None:
            logger.info("Telegram: a button whose payload has expired was pressed in chat %s.", chat_id)
            return
        await handle(self._message(payload, chat_id, user_id, f"tg-cb-{query.get('id')}"[:64]))

    async def _update(self, update: Dict[str, Any], handle: Callable) -> HTTPResponse:
        update_id = _integer(update.get("update_id"))
        if update_id is None:
            return error(400, "bad_request", "An update needs an integer update_id.")
        if not await self.state.claim(f"telegram:update:{update_id}"):
            logger.info("Telegram update %s delivered again: already handled.", update_id)
            return response.json({"ok": True})
        if isinstance(update.get("edited_message"), dict):
            logger.info("Telegram: an edited message is not a new message; update %s ignored.", update_id)
            return response.json({"ok": True})
        if isinstance(update.get("callback_query"), dict):
            self.background.start(self._button(update["callback_query"], handle), f"update {update_id}")
            return response.json({"ok": True})
        message = mapping(update.get("message"))
        chat = mapping(message.get("chat"))
        chat_id, user_id = _integer(chat.get("id")), _integer(mapping(message.get("from")).get("id"))
        text, number = message.get("text"), _integer(message.get("message_id"))
        if chat_id is None or user_id is None or number is None or not isinstance(text, str):
            return response.json({"ok": True})  # stickers, photos, service messages: nothing to answer
        if chat.get("type") != "private":
            logger.info("Telegram: chat %s is not private; ignored.", chat_id)
            return response.json({"ok": True})
        if text == START or text.startswith(START + " "):
            text = GREETING_INTENT
        user_message = self._message(text, chat_id, user_id, f"tg-{chat_id}-{number}")
        self.background.start(handle(user_message), f"update {update_id}")
        return response.json({"ok": True})

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("guarded_telegram_webhook", __name__)
        handle = self.guard.wrap(on_new_message)
        expected = self.platform.webhook_secret.encode()
        this_run = run_id()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok", "enabled": self.platform.enabled, "run_id": this_run})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.platform.enabled:
                return error(
                    404,
                    "channel_off",
                    "Telegram is not configured (TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN).",
                )
            presented = request.headers.get(SECRET_HEADER)
            if presented is None:
                return refused(CHANNEL, "missing_secret_token", address=request.ip)
            if not hmac.compare_digest(presented.encode("utf-8", "replace"), expected):
                return refused(CHANNEL, "wrong_secret_token", address=request.ip)
            body = request.body or b""
            if len(body) > PLATFORM_MAX_BODY_BYTES:
                return error(413, "request_too_large", "Too large.")
            update = json_object(body)
            if update is None:
                return error(400, "bad_request", "The body is not a JSON object.")
            try:
                return await self._update(update, handle)
            except Exception:  # noqa: BLE001 - a 500 would make Telegram deliver the update again
                logger.exception("Telegram webhook failed")
                return response.json({"ok": True})

        return webhook
