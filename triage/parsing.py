"""An inbound email's MIME structure to what triage reads: the sender's address, the subject and one text body.

text/plain is preferred; a message with only HTML is turned into text here (quoted parts of an HTML reply,
<blockquote> and Gmail's or Outlook's quote containers, are left out as they are read). Attachments are never
read. A message without a usable sender or any text is refused with UnreadableMessage, which the SMTP
receiver answers with a 5xx code, so the sending server tells its user instead of retrying.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser
from typing import List, Optional

from common.recognisers import EMAIL_PATTERN

EMAIL_CHANNEL = "email"
FORM_CHANNEL = "form"
MAX_SUBJECT_CHARS = 300


class UnreadableMessage(ValueError):
    """The message cannot be triaged as it is (no sender, no text); the text says why, for the sender."""


@dataclass(frozen=True)
class InboundMessage:
    """One customer message from a channel other than the bot. `sender` is a claim: nothing proved it."""

    channel: str
    sender: Optional[str]
    subject: str
    body: str
    message_id: Optional[str] = None


def valid_address(value: str) -> bool:
    return bool(EMAIL_PATTERN.fullmatch(value.strip())) and len(value) <= 320


def parse_email(raw: bytes) -> InboundMessage:
    """The sender (From, a claim), subject and text body of a raw RFC 5322 message."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        sender = _sender(message)
        subject = _one_line(str(message.get("Subject") or ""))[:MAX_SUBJECT_CHARS]
        message_id = _one_line(str(message.get("Message-ID") or "")) or None
    except UnreadableMessage:
        raise
    except (ValueError, TypeError, IndexError, AttributeError, LookupError) as exc:
        # The email package raises these on malformed headers (it is lenient, but not everywhere).
        raise UnreadableMessage(f"the message headers could not be read ({exc.__class__.__name__})")
    body = text_body(message)
    if not body.strip():
        raise UnreadableMessage("the message has no text to read (only attachments, or empty)")
    return InboundMessage(EMAIL_CHANNEL, sender, subject, body, message_id)


def _sender(message: Message) -> str:
    # Reply-To is no better a proof than From; From is what the agent sees as the sender.
    addresses = [
        address for _name, address in getaddresses([str(value) for value in message.get_all("From", [])])
    ]
    found = [address for address in addresses if address and valid_address(address)]
    if not found:
        raise UnreadableMessage("the message has no valid From address")
    return found[0].strip()


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def text_body(message: Message) -> str:
    """The first text/plain part that is not an attachment; else the first text/html part, as text."""
    plain: List[str] = []
    html: List[str] = []
    parts = message.walk() if message.is_multipart() else iter([message])
    for part in parts:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        content_type = part.get_content_type()
        if content_type not in ("text/plain", "text/html"):
            continue
        text = _decoded(part)
        (plain if content_type == "text/plain" else html).append(text)
    if any(text.strip() for text in plain):
        return next(text for text in plain if text.strip())
    return html_to_text(html[0]) if html else ""


def _decoded(part: Message) -> str:
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, ValueError, AssertionError):
            pass  # an unknown or wrong charset: decode the bytes leniently below
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


# Elements whose text is not the message: scripts, styles, and the quoted earlier messages of a reply.
_SKIPPED = {"script", "style", "head", "title", "blockquote"}
_QUOTE_CLASSES = re.compile(r"\b(?:gmail_quote|gmail_attr|moz-cite-prefix|yahoo_quoted)\b")
_QUOTE_IDS = re.compile(r"^(?:divRplyFwdMsg|appendonsend)$")
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "col", "area", "base", "source"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self.skipping: List[str] = []  # the open tags inside a skipped element
        self.stop = False  # Outlook's reply header starts the quoted thread: nothing after it is new

    def handle_starttag(self, tag: str, attrs: List[tuple]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if self.skipping:
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if _QUOTE_IDS.match(attributes.get("id", "")):
            self.stop = True
        if tag in _SKIPPED or _QUOTE_CLASSES.search(attributes.get("class", "")):
            if tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag in self.skipping:
                while self.skipping and self.skipping.pop() != tag:
                    pass
            return
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping and not self.stop:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body: paragraphs on their own lines, quoted thread and markup left out."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sender_address(value: str) -> str:
    """A typed address as the form and the receiver keep it (display names dropped)."""
    return Address(addr_spec=value.strip()).addr_spec
