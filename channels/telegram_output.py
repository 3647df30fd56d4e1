"""Messages to Telegram through the Bot API's sendMessage (aiogram), within Telegram's limits.

Text goes as MarkdownV2 with every reserved character escaped (channels/markup.py), so a customer's "." or
"*" never makes Telegram refuse the message; buttons are an inline keyboard. A button's callback_data may
hold 64 bytes: a longer payload is kept in the channel state (shared by the replicas) and the button carries
its key instead. The API's base URL comes from TELEGRAM_API_URL (aiogram's TelegramAPIServer).

Unlike Rasa's connector, building this output channel has no side effect: Rasa's sets the webhook with
asyncio.run inside the running loop, which fails, so its proxied messages (agent replies, triggered
intents, rasa #10666) never arrive.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, Dict, List, Optional

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from rasa.core.channels.channel import OutputChannel

from channels.markup import TELEGRAM_MAX_CHARACTERS, parts, telegram_markdown_v2
from common.dedup import ChannelState

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
SENDER = re.compile(r"tg-(-?[0-9]{1,20})")
CALLBACK_DATA_MAX_BYTES = 64  # https://core.telegram.org/bots/api#inlinekeyboardbutton
MAPPED_PREFIX = "map:"
MAPPED_PAYLOAD_TTL_SECONDS = 30 * 24 * 3600
BUTTONS_PER_ROW = 3


def sender_id(chat_id: int) -> str:
    return f"tg-{chat_id}"


def chat_of(recipient_id: str) -> int:
    match = SENDER.fullmatch(recipient_id)
    if match is None:
        raise ValueError(f"{recipient_id!r} is not a Telegram conversation")
    return int(match.group(1))


def make_bot(token: str, api_url: str) -> Bot:
    return Bot(token, server=TelegramAPIServer.from_base(api_url), timeout=10)


async def callback_data(payload: str, state: ChannelState) -> str:
    """The payload itself when it fits in 64 bytes, else the key under which the state keeps it."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_MAX_BYTES:
        return payload
    key = MAPPED_PREFIX + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
    await state.put(f"telegram:payload:{key}", payload, MAPPED_PAYLOAD_TTL_SECONDS)
    return key


async def payload_of(data: str, state: ChannelState) -> Optional[str]:
    """What a pressed button stands for (None for a mapped payload that has expired)."""
    if data.startswith(MAPPED_PREFIX):
        return await state.get(f"telegram:payload:{data}")
    return data


class TelegramOutput(OutputChannel):
    """Rasa's output channel for Telegram; the recipient is our conversation id, `tg-<chat id>`."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, bot: Bot, state: ChannelState, *, raise_failures: bool = True) -> None:
        super().__init__()
        self.bot = bot
        self.state = state
        # As in SlackOutput: logged while answering the customer (the turn is kept), raised for pushes.
        self.raise_failures = raise_failures

    async def _send(self, recipient_id: str, text: str, **fields: Any) -> None:
        try:
            await self.bot.send_message(
                chat_of(recipient_id),
                telegram_markdown_v2(text),
                parse_mode="MarkdownV2",
                disable_web_page_preview=True,
                **fields,
            )
        except Exception as exc:
            if self.raise_failures:
                raise
            logger.error("Telegram did not take a message for %s: %s", recipient_id, exc)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in parts(text, TELEGRAM_MAX_CHARACTERS):
            await self._send(recipient_id, part)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        keyboard: List[List[InlineKeyboardButton]] = []
        # Short answers (ratings, yes/no) sit side by side; longer titles get a row each.
        per_row = BUTTONS_PER_ROW if all(len(str(b.get("title", ""))) <= 14 for b in buttons) else 1
        for button in buttons:
            if not keyboard or len(keyboard[-1]) >= per_row:
                keyboard.append([])
            data = await callback_data(str(button.get("payload", "")), self.state)
            keyboard[-1].append(InlineKeyboardButton(str(button.get("title", "")) or "-", callback_data=data))
        chunks = parts(text, TELEGRAM_MAX_CHARACTERS) or ["-"]
        for part in chunks[:-1]:
            await self._send(recipient_id, part)
        await self._send(
            recipient_id, chunks[-1], reply_markup=InlineKeyboardMarkup(inline_keyboard=keyboard)
        )

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, image)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        if isinstance(json_message.get("text"), str):
            await self._send(recipient_id, json_message["text"])
