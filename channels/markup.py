"""Bot text written for each platform's markup: links kept clickable, everything else shown as written.

Responses are plain text with bare URLs, and they carry values the customer typed (a refund reason, an
email). Sent unescaped, "<!channel>" in a refund reason would notify a whole Slack channel, and a "." would
make Telegram refuse the message in MarkdownV2. Markdown links `[title](url)` are turned into each
platform's link syntax; bare URLs are left for the platform to link.
"""

from __future__ import annotations

import re
from typing import Iterator, List

MARKDOWN_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s)]{1,2000})\)")
# https://core.telegram.org/bots/api#markdownv2-style
TELEGRAM_RESERVED = re.compile(r"([_*\[\]()~`>#+\-=|{}.!\\])")
# Telegram limits a message to 4096 characters; Slack a section block to 3000.
TELEGRAM_MAX_CHARACTERS = 4096
SLACK_SECTION_MAX_CHARACTERS = 3000


def _pieces(text: str) -> Iterator[tuple]:
    """(plain text, None) and (link title, url) pieces of a text, in order."""
    position = 0
    for link in MARKDOWN_LINK.finditer(text):
        if link.start() > position:
            yield text[position : link.start()], None
        yield link.group(1), link.group(2)
        position = link.end()
    if position < len(text):
        yield text[position:], None


def slack_escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_mrkdwn(text: str) -> str:
    """Text for Slack mrkdwn: control characters escaped, markdown links as <url|title>."""
    out = []
    for piece, link in _pieces(text):
        if link is None:
            out.append(slack_escape(piece))
        else:
            title = slack_escape(piece).replace("|", "¦")
            out.append(f"<{slack_escape(link)}|{title}>")
    return "".join(out)


def telegram_escape(text: str) -> str:
    return TELEGRAM_RESERVED.sub(r"\\\1", text)


def telegram_markdown_v2(text: str) -> str:
    """Text for Telegram's MarkdownV2: reserved characters escaped, markdown links as MarkdownV2 links."""
    out = []
    for piece, link in _pieces(text):
        if link is None:
            out.append(telegram_escape(piece))
        else:
            target = link.replace("\\", "\\\\").replace(")", "\\)")
            out.append(f"[{telegram_escape(piece)}]({target})")
    return "".join(out)


def parts(text: str, max_characters: int) -> List[str]:
    """The paragraphs of a response (one message each, as Rasa's channels send them), none over the limit."""
    chunks: List[str] = []
    for paragraph in text.strip().split("\n\n"):
        paragraph = paragraph.strip()
        while len(paragraph) > max_characters:
            cut = paragraph.rfind(" ", 0, max_characters)
            cut = cut if cut > max_characters // 2 else max_characters
            chunks.append(paragraph[:cut].rstrip())
            paragraph = paragraph[cut:].lstrip()
        if paragraph:
            chunks.append(paragraph)
    return chunks
