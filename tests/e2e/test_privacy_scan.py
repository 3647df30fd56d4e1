"""The privacy scan on the real stack (issue 14): a corpus with known personal values goes in over REST and
the web chat, through handoffs, agent replies, tickets, a refund and account changes; then every store
under the stack's var dir is searched for those values. Only the backend's customer record and the contact
address on a verified ticket may hold them: anything else is a leak, and the table says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.redaction import EMAIL, NAME
from privacy.scan import KnownString, load_known, scan, table
from tests.e2e.helpers import console_agent
from tests.e2e.privacy_corpus import seed
from tests.e2e.privacy_personas import KnownStrings
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

    # Erased (one privacy user asks, another approves): then not even the customer record holds them.
    erased = seeded.personas[1]
    asked = console_agent(stack, "alice").post(
        f"{stack.config.console_url}/api/privacy/requests",
        json={"kind": "erasure", "email": erased.email, "reason": "the customer asked (privacy scan)"},
        timeout=30,
    )
    assert asked.status_code == 201, asked.text
    done = console_agent(stack, "priya").post(
        f"{stack.config.console_url}/api/privacy/requests/{asked.json()['id']}/approve", timeout=120
    )
    assert done.status_code == 200, done.text
    receipt = {entry["store"]: entry["rows"] for entry in done.json()["result"]["stores"]}
    assert receipt["rasa.conversation_keys"] >= 1 and receipt["backend.customers"] == 1, receipt
    theirs = KnownStrings()
    theirs.add_persona(erased)
    after = scan(stack.config.var_dir, [KnownString(each.kind, each.value) for each in theirs.strings])
    after_report = table(after)
    print(after_report)
    assert after.leaks() == 0 and not after.allowed(), f"the erased customer is still here:\n{after_report}"
