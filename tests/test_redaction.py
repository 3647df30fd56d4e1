"""common/redaction.py: every kind of personal data is masked, and ordinary support language is not."""

from __future__ import annotations

from typing import Iterable

import pytest

from common.redaction import (
    STORE_IDENTIFIERS,
    Context,
    Redactor,
    Span,
    find_spans,
    iban_valid,
    luhn_valid,
    redact,
    redact_in,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jane.doe+shop@example.co.uk please", "write to [EMAIL] please"),
        ("call me on +44 20 7946 0958", "call me on [PHONE]"),
        ("E.164: +4915112345678", "E.164: [PHONE]"),
        ("my number is (555) 123-4567", "my number is [PHONE]"),
        ("or 555-123-4567 after six", "or [PHONE] after six"),
        ("mobile 07700 900123", "mobile [PHONE]"),
        ("card 4111 1111 1111 1111 was charged", "card [CARD] was charged"),
        ("card 5500-0000-0000-0004", "card [CARD]"),
        ("refund to DE89 3704 0044 0532 0130 00 thanks", "refund to [IBAN] thanks"),
        ("refund to GB82WEST12345698765432", "refund to [IBAN]"),
        ("the code is 482913", "the code is [CODE]"),
        ("482 913", "[CODE]"),
        ("my verification code: 4821", "my verification code: [CODE]"),
        ("where is order 10042?", "where is order [ORDER]?"),
        ("order #10042 and #10043", "order #[ORDER] and #[ORDER]"),
        ("I need invoice INV-2024-0042", "I need invoice [INVOICE]"),
        (
            "open https://shop.example/verify?token=Zx8_kP2mQ9rT4vW7yB1nC3dF5",
            "open https://shop.example/verify?token=[TOKEN]",
        ),
        ("my name is Jane Doe", "my name is [NAME]"),
        ("my name is jane", "my name is [NAME]"),
        ("Hi, I'm Sarah Connor and my parcel is late", "Hi, I'm [NAME] and my parcel is late"),
        ("Hello, this is Tom. Where is my refund?", "Hello, this is [NAME]. Where is my refund?"),
        ("Where is my refund?\nThanks, Maria", "Where is my refund?\nThanks, [NAME]"),
        ("still waiting. Kind regards, Ann Lee.", "still waiting. Kind regards, [NAME]."),
    ],
)
def test_each_kind_of_personal_data_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "what is my order status",
        "it cost €12.50 and shipping was $4.99",
        "I paid 1,250.00 on 2024-05-12",
        "delivered 12/05/2024 at 14:30",
        "my iPhone 12 arrived broken",
        "I'm not happy with the delivery",
        "I'm looking for a size 42 shoe",
        "This is ridiculous, three weeks!",
        "internationalisation settings",
        "ref 1234567",
        "thanks",
        "Thanks, that helps",
    ],
)
def test_ordinary_support_language_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_a_sixteen_digit_number_failing_luhn_is_not_a_card() -> None:
    assert not luhn_valid("4111111111111112")
    assert "[CARD]" not in redact("number 4111 1111 1111 1112 on the box")
    assert redact("4111111111111111") == "[CARD]"


def test_an_iban_with_a_wrong_check_digit_is_not_an_iban() -> None:
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE88 3704 0044 0532 0130 00")
    assert "[IBAN]" not in redact("DE88 3704 0044 0532 0130 00")


def test_short_numbers_are_codes_only_when_a_code_was_asked_for() -> None:
    assert redact("it's 4829") == "it's 4829"
    assert redact("it's 4829", code_was_asked=True) == "it's [CODE]"
    # An order number stays an order number even while a code is expected.
    assert redact("10042", code_was_asked=True) == "[ORDER]"


def test_the_customers_own_values_are_masked_wherever_they_appear() -> None:
    known = ["Jane Doe", "jane@shop.example", "+44 7700 900123", "12 Acacia Avenue"]
    text = "Jane here; JANE@shop.example; ring 07700900123; ship to 12 acacia avenue. Doe family"
    assert redact(text, known_values=known) == (
        "[NAME] here; [EMAIL]; ring [PHONE]; ship to [ADDRESS]. [NAME] family"
    )
    assert redact("hi", known_values=["", "  ", "Al"]) == "hi"  # too short to mask safely


