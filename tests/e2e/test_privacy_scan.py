"""The privacy scan on the real stack (issue 14): a corpus with known personal values goes in over REST and
the web chat, through handoffs, agent replies, tickets, a refund and account changes; then every store
under the stack's var dir is searched for those values. Only the backend's customer record and the contact
address on a verified ticket may hold them: anything else is a leak, and the table says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.redaction import EMAIL, NAME
from privacy.scan import load_known, scan, table
from tests.e2e.privacy_corpus import seed
from tools.stack import Stack

pytestmark = pytest.mark.e2e


def test_no_personal_data_in_clear_outside_the_customer_record(stack: Stack, tmp_path: Path) -> None:
    strings_file = tmp_path / "privacy-strings.json"  # outside the var dir: the scan must not find its list
    seeded = seed(stack, strings_file)
    known = seeded.known
    assert load_known(strings_file) == known.strings

    result = scan(stack.config.var_dir, known.strings, broker_messages=seeded.broker_messages)
    report = table(result)
    print(report)

    # The scan reads the stores for real: every persona is in the backend's customer record.
    record = {
        place: kinds for place, kinds in result.allowed().items() if place.startswith("backend.db:customers.")
    }
    assert sum(kinds[EMAIL] for kinds in record.values()) >= known.count(EMAIL), report
    assert sum(kinds[NAME] for kinds in record.values()) >= known.count(NAME), report
    assert result.leaks() == 0, f"personal data in clear outside the allowed places:\n{report}"
