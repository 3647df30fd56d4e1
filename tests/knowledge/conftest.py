from __future__ import annotations

import pytest

from knowledge.indexing import MiniLMEncoder


@pytest.fixture(scope="session")
def minilm() -> MiniLMEncoder:
    """all-MiniLM-L6-v2 in numpy, loaded once for the whole suite (about 90 MB)."""
    return MiniLMEncoder()
