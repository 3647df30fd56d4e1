"""The privacy scan: which stores hold known personal data in clear, counted store by store.

Given the values a corpus put into a stack (names, emails, phones, card numbers, IBANs, addresses, one-time
codes, verification tokens: a JSON file of `{"kind", "value"}`), it reads every table and column of every
SQLite file under the stack's var dir (and any other database named with --database, PostgreSQL included),
every other file there (logs, attachments, queues, the SQL event stream is one of the SQLite files), the
bytes of each SQLite file that no live row holds, and RabbitMQ's events when the stack sends them there (a
copy taken while the corpus plays, privacy/scan_broker.py). Each value is looked for as written (any case) and without
separators ("4539 1488 0343 6467" is also "4539148803436467").

Allowed places: the backend's customer record and the contact address on a verified ticket. Any other hit
is a leak: the table printed lists them per store and per kind, and the exit status is 1.

    python -m privacy.scan --var-dir DIR --strings FILE [--database NAME=URL ...]
                           [--broker-messages FILE] [--json OUT]

`make privacy-scan` seeds a corpus through a real stack first (tests/e2e/privacy_corpus.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from common.redaction import ADDRESS, CARD, CODE, EMAIL, IBAN, NAME, PHONE, TOKEN
from privacy.scan_stores import (
    KnownString,
    Needle,
    matching,
    scan_database,
    scan_file,
    sqlite_residue,
    sqlite_url,
    survey,
)

KINDS = (NAME, EMAIL, PHONE, CARD, IBAN, ADDRESS, CODE, TOKEN)
BROKER_PLACE = "broker: RabbitMQ exchange rasa-exchange (the scan's copy)"
# The backend's database: its SQLite file in a stack's var dir, or the name given with --database.
BACKEND_DATABASES = ("backend.db", "backend")


@dataclass(frozen=True)
class AllowedPlace:
    """A column that may hold personal data in clear (the issue's list, nothing more)."""

    table: str
    why: str
    column: Optional[str] = None  # None: any column of the table
    kinds: Tuple[str, ...] = KINDS
    row_allows: Callable[[Mapping[str, object]], bool] = lambda _row: True

    def allows(self, database: str, table: str, column: str, kind: str, row: Mapping[str, object]) -> bool:
        return (
            database in BACKEND_DATABASES
            and table == self.table
            and (self.column is None or column == self.column)
            and kind in self.kinds
            and self.row_allows(row)
        )


ALLOWED_PLACES = (
    AllowedPlace("customers", "the backend's customer record"),
    AllowedPlace(
        "tickets",
        "contact address on a verified ticket",
        column="customer_email",
        kinds=(EMAIL,),
        row_allows=lambda row: row.get("customer_id") is not None,
    ),
)


def allowed_because(place: str, row: Optional[Mapping[str, object]], kind: str) -> Optional[str]:
    """Why a hit is allowed where it is, or None when it is a leak. Only table cells can be allowed."""
    if row is None or ":" not in place:
        return None
    database, location = place.split(":", 1)
    table, _, column = location.partition(".")
    for allowed in ALLOWED_PLACES:
        if allowed.allows(database, table, column, kind, row):
            return allowed.why
    return None


@dataclass
class ScanResult:
    """Hits per (store, why it is allowed or None) and per kind; what could not be read."""

    known: Counter = field(default_factory=Counter)
    hits: Dict[Tuple[str, Optional[str]], Counter] = field(default_factory=lambda: defaultdict(Counter))
    skipped: List[Tuple[str, str]] = field(default_factory=list)

    def record(self, place: str, row: Optional[Mapping[str, object]], needle: Needle) -> None:
        kind = needle.known.kind
        self.hits[(place, allowed_because(place, row, kind))][kind] += 1

    def outside(self) -> Dict[str, Counter]:
        return {place: kinds for (place, why), kinds in self.hits.items() if why is None}

    def allowed(self) -> Dict[str, Counter]:
        return {f"{place} [{why}]": kinds for (place, why), kinds in self.hits.items() if why is not None}

    def leaks(self) -> int:
        return sum(sum(kinds.values()) for kinds in self.outside().values())

    def as_json(self) -> Dict[str, object]:
        return {
            "known": dict(self.known),
            "outside_allowed": {place: dict(kinds) for place, kinds in sorted(self.outside().items())},
            "allowed": {place: dict(kinds) for place, kinds in sorted(self.allowed().items())},
            "skipped": self.skipped,
            "leaks": self.leaks(),
        }


def load_known(path: Path) -> List[KnownString]:
    """The strings file: a JSON list of {"kind", "value"}, or an object with such a list under "strings"."""
    data = json.loads(path.read_text())
    items = data["strings"] if isinstance(data, dict) else data
    known = [KnownString(item["kind"], item["value"]) for item in items]
    unknown_kinds = {item.kind for item in known} - set(KINDS)
    if unknown_kinds:
        raise SystemExit(f"{path}: unknown kinds {sorted(unknown_kinds)}; use {', '.join(KINDS)}")
    return known


def scan(
    var_dir: Path,
    known: Sequence[KnownString],
    databases: Optional[Mapping[str, str]] = None,
    excluded: Sequence[Path] = (),
    broker_messages: Sequence[str] = (),
) -> ScanResult:
    """Every store under var_dir plus the named databases (name -> SQLAlchemy URL) and the messages a
    BrokerTap copied from RabbitMQ (privacy/scan_broker.py)."""
    needles = [Needle(item) for item in known]
    result = ScanResult(known=Counter(item.kind for item in known))
    contents = survey(var_dir, excluded)
    for path in contents.databases:
        label = str(path.relative_to(var_dir))
        in_rows = scan_database(label, sqlite_url(path), needles, result.record)
        sqlite_residue(label, path, in_rows, needles, result.record)
    for name, url in (databases or {}).items():
        scan_database(name, url, needles, result.record)
    for path in contents.files:
        scan_file(str(path.relative_to(var_dir)), path, needles, result.record)
    for message in broker_messages:
        for needle in matching(needles, message):
            result.record(BROKER_PLACE, None, needle)
    result.skipped = [(str(path.relative_to(var_dir)), why) for path, why in contents.skipped]
    return result


def _row(store: str, kinds: Counter, width: int) -> str:
    cells = "".join(f"{kinds.get(kind, 0) or '.':>9}" for kind in KINDS)
    return f"{store:<{width}} {sum(kinds.values()):>6}{cells}"


def table(result: ScanResult) -> str:
    """The scan's table: clear-text hits per store (a matching cell or line per known value) and per kind."""
    outside, allowed = result.outside(), result.allowed()
    width = max([len(store) for store in [*outside, *allowed]] + [40])
    header = f"{'store':<{width}} {'hits':>6}" + "".join(f"{kind.lower():>9}" for kind in KINDS)
    known = ", ".join(f"{kind.lower()} {result.known.get(kind, 0)}" for kind in KINDS)
    lines = [f"Known strings: {known}", "", header, "-" * len(header), "Outside the allowed places:"]
    lines += [_row(store, outside[store], width) for store in sorted(outside)] or ["  (none)"]
    lines += ["", "Allowed places:"]
    lines += [_row(store, allowed[store], width) for store in sorted(allowed)] or ["  (none)"]
    total: Counter = Counter()
    for kinds in outside.values():
        total.update(kinds)
    lines += ["-" * len(header), _row("TOTAL outside the allowed places", total, width)]
    lines += [f"  not read: {path} ({why})" for path, why in result.skipped]
    return "\n".join(lines)


def parse_databases(values: Sequence[str]) -> Dict[str, str]:
    named = {}
    for value in values:
        name, separator, url = value.partition("=")
        if not separator or not name or not url:
            raise SystemExit(f"--database takes NAME=URL, not {value!r}")
        named[name] = url
    return named


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privacy.scan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--var-dir", type=Path, required=True, help="the stack's state folder")
    parser.add_argument("--strings", type=Path, required=True, help="JSON list of {kind, value}")
    parser.add_argument(
        "--database",
        action="append",
        default=[],
        help="NAME=URL of a database outside the var dir (PostgreSQL); name the backend's 'backend'",
    )
    parser.add_argument(
        "--broker-messages",
        type=Path,
        help="JSON list of the message bodies a BrokerTap copied from RabbitMQ",
    )
    parser.add_argument("--json", type=Path, help="also write the counts here")
    arguments = parser.parse_args(argv)
    result = scan(
        arguments.var_dir,
        load_known(arguments.strings),
        parse_databases(arguments.database),
        excluded=[arguments.strings, *([arguments.json] if arguments.json else [])],
        broker_messages=json.loads(arguments.broker_messages.read_text())
        if arguments.broker_messages
        else (),
    )
    print(table(result))
    if arguments.json:
        arguments.json.parent.mkdir(parents=True, exist_ok=True)
        arguments.json.write_text(json.dumps(result.as_json(), indent=2))
    return 1 if result.leaks() else 0


if __name__ == "__main__":
    sys.exit(main())
