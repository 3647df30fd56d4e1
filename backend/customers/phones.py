"""Phone numbers in one form (E.164), so "+1 (202) 555-0100" and "2025550100" are the same number.

Numbers are unique per account: a shared number could never prove who is on the phone.
"""

from __future__ import annotations

import os
from typing import Optional

import phonenumbers

# Numbers typed without a country code are read as numbers of this region.
DEFAULT_REGION = os.environ.get("DEFAULT_PHONE_REGION", "US")


def normalise_phone(raw: Optional[str]) -> Optional[str]:
    """The E.164 form (+12025550100), or None when the text cannot be a phone number."""
    if not raw or len(raw) > 40:
        return None
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