def test_overlapping_spans_keep_the_longest() -> None:
    # The card contains a 6-digit run and a phone-like run; the card is the longer span.
    spans = find_spans("pay with 4111 1111 1111 1111")
    assert [(span.label, span.start, span.end) for span in spans] == [("CARD", 9, 28)]


def test_recognisers_are_pluggable() -> None:
    def shoe_sizes(text: str, _context: Context) -> Iterable[Span]:
        start = text.find("size 42")
        return [Span(start, start + 7, "SIZE")] if start >= 0 else []

    redactor = Redactor([shoe_sizes])
    assert redactor.redact("size 42 for jane@shop.example") == "[SIZE] for jane@shop.example"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ship to 14 Elm Street, Leeds LS6 2AB please", "ship to [ADDRESS] please"),
        ("deliver to 1200 Market Street, San Francisco, CA 94102", "deliver to [ADDRESS]"),
        ("Lindenstraße 12, 80331 München", "[ADDRESS]"),
        ("postcode is BS8 1TH", "postcode is [ADDRESS]"),
        ("Flat 12B, 88 High Street, Cardiff CF10 1AA", "[ADDRESS]"),
        ("Hi Chloe, did the refund go through?", "Hi [NAME], did the refund go through?"),
        ("Dear Ms Schneider, thanks", "Dear Ms [NAME], thanks"),
        ("signed for by J. Smith", "signed for by [NAME]"),
        ("Daniela Costa here, can you help?", "[NAME] here, can you help?"),
        ("IBAN NL19 ABNA 7766 0693 14, account holder Pieter de Vries", "IBAN [IBAN], account holder [NAME]"),
        ("SE66 6572 2986 5468 5005 0883 please", "[IBAN] please"),
        ("bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl", "bearer [TOKEN]"),
        (
            "link https://shop.example/v/7c1e44b2a9d03f58e6b1c0d94a27f3e5",
            "link https://shop.example/v/[TOKEN]",
        ),
        ("US number 1-800-555-0142", "US number [PHONE]"),
        ("thanks so much james!", "thanks so much [NAME]!"),
    ],
)
def test_addresses_names_and_secrets_in_context(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "12 bottles of wine, 2 days in a row, 3 weeks on the way",
        "the promo code SUMMER2024SALE doesn't apply",
        "The item number 778812 on the website is wrong",
        "tracking number JJD000390007123456789 from DHL",
        "Do you sell Tommy Hilfiger jeans or Victoria Beckham sunglasses?",
        "Hey Alexa, play music",
        "Thanks, Support Team",
        "I'm in London this week",
        "the Levi's 501 in W32 L34",
        "2 Olive Green hoodies, 3 days in a row",
        "It's Nike Air, it's Tuesday",
        "I am Italian",
        "cancel my order at Best Buy",
    ],
)
def test_look_alikes_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_an_address_typed_in_lower_case_is_masked_with_its_flat_and_zip_line() -> None:
    assert redact("my address is 5 elm road, apt 3") == "my address is [ADDRESS]"
    assert redact("ship to 890 river drive, austin tx 78701") == "ship to [ADDRESS]"


def test_a_known_address_is_masked_by_its_parts() -> None:
    known = ["9 Mecklenburgh Square, London WC1N 2AD"]
    assert redact("ship it to 9 mecklenburgh square", known_values=known) == "ship it to [ADDRESS]"
    assert redact("postcode wc1n 2ad", known_values=known) == "postcode [ADDRESS]"


def test_kept_labels_are_found_but_stay_as_written() -> None:
    text = "Jane Doe asked about order 10043 and invoice INV-2024-0042 at jane@example.org"
    assert redact(text) == "[NAME] asked about order [ORDER] and invoice [INVOICE] at [EMAIL]"
    kept = redact(text, keep=STORE_IDENTIFIERS)
    assert kept == "[NAME] asked about order 10043 and invoice INV-2024-0042 at [EMAIL]"
    # Still found: a kept order number is not read as something else.
    assert redact_in({"note": text, "ids": [text], "n": 3}, keep=STORE_IDENTIFIERS) == {
        "note": kept,
        "ids": [kept],
        "n": 3,
    }
