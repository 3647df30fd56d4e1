"""Where the privacy scan looks: every table and column of a database, every file under a var dir, and the
bytes of each SQLite file that no live row accounts for (freed pages, the write-ahead log).

Each reader reports `(place, row, needle)` to a callback; what is allowed and how hits add up is
privacy/scan.py's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, List, Mapping, Optional, Sequence, Set, Tuple
from urllib.parse import quote, quote_plus

from sqlalchemy import MetaData, Table, create_engine, inspect, select
from sqlalchemy.engine import Engine

from common.database import make_engine
from common.redaction import CODE

SQLITE_HEADER = b"SQLite format 3\x00"
# Compressed archives (trained models) cannot be grepped; they hold training data, not conversations.
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".gz", ".zip", ".bz2", ".xz")
# What people write between the parts of a number or a name: "+1 (415) 555-0142" is "14155550142".
_SEPARATORS = re.compile(r"[\s\-.()/+]+")


def squeeze(text: str) -> str:
    """Lowercase text without separators: the simple normalised form both the haystack and needles take."""
    return _SEPARATORS.sub("", text.lower())


@dataclass(frozen=True)
class KnownString:
    """One personal value the corpus put into the stack, with its kind (common/redaction.py's labels)."""

    kind: str
    value: str


@dataclass
class Needle:
    """A known string as the scan looks for it: as written (case-insensitive), without separators, and
    URL-encoded (an access log's query string: "jane%40example.com").

    A one-time code is six digits, which timestamps and ids also contain: it counts only standing alone
    (no digit, letter or decimal point next to it), and only as written."""

    known: KnownString
    lowered: str = field(init=False)
    squeezed: str = field(init=False)
    encoded: Tuple[str, ...] = field(init=False)
    alone: Optional[re.Pattern] = field(init=False)

    def __post_init__(self) -> None:
        self.lowered = self.known.value.lower()
        self.squeezed = squeeze(self.known.value)
        self.encoded = tuple(
            {quote(self.lowered, safe=""), quote_plus(self.lowered, safe="")} - {self.lowered}
        )
        self.alone = (
            re.compile(rf"(?<![\w.]){re.escape(self.lowered)}(?!\w)") if self.known.kind == CODE else None
        )

    def in_text(self, lowered: str, squeezed: Optional[str] = None) -> bool:
        """Whether it occurs in `lowered` (already lowercased); `squeezed` is the same text squeezed."""
        if self.alone is not None:
            return self.alone.search(lowered) is not None
        if self.lowered in lowered or any(form in lowered for form in self.encoded):
            return True
        if len(self.squeezed) < 6:  # too short without separators to mean anything
            return False
        return self.squeezed in (squeezed if squeezed is not None else squeeze(lowered))

    def in_bytes(self, lowered: str) -> bool:
        """Raw file content (lowercased, decoded byte for byte): as written or URL-encoded."""
        if self.alone is not None:
            return self.alone.search(lowered) is not None
        return self.lowered in lowered or any(form in lowered for form in self.encoded)


def matching(needles: Sequence[Needle], text: str) -> List[Needle]:
    """The needles that occur in one value (a cell or a line)."""
    lowered = text.lower()
    squeezed = squeeze(lowered)
    return [needle for needle in needles if needle.in_text(lowered, squeezed)]


# (place, row or None, needle): a place is "database:table.column" or a file path relative to the var dir.
Report = Callable[[str, Optional[Mapping[str, object]], Needle], None]


def as_text(value: object) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


def sqlite_url(path: Path) -> str:
    """A read-only URL: the scan must not change (or create) what it measures."""
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def open_database(url: str) -> Engine:
    if url.startswith("sqlite:///file:"):
        return create_engine(url, future=True)
    return make_engine(url)


def scan_database(label: str, url: str, needles: Sequence[Needle], report: Report) -> Set[str]:
    """Every column of every table (the connection's default schema on PostgreSQL); returns the values of
    the needles found in any row (the residue check uses them)."""
    found: Set[str] = set()
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            for table_name in sorted(inspect(connection).get_table_names()):
                table = Table(table_name, MetaData(), autoload_with=connection)
                rows = connection.execution_options(stream_results=True).execute(select(table))
                for row in rows.mappings():
                    for column, value in row.items():
                        text = as_text(value)
                        if not text:
                            continue
                        for needle in matching(needles, text):
                            found.add(needle.known.value)
                            report(f"{label}:{table_name}.{column}", row, needle)
    finally:
        engine.dispose()
    return found


def is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def sqlite_residue(
    label: str, path: Path, in_rows: Set[str], needles: Sequence[Needle], report: Report
) -> None:
    """Known values in the file's bytes (and its write-ahead log) that no live row holds: deleted rows on
    freed pages, or old page versions. An erasure has to leave none. (A value split across two pages is
    not seen here; the row scan sees it while it is live.)"""
    content = b"".join(
        part.read_bytes() for part in (path, path.with_name(path.name + "-wal")) if part.is_file()
    )
    lowered = content.decode("latin-1").lower()
    for needle in needles:
        if needle.known.value not in in_rows and needle.in_bytes(lowered):
            report(f"{label} (bytes outside live rows)", None, needle)


@dataclass
class VarDirContents:
    """What a var dir holds, sorted by how the scan reads it."""

    databases: List[Path] = field(default_factory=list)
    files: List[Path] = field(default_factory=list)
    skipped: List[Tuple[Path, str]] = field(default_factory=list)


def survey(var_dir: Path, excluded: Iterable[Path] = ()) -> VarDirContents:
    """Sort every file under var_dir: SQLite databases, files to grep, and files the scan cannot read."""
    leave_out = {path.resolve() for path in excluded}
    contents = VarDirContents()
    for path in sorted(var_dir.rglob("*")):
        if not path.is_file() or path.resolve() in leave_out:
            continue
        if path.name.endswith(("-wal", "-shm", "-journal")):
            continue  # read with their database (sqlite_residue)
        if is_sqlite(path):
            contents.databases.append(path)
        elif path.name.endswith(ARCHIVE_SUFFIXES):
            contents.skipped.append((path, "compressed archive"))
        else:
            contents.files.append(path)
    return contents


def scan_file(place: str, path: Path, needles: Sequence[Needle], report: Report) -> None:
    """A log line (or any line of a file) with a known value is one hit."""
    text = path.read_bytes().decode("latin-1")
    lowered = text.lower()
    squeezed_whole = squeeze(lowered)
    present = [needle for needle in needles if needle.in_text(lowered, squeezed_whole)]
    if not present:
        return
    for line in lowered.splitlines():
        squeezed_line = squeeze(line)
        for needle in present:
            if needle.in_text(line, squeezed_line):
                report(place, None, needle)
