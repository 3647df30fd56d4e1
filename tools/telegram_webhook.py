"""Register Frontdesk's Telegram webhook with the secret Telegram must send back (TELEGRAM_SECRET_TOKEN).

    python -m tools.telegram_webhook set https://support.example.com/webhooks/telegram/webhook
    python -m tools.telegram_webhook info

Reads TELEGRAM_BOT_TOKEN, TELEGRAM_SECRET_TOKEN and TELEGRAM_API_URL like the channel does. `set` calls
getMe (is the token right?), then setWebhook with secret_token and only the updates the channel handles.
aiogram 2.15 predates secret_token, so the call goes through its generic `request`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any, Dict

from channels.telegram_output import make_bot
from common.settings import ConfigurationError, telegram_settings

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def set_webhook(url: str) -> Dict[str, Any]:
    settings = telegram_settings()
    if not settings.enabled:
        raise ConfigurationError("Set TELEGRAM_BOT_TOKEN and TELEGRAM_SECRET_TOKEN first.")
    bot = make_bot(settings.bot_token, settings.api_url)
    try:
        me = await bot.request("getMe")
        done = await bot.request(
            "setWebhook",
            {
                "url": url,
                "secret_token": settings.webhook_secret,
                "allowed_updates": json.dumps(ALLOWED_UPDATES),
                "drop_pending_updates": "false",
            },
        )
        return {"bot": me, "webhook_set": done}
    finally:
        await bot.session.close()  # Bot.close() is deprecated: it becomes Telegram's own close in v3


async def webhook_info() -> Dict[str, Any]:
    settings = telegram_settings()
    bot = make_bot(settings.bot_token, settings.api_url)
    try:
        info = await bot.request("getWebhookInfo")
        return info if isinstance(info, dict) else {"result": info}
    finally:
        await bot.session.close()  # Bot.close() is deprecated: it becomes Telegram's own close in v3


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    set_command = commands.add_parser("set", help="register the webhook URL with the secret token")
    set_command.add_argument("url", help="the public https URL of /webhooks/telegram/webhook")
    commands.add_parser("info", help="what Telegram has registered")
    arguments = parser.parse_args()
    try:
        if arguments.command == "set":
            result = asyncio.run(set_webhook(arguments.url))
        else:
            result = asyncio.run(webhook_info())
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
