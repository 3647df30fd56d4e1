"""Reading inbound email (triage/parsing.py) and keeping only what the customer wrote this time
(triage/cleaning.py): MIME structure, HTML, quoted replies, forwarded headers, signatures and disclaimers."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from triage.cleaning import clean_body, pieces
from triage.parsing import UnreadableMessage, html_to_text, parse_email


def email_bytes(body: str = "Where is my order 10042?", html: str = "", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("sender", "Jane Doe <jane@example.com>")
    message["To"] = "support@shop.example.com"
    message["Subject"] = headers.pop("subject", "Order question")
    message["Message-ID"] = "<abc@example.com>"
    if body:
        message.set_content(body)
    if html:
        if body:
            message.add_alternative(html, subtype="html")
        else:
            message.set_content(html, subtype="html")
    return bytes(message)


def test_plain_text_is_preferred_and_the_sender_is_the_from_address() -> None:
    raw = email_bytes("Plain words", "<p>HTML words</p>")
    parsed = parse_email(raw)
    assert (parsed.sender, parsed.subject, parsed.body.strip()) == (
        "jane@example.com",
        "Order question",
        "Plain words",
    )
    assert parsed.channel == "email" and parsed.message_id == "<abc@example.com>"


def test_an_html_only_message_is_read_as_text_without_its_quoted_thread() -> None:
    html = (
        "<html><head><style>p {color: red}</style></head><body><p>Hi,</p><p>My parcel never came.&nbsp;Order 10042."
        "</p><div class='gmail_quote'><div>On Mon wrote:</div><blockquote>Old <b>stuff</b></blockquote></div>"
        "<script>alert(1)</script></body></html>"
    )
    parsed = parse_email(email_bytes("", html))
    assert parsed.body == "Hi,\n\nMy parcel never came. Order 10042."


def test_outlook_html_reply_stops_at_its_reply_header() -> None:
    text = html_to_text(
        "<div>Please cancel it.</div><div id='divRplyFwdMsg'><b>From:</b> Shop</div><p>Old</p>"
    )
    assert text == "Please cancel it."


def test_attachments_are_never_read() -> None:
    message = EmailMessage()
    message["From"] = "omar@example.com"
    message["Subject"] = "Invoice"
    message.set_content("See my invoice question below.")
    message.add_attachment(b"%PDF secret", maintype="application", subtype="pdf", filename="card.pdf")
    message.add_attachment("attached text", filename="notes.txt")
    assert parse_email(bytes(message)).body.strip() == "See my invoice question below."


def test_a_legacy_charset_is_decoded() -> None:
    raw = (
        b"From: luc@example.fr\r\nSubject: =?iso-8859-1?q?Probl=E8me?=\r\nContent-Type: text/plain; charset=iso-8859-1"
        b"\r\n\r\nJe n'ai pas re\xe7u ma commande.\r\n"
    )
    parsed = parse_email(raw)
    assert parsed.subject == "Problème" and "reçu" in parsed.body


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"Subject: hi\r\n\r\nno sender here\r\n", "no valid From"),
        (b"From: not-an-address\r\nSubject: hi\r\n\r\nbody\r\n", "no valid From"),
        (b"From: jane@example.com\r\nSubject: hi\r\n\r\n   \r\n", "no text"),
    ],
)
def test_unreadable_messages_are_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(UnreadableMessage, match=reason):
        parse_email(raw)


def test_a_gmail_reply_keeps_only_the_new_text() -> None:
    body = (
        "Thanks, but the refund still hasn't arrived.\n\n"
        "On Mon, 3 Jun 2024 at 10:02, Shop Support <support@shop.example.com>\nwrote:\n"
        "> Your refund was issued.\n> Regards\n"
    )
    assert clean_body(body) == "Thanks, but the refund still hasn't arrived."


def test_quoted_lines_go_even_when_interleaved() -> None:
    body = "> Did you get it?\nNo, nothing yet.\n> Anything else?\nThat's all."
    assert clean_body(body) == "No, nothing yet.\nThat's all."


@pytest.mark.parametrize(
    "header",
    [
        "Le lun. 3 juin 2024 à 10:02, Support <support@shop.example.com> a écrit :",
        "Am 03.06.2024 um 10:02 schrieb Support <support@shop.example.com>:",
        "El lun, 3 jun 2024 a las 10:02, Support (<support@shop.example.com>) escribió:",
        "Il giorno lun 3 giu 2024 alle ore 10:02 Support ha scritto:",
        "Op ma 3 jun. 2024 om 10:02 schreef Support <support@shop.example.com>:",
        "-----Original Message-----",
    ],
)
def test_reply_headers_in_our_languages_cut_the_thread(header: str) -> None:
    assert clean_body(f"Mon colis est perdu.\n\n{header}\nAncien message") == "Mon colis est perdu."


def test_an_outlook_quote_block_is_cut() -> None:
    body = (
        "Please send the invoice again.\n\n"
        "From: Shop Support <support@shop.example.com>\nSent: Monday, June 3, 2024 10:02 AM\n"
        "To: Jane\nSubject: RE: invoice\n\nHere is your invoice."
    )
    assert clean_body(body) == "Please send the invoice again."


def test_forwarded_headers_go_and_the_forwarded_text_stays() -> None:
    body = (
        "See below, I was charged twice.\n\n"
        "---------- Forwarded message ---------\nFrom: Bank <alerts@bank.example>\n"
        "Date: Mon, 3 Jun 2024\nSubject: Card payment\nTo: <jane@example.com>\n\n"
        "Two payments of 45.99 to Shop were made."
    )
    assert clean_body(body) == "See below, I was charged twice.\n\nTwo payments of 45.99 to Shop were made."


@pytest.mark.parametrize(
    "signature",
    [
        "-- \nJane Doe\n+44 20 7946 0958",
        "Kind regards,\nJane Doe\nHead of Purchasing, Acme Ltd\n+44 20 7946 0958",
        "Thanks!\nJane",
        "Sent from my iPhone",
        "Mit freundlichen Grüßen\nJana",
    ],
)
def test_signatures_go(signature: str) -> None:
    assert clean_body(f"My order 10042 arrived broken.\n\n{signature}") == "My order 10042 arrived broken."


def test_a_closing_word_followed_by_real_text_is_not_a_signature() -> None:
    body = (
        "Thanks for the quick reply last time.\n"
        "Unfortunately the replacement also arrived damaged and I would now like my money back for the order."
    )
    assert clean_body(body) == body


def test_disclaimers_go() -> None:
    body = (
        "Please close my account.\n\n"
        "CONFIDENTIALITY NOTICE: This email and any attachments are confidential and intended solely for the "
        "addressee. If you have received this email in error, please notify the sender."
    )
    assert clean_body(body) == "Please close my account."


def test_pieces_are_sentences_with_wrapped_lines_joined() -> None:
    text = (
        "Hello team,\n\nI ordered a lamp three weeks ago (order 10043) and it still has not\n"
        "arrived. Could you tell me where it is? I need it by Friday.\n\n- item one\n- item two"
    )
    assert pieces(text) == [
        "Hello team,",
        "I ordered a lamp three weeks ago (order 10043) and it still has not arrived.",
        "Could you tell me where it is?",
        "I need it by Friday.",
        "- item one",
        "- item two",
    ]
