"""Made-up people for the privacy scan's corpus (tests/e2e/privacy_corpus.py): each has a name, email, phone,
street address, card number (a valid Luhn check digit) and IBAN (valid check digits) that appear nowhere else,
and a customer record in the stack's backend, so verification by code works for them."""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from typing import Dict, List

from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from backend.customers.models import Customer as CustomerRow
from common.database import make_engine
from common.redaction import ADDRESS, CARD, CODE, EMAIL, IBAN, NAME, PHONE, TOKEN, luhn_valid
from privacy.scan_stores import KnownString
from tests.factories import Factory
from tools.stack import Stack

# Order numbers the bot accepts (5 digits starting with 1), apart from stack_people's (13_000 and up).
ORDER_ID_BASE = 16_000

NAMES = [
    "Ottoline Vasquez-Thornbury",
    "Barnaby Quillfeather",
    "Seraphina Okonkwo-Lindqvist",
    "Thaddeus Marchetti-Oyelaran",
    "Philippa Zdravkovic-Hale",
    "Leopold Achterberg-Nakamura",
    "Rosalind Featherstonehaugh",
    "Cornelius Wetherspoon-Adeyemi",
    "Isadora Pemberton-Kowalczyk",
    "Ignatius Holloway-Fairweather",
    "Marguerite Abernathy-Szabo",
    "Evander Castellanos-Whitlock",
]
STREETS = [
    "Quillon Lane",
    "Brackenfold Row",
    "Mistlethwaite Close",
    "Ravensgarth Walk",
    "Tollingbrook Mews",
    "Hazelcombe Rise",
    "Wickenshaw Terrace",
    "Skelmorlie Gardens",
    "Penderwick Crescent",
    "Ashgrove Wynd",
    "Calderbrae Drive",
    "Fennimore Yard",
]
# Account changes move people to streets no persona lives on (one street never contains another's name).
NEW_STREETS = ["Larkspur Hollow", "Gannetmoor Court", "Wrenfield Passage", "Cobbleknoll Square"]
TOWNS = ["Bramblecote", "Thistlewick", "Oakhollow", "Mirefold", "Dunmarrow", "Kestrelby"]


def card_number(rng: random.Random) -> str:
    """A Visa-shaped number with a valid Luhn check digit, written in groups of four."""
    body = "4" + "".join(str(rng.randrange(10)) for _ in range(14))
    check = next(str(digit) for digit in range(10) if luhn_valid(body + str(digit)))
    digits = body + check
    return " ".join(digits[start : start + 4] for start in range(0, 16, 4))


def iban(rng: random.Random) -> str:
    """A British IBAN with valid check digits (ISO 13616 mod 97), written in groups of four."""
    bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
    bban += "".join(str(rng.randrange(10)) for _ in range(14))
    numeric = "".join(str(int(char, 36)) for char in bban + "GB00")
    compact = f"GB{98 - int(numeric) % 97:02d}{bban}"
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))


@dataclass
class Persona:
    name: str
    email: str
    phone: str  # E.164, as the backend keeps it
    street: str
    address: str
    card: str
    iban: str
    order_ids: List[int]

    @property
    def phone_as_typed(self) -> str:
        """ "+1 (415) 555-0142": how people write it, which the scan must still recognise."""
        digits = self.phone[2:]
        return f"+1 ({digits[:3]}) {digits[3:6]}-{digits[6:]}"


@dataclass
class KnownStrings:
    """Every personal value the corpus put in, with its kind; written to the scan's strings file."""

    strings: List[KnownString] = field(default_factory=list)

    def add(self, kind: str, value: str) -> str:
        if value and KnownString(kind, value) not in self.strings:
            self.strings.append(KnownString(kind, value))
        return value

    def add_persona(self, persona: Persona) -> None:
        for kind, value in [
            (NAME, persona.name),
            (EMAIL, persona.email),
            (PHONE, persona.phone),
            (ADDRESS, persona.street),
            (CARD, persona.card),
            (IBAN, persona.iban),
        ]:
            self.add(kind, value)

    def count(self, kind: str) -> int:
        return sum(1 for item in self.strings if item.kind == kind)

    def as_json(self) -> List[Dict[str, str]]:
        return [{"kind": item.kind, "value": item.value} for item in self.strings]


class People:
    """Makes personas as customers of the stack's backend (with one delivered order each)."""

    def __init__(self, stack: Stack, known: KnownStrings) -> None:
        self.known = known
        self.session_factory = sessionmaker(
            bind=make_engine(stack.config.database_url or stack.env()["DATABASE_URL"]),
            future=True,
            expire_on_commit=False,
        )
        self.factory = Factory(self, order_id_base=ORDER_ID_BASE)
        self.rng = random.Random(secrets.randbits(64))
        self.made = 0

    def persona(self) -> Persona:
        index = self.made
        self.made += 1
        made = self.factory.customer(
            [{"status": "delivered", "total_cents": 8450, "delivered_days_ago": 3}], with_phone=True
        )
        street = f"{self.rng.randrange(2, 98)} {STREETS[index % len(STREETS)]}"
        town = TOWNS[index % len(TOWNS)]
        postcode = (
            f"{self.rng.choice('BCDFHKMRTW')}{self.rng.choice('BCDFHKMRTW')}{self.rng.randrange(1, 9)} "
        )
        postcode += f"{self.rng.randrange(1, 9)}{self.rng.choice('ABDEFGHJ')}{self.rng.choice('LNPQRSTU')}"
        persona = Persona(
            name=NAMES[index % len(NAMES)],
            email=f"{NAMES[index % len(NAMES)].split()[0].lower()}.{secrets.token_hex(4)}@example.net",
            phone=made.phone or "",
            street=street,
            address=f"{street}, {town}, {postcode}, United Kingdom",
            card=card_number(self.rng),
            iban=iban(self.rng),
            order_ids=made.order_ids,
        )
        with self.session_factory() as session:
            session.execute(
                update(CustomerRow)
                .where(CustomerRow.id == made.id)
                .values(name=persona.name, email=persona.email, address=persona.address)
            )
            session.commit()
        self.known.add_persona(persona)
        return persona

    def new_street(self) -> str:
        """A second address (an account change), registered as known."""
        street = f"{self.rng.randrange(100, 998)} {NEW_STREETS[self.made % len(NEW_STREETS)]}"
        return self.known.add(ADDRESS, street)


__all__ = ["CODE", "TOKEN", "KnownStrings", "People", "Persona"]
