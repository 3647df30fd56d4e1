"""What the customer wrote this time: the quoted thread, forwarded headers, signatures and disclaimers go.

The NLU model was trained on chat messages, so a ticket is cut into short pieces (paragraphs, then sentences)
that look like them (`pieces`); classify.py weighs the model's reading of each.

- Quoted replies: everything after a reply header ("On Mon, 3 Jun 2024 at 10:02, Jane <...> wrote:", its
  French, German, Spanish, Italian and Dutch forms, "-----Original Message-----", Outlook's From:/Sent: block)
  and every line starting with ">".
- Forwarded messages: the marker line and the header block under it (From:, Date:, Subject:, To:, Cc:) go;
  the forwarded text stays, since it is often what the customer is asking about.
- Signatures: after "-- " (the standard delimiter), mobile footers ("Sent from my iPhone"), and a closing
  ("Kind regards,", "Thanks,", "Cordialement", ...) near the end with only short lines (a name, a phone
  number, a title) after it.
- Disclaimers: paragraphs of the legal boilerplate kind ("This email and any attachments are confidential",
  "If you are not the intended recipient", ...).
"""

from __future__ import annotations

import re
from typing import List

# A reply header; may be wrapped over two lines by the mail client, hence the joined-line check below.
_REPLY_HEADERS = [
    r"^On\b.{0,200}\bwrote:\s*$",  # English (Gmail, Apple Mail, Thunderbird)
    r"^Le\b.{0,200}\ba [ée]crit\s*:\s*$",  # French
    r"^Am\b.{0,200}\bschrieb\b.{0,200}:\s*$",  # German
    r"^El\b.{0,200}\bescribi[óo]\s*:\s*$",  # Spanish
    r"^Il\b.{0,200}\bha scritto\s*:\s*$",  # Italian
    r"^Op\b.{0,200}\bschreef\b.{0,200}:\s*$",  # Dutch
    r"^-{2,}\s*(?:Original Message|Message d'origine|Urspr[üu]ngliche Nachricht|Mensaje original|"
    r"Messaggio originale|Oorspronkelijk bericht)\s*-{2,}\s*$",
    r"^_{10,}\s*$",  # Outlook's rule above its From:/Sent: block
]
REPLY_HEADER = re.compile("|".join(f"(?:{pattern})" for pattern in _REPLY_HEADERS), re.IGNORECASE)
# Outlook's plain-text quote: "From: ..." followed within two lines by "Sent: ..." (or Date:).
_OUTLOOK_FROM = re.compile(r"^\*?(?:From|De|Von|Van|Da)\s*:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(
    r"^\*?(?:Sent|Date|Envoy[ée]|Gesendet|Enviado|Inviato|Verzonden)\s*:\*?\s", re.IGNORECASE
)
FORWARD_MARKER = re.compile(
    r"^(?:-{2,}\s*(?:Forwarded message|Message transf[ée]r[ée]|Weitergeleitete Nachricht|Mensaje reenviado|"
    r"Messaggio inoltrato|Doorgestuurd bericht)\s*-{2,}|Begin forwarded message:|Start of forwarded message)\s*$",
    re.IGNORECASE,
)
_HEADER_LINE = re.compile(
    r"^\*?(?:From|To|Cc|Bcc|Date|Sent|Subject|Reply-To|De|À|A|Objet|Von|An|Betreff|Datum|Para|Asunto|Fecha|"
    r"Oggetto|Data|Van|Aan|Onderwerp|Verzonden)\s*:\*?(?:\s|$)",
    re.IGNORECASE,
)
SIGNATURE_DELIMITER = re.compile(r"^--\s?$")
_MOBILE_FOOTER = re.compile(
    r"^(?:Sent from my \w+|Sent from (?:Outlook|Mail|Yahoo Mail)|Get Outlook for \w+|Envoy[ée] de mon \w+|"
    r"Von meinem \w+ gesendet|Enviado desde mi \w+|Inviato da(?:l mio)? \w+|Verzonden vanaf mijn \w+)\b",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"^(?:(?:kind(?:est)?|best|warm|many|with)?\s*(?:regards|wishes|thanks|thank you)|thanks(?: again| so much)?"
    r"|thank you(?: very much| so much)?|cheers|best|sincerely|yours(?: sincerely| truly| faithfully)?|"
    r"all the best|talk soon|respectfully|cordialement|bien (?:à vous|cordialement)|merci(?: beaucoup)?|"
    r"mit freundlichen gr[üu](?:ß|ss)en|viele gr[üu](?:ß|ss)e|liebe gr[üu](?:ß|ss)e|gr[üu](?:ß|ss)e|danke|"
    r"saludos(?: cordiales)?|un saludo|atentamente|gracias|cordiali saluti|distinti saluti|saluti|grazie|"
    r"met vriendelijke groet(?:en)?|groeten|hartelijke groet(?:en)?|bedankt)\s*[,.!]*\s*(?:-\s*\w+)?$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"\b(?:intended (?:solely )?(?:for the )?(?:recipient|addressee)|intended only for|confidential(?:ity)? notice|"
    r"(?:is|are|may be) (?:strictly )?(?:confidential|privileged)|received this (?:e-?mail|message|communication)"
    r" in error|please notify the sender|delete (?:this|it) (?:e-?mail|message)|disclaimer|"
    r"think before you print|please consider the environment|virus(?:es)? (?:free|scan)|"
    r"destinataire|vertraulich|confidencial|riservat[oa]|vertrouwelijk)\b",
    re.IGNORECASE,
)
# A bare sign-off at the end, with no closing word before it: a name ("F. Delaney", "Paula Greenwood") or a
# contact line (a phone number, an address of the web or email).
_NAME_LINE = re.compile(r"^(?:[A-Z][\w'’.-]*\.?)(?:\s+(?:[A-Z][\w'’.-]*|&|\|)){0,4}$")
_CONTACT_LINE = re.compile(
    r"^(?:(?:tel|phone|mob(?:ile)?|m|t)\s*[:.]?\s*)?\+?[\d ()-]{7,}$|^\S+@\S+$|^(?:https?://|www\.)\S+$",
    re.IGNORECASE,
)
_SIGN_OFF_LINES = 4
# After a closing, a signature's lines are short: a name, a title, a phone number, a company.
_SIGNATURE_LINE_CHARS = 60
_SIGNATURE_MAX_LINES = 8


def strip_quoted(text: str) -> str:
    """The text above the first reply header or Outlook quote block, without ">" lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: List[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        joined = f"{stripped} {lines[index + 1].strip()}" if index + 1 < len(lines) else stripped
        if REPLY_HEADER.match(stripped) or (
            stripped[:3].lower() in ("on ", "le ", "am ", "el ", "il ", "op ") and REPLY_HEADER.match(joined)
        ):
            break
        if (
            _OUTLOOK_FROM.match(stripped)
            and any(_OUTLOOK_SENT.match(following.strip()) for following in lines[index + 1 : index + 3])
            and not _forwarded_above(kept)
        ):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line)
    return "\n".join(kept)


def _forwarded_above(kept: List[str]) -> bool:
    """A From:/Sent: block right under a forward marker is the forwarded message's header, not a quote."""
    for line in reversed(kept):
        if line.strip():
            return bool(FORWARD_MARKER.match(line.strip()))
    return False


def strip_forward_headers(text: str) -> str:
    """Forward markers and the header block under each go; the forwarded text stays."""
    lines = text.split("\n")
    kept: List[str] = []
    in_headers = False
    for line in lines:
        stripped = line.strip()
        if FORWARD_MARKER.match(stripped):
            in_headers = True
            continue
        if in_headers:
            if _HEADER_LINE.match(stripped) or not stripped:
                continue
            in_headers = False
        kept.append(line)
    return "\n".join(kept)


def strip_signature(text: str) -> str:
    """The text above the signature: "-- ", a mobile footer, or a closing followed only by short lines."""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if SIGNATURE_DELIMITER.match(line) or _MOBILE_FOOTER.match(line.strip()):
            lines = lines[:index]
            break
    for index in range(len(lines) - 1, -1, -1):
        if not _CLOSING.match(lines[index].strip()):
            continue
        after = [line.strip() for line in lines[index + 1 :] if line.strip()]
        if len(after) <= _SIGNATURE_MAX_LINES and all(len(line) <= _SIGNATURE_LINE_CHARS for line in after):
            return "\n".join(lines[:index])
    return "\n".join(_without_sign_off(lines))


def _without_sign_off(lines: List[str]) -> List[str]:
    """The lines without a trailing bare name and contact lines (at most a few, never the only text)."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    dropped = 0
    while end > 1 and dropped < _SIGN_OFF_LINES:
        line = lines[end - 1].strip()
        if not line:
            end -= 1
            continue
        if not (_NAME_LINE.match(line) or _CONTACT_LINE.match(line)):
            break
        end -= 1
        dropped += 1
    return lines[:end] if any(line.strip() for line in lines[:end]) else lines


def strip_disclaimers(text: str) -> str:
    """Paragraphs of legal or environmental boilerplate go."""
    paragraphs = re.split(r"\n\s*\n", text)
    return "\n\n".join(paragraph for paragraph in paragraphs if not _DISCLAIMER.search(paragraph))


def clean_body(text: str) -> str:
    """What the customer wrote this time, paragraphs kept, blank runs squeezed."""
    text = strip_quoted(text)
    text = strip_forward_headers(text)
    # Disclaimers first: one under a signature would otherwise look like a long line of the message.
    text = strip_disclaimers(text)
    text = strip_signature(text)
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# Sentence ends: ., ! or ? then space and a capital, digit or quote (abbreviations like "e.g. the" stay joined).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9ÀÉÈÖÜÄ¿¡])")
MAX_PIECE_CHARS = 400
MAX_PIECES = 30


def pieces(text: str) -> List[str]:
    """The cleaned text as chat-sized pieces: each paragraph's sentences (lines of a list on their own)."""
    found: List[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if not lines:
            continue
        # Lines wrapped at 72 columns belong together; short lines (a list, an address) stand alone.
        joined = " ".join(lines) if all(len(line) > 40 for line in lines[:-1]) else None
        for block in [joined] if joined else lines:
            for sentence in _SENTENCE_END.split(block):
                sentence = sentence.strip()
                if sentence:
                    found.append(sentence[:MAX_PIECE_CHARS])
    return found[:MAX_PIECES]
