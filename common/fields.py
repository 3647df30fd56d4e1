"""Bounded request fields, named once for every API's request bodies.

Pydantic 1 builds constrained types with calls such as constr(max_length=...), which mypy cannot read in an
annotation (and the pydantic mypy plugin crashes with this mypy). So each bounded type is built here once;
type checkers see the plain type it validates into.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, TypeAlias

from pydantic import condecimal, constr

if TYPE_CHECKING:
    Name: TypeAlias = str
    Password: TypeAlias = str
    Subject: TypeAlias = str
    EmailSubject: TypeAlias = str
    LongText: TypeAlias = str
    ShortId: TypeAlias = str
    Note: TypeAlias = str
    Quote: TypeAlias = str
    Reply: TypeAlias = str
    Address: TypeAlias = str
    LinkToken: TypeAlias = str
    OneTimeCode: TypeAlias = str
    PhoneText: TypeAlias = str
    Reason: TypeAlias = str
    ItemSize: TypeAlias = str
    ActionReason: TypeAlias = str
    Money: TypeAlias = Decimal
else:
    # A person's or agent's name, a username.
    Name = constr(strip_whitespace=True, min_length=1, max_length=100)
    Password = constr(min_length=1, max_length=200)
    Subject = constr(strip_whitespace=True, min_length=1, max_length=300)
    EmailSubject = constr(strip_whitespace=True, min_length=1, max_length=200)
    # Message bodies: chat messages, emails, ticket messages.
    LongText = constr(min_length=1, max_length=20_000)
    # Conversation ids and similar external references.
    ShortId = constr(max_length=200)
    # Notes an agent writes: corrections and the text they correct.
    Note = constr(strip_whitespace=True, min_length=1, max_length=5000)
    Quote = constr(max_length=5000)
    Reply = constr(max_length=2000)
    Address = constr(strip_whitespace=True, min_length=10, max_length=500)
    LinkToken = constr(strip_whitespace=True, min_length=20, max_length=100)
    OneTimeCode = constr(strip_whitespace=True, min_length=1, max_length=20)
    PhoneText = constr(strip_whitespace=True, regex=r"^\+?[0-9 ()-]{6,20}$")
    Reason = constr(strip_whitespace=True, max_length=500)
    # A garment or shoe size as the store writes it: S, XL, 42, 10.5, 32/34.
    ItemSize = constr(strip_whitespace=True, regex=r"^[A-Za-z0-9][A-Za-z0-9 ./-]{0,19}$")
    # Why an agent acted for a customer (kept with the action): required, never empty.
    ActionReason = constr(strip_whitespace=True, min_length=3, max_length=500)
    Money = condecimal(gt=0, max_digits=10, decimal_places=2)
