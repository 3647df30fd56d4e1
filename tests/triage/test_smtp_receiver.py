"""The SMTP receiver's answers to sending servers (triage/smtp.py): a real aiosmtpd server on a free port and
Python's smtplib as the sender; the pipeline behind it is a stand-in here (what it does is test_intake.py's).
"""

from __future__ import annotations

import smtplib
from dataclasses import replace
from email.message import EmailMessage
from typing import Iterator, List

import pytest

from clients.http import ServiceUnavailable
from common.ratelimit import Limiter
from common.triage_settings import triage_settings
from tools.processes import free_port
from triage.parsing import InboundMessage
from triage.smtp import SmtpReceiver, TriageHandler


class StandIn:
    """Records what the receiver hands on; `failure` makes it fail as the pipeline's clients do."""

    def __init__(self) -> None:
        self.handled: List[InboundMessage] = []
        self.failure: Exception | None = None

    def handle(self, message: InboundMessage) -> object:
        if self.failure:
            raise self.failure
        self.handled.append(message)

        class Outcome:
            ticket_id = len(self.handled)

            class reading:  # noqa: N801 - the shape the receiver logs
                queue = "orders"
                auto_routed = True

        return Outcome()


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple]:
    monkeypatch.setenv("FRONTDESK_ENV", "development")
    settings = replace(
        triage_settings(),
        smtp_host="127.0.0.1",
        smtp_port=free_port(),
        smtp_max_bytes=20_000,
        smtp_recipients=("support@shop.example.com", "@help.example.com"),
        smtp_max_recipients=2,
        smtp_rate_limit="3/minute",
    )
    pipeline = StandIn()
    server = SmtpReceiver(TriageHandler(pipeline, settings, Limiter()), settings)  # type: ignore[arg-type]
    server.start()
    yield pipeline, settings
    server.stop()


def message(body: str = "Where is my order 10042?", **headers: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = headers.get("sender", "jane@example.com")
    email["To"] = "support@shop.example.com"
    email["Subject"] = "Order"
    email.set_content(body)
    return email


def connect(settings: object) -> smtplib.SMTP:
    return smtplib.SMTP("127.0.0.1", settings.smtp_port, timeout=10)  # type: ignore[attr-defined]


def test_a_message_is_accepted_once_handed_on(receiver: tuple) -> None:
    pipeline, settings = receiver
    with connect(settings) as smtp:
        code, banner = smtp.ehlo()
        assert code == 250 and b"SIZE 20000" in banner and b"AUTH" not in banner
        assert (
            smtp.send_message(message(), to_addrs=["support@shop.example.com", "orders@help.example.com"])
            == {}
        )
    assert [handled.sender for handled in pipeline.handled] == ["jane@example.com"]
    assert pipeline.handled[0].body.strip() == "Where is my order 10042?"


def test_unknown_and_invalid_recipients_are_refused(receiver: tuple) -> None:
    _pipeline, settings = receiver
    with connect(settings) as smtp:
        smtp.ehlo()
        smtp.mail("jane@example.com")
        assert smtp.rcpt("someone@elsewhere.example.org")[0] == 550
        assert smtp.rcpt("not an address")[0] in (501, 553)
        assert smtp.rcpt("support@shop.example.com")[0] == 250
        assert smtp.rcpt("a@help.example.com")[0] == 250
        assert smtp.rcpt("b@help.example.com")[0] == 452  # TRIAGE_SMTP_MAX_RECIPIENTS is 2 here


def test_an_oversized_message_is_refused_before_it_is_read(receiver: tuple) -> None:
    pipeline, settings = receiver
    with connect(settings) as smtp, pytest.raises(smtplib.SMTPResponseException) as refused:
        smtp.send_message(message("x" * 30_000), to_addrs=["support@shop.example.com"])
    assert refused.value.smtp_code == 552 and pipeline.handled == []


def test_an_unreadable_message_gets_a_permanent_error_with_the_reason(receiver: tuple) -> None:
    pipeline, settings = receiver
    with connect(settings) as smtp, pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.sendmail(
            "jane@example.com", ["support@shop.example.com"], b"Subject: hi\r\n\r\nno From header\r\n"
        )
    assert refused.value.smtp_code == 550 and b"no valid From address" in refused.value.smtp_error
    assert pipeline.handled == []


def test_an_unavailable_backend_asks_the_sender_to_retry(receiver: tuple) -> None:
    pipeline, settings = receiver
    pipeline.failure = ServiceUnavailable("store backend", "down")
    with connect(settings) as smtp, pytest.raises(smtplib.SMTPDataError) as refused:
        smtp.send_message(message(), to_addrs=["support@shop.example.com"])
    assert refused.value.smtp_code == 451


def test_one_address_sending_too_much_is_told_to_wait(receiver: tuple) -> None:
    pipeline, settings = receiver
    codes = []
    with connect(settings) as smtp:
        for _ in range(4):
            try:
                smtp.send_message(message(), to_addrs=["support@shop.example.com"])
                codes.append(250)
            except smtplib.SMTPDataError as refused:
                codes.append(refused.smtp_code)
    assert codes == [250, 250, 250, 450] and len(pipeline.handled) == 3
