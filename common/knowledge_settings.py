"""The knowledge base's settings (knowledge/: the action server's answers, the console's editor and agent
assist), beside common/settings.py with the same typed readers of common/env.py. README "Knowledge base"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from common.env import ConfigurationError, number, text
from common.paths import REPO_ROOT, VAR_DIR

VECTOR_STORES = ("numpy", "qdrant")
# Chosen on tests/kb/questions_dev.yml only (`python -m knowledge tune`); knowledge/retriever.py says how.
DEFAULT_ANSWER_THRESHOLD = 0.46
DEFAULT_MARGIN = 0.03


def kb_dir() -> Path:
    """The articles kept in git (the seed); the action server's settings read it from here too."""
    return Path(text("KB_DIR", str(REPO_ROOT / "data" / "kb")))


@dataclass(frozen=True)
class KnowledgeSettings:
    kb_dir: Path  # the git seed
    published_dir: Path  # the console writes each published article here; it overrides the seed
    index_dir: Path  # cached passage vectors (by content hash) and Qdrant's local-mode folder
    vector_store: str  # numpy (in the process) or qdrant
    qdrant_location: str  # a server URL, ":memory:", or a folder (the client's local mode)
    answer_threshold: float  # below it, the bot says it doesn't know and offers a person
    margin: float  # the best article must beat the second by at least this, or the bot abstains
    refresh_seconds: float  # how often a running process looks for published changes

    @property
    def sources(self) -> Tuple[Path, ...]:
        return (self.kb_dir, self.published_dir)


def knowledge_settings() -> KnowledgeSettings:
    index_dir = Path(text("KB_INDEX_DIR", str(VAR_DIR / "kb-index")))
    store = text("KB_VECTOR_STORE", "numpy").lower()
    if store not in VECTOR_STORES:
        raise ConfigurationError(f"KB_VECTOR_STORE must be one of {', '.join(VECTOR_STORES)}, not {store!r}.")
    qdrant_url: Optional[str] = text("QDRANT_URL", "") or None
    threshold = number("KB_ANSWER_THRESHOLD", DEFAULT_ANSWER_THRESHOLD)
    margin = number("KB_MARGIN", DEFAULT_MARGIN)
    refresh = number("KB_REFRESH_SECONDS", 5)
    for name, value in (("KB_ANSWER_THRESHOLD", threshold), ("KB_MARGIN", margin)):
        if not 0 <= value <= 1:
            raise ConfigurationError(f"{name} must be between 0 and 1, not {value}.")
    if refresh < 0:
        raise ConfigurationError(f"KB_REFRESH_SECONDS must be 0 or more, not {refresh}.")
    return KnowledgeSettings(
        kb_dir=kb_dir(),
        published_dir=Path(text("KB_PUBLISHED_DIR", str(VAR_DIR / "kb-published"))),
        index_dir=index_dir,
        vector_store=store,
        qdrant_location=qdrant_url or str(index_dir / "qdrant"),
        answer_threshold=threshold,
        margin=margin,
        refresh_seconds=refresh,
    )
