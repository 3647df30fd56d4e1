"""The knowledge base's settings: safe defaults, and a clear refusal of values it cannot use."""

from __future__ import annotations

import pytest

from common.env import ConfigurationError
from common.knowledge_settings import DEFAULT_ANSWER_THRESHOLD, DEFAULT_MARGIN, knowledge_settings
from common.paths import REPO_ROOT, VAR_DIR
from common.settings import action_server_settings

VARIABLES = ("KB_DIR", "KB_PUBLISHED_DIR", "KB_INDEX_DIR", "KB_VECTOR_STORE", "QDRANT_URL")


def test_defaults_serve_the_seed_and_the_published_folder_from_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES + ("KB_ANSWER_THRESHOLD", "KB_MARGIN", "KB_REFRESH_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    settings = knowledge_settings()
    assert settings.sources == (REPO_ROOT / "data" / "kb", VAR_DIR / "kb-published")
    assert (settings.vector_store, settings.index_dir) == ("numpy", VAR_DIR / "kb-index")
    assert settings.qdrant_location == str(VAR_DIR / "kb-index" / "qdrant")  # local mode unless a URL is set
    assert (settings.answer_threshold, settings.margin, settings.refresh_seconds) == (
        DEFAULT_ANSWER_THRESHOLD,
        DEFAULT_MARGIN,
        5,
    )
    monkeypatch.setenv("KB_DIR", "/srv/kb")
    assert action_server_settings().kb_dir == knowledge_settings().kb_dir  # one reading of KB_DIR


def test_qdrant_is_chosen_with_its_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_VECTOR_STORE", "Qdrant")
    monkeypatch.setenv("QDRANT_URL", "http://qdrant:6333")
    settings = knowledge_settings()
    assert (settings.vector_store, settings.qdrant_location) == ("qdrant", "http://qdrant:6333")


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("KB_VECTOR_STORE", "faiss", "KB_VECTOR_STORE must be one of numpy, qdrant, not 'faiss'"),
        ("KB_ANSWER_THRESHOLD", "1.5", "KB_ANSWER_THRESHOLD must be between 0 and 1"),
        ("KB_MARGIN", "-0.1", "KB_MARGIN must be between 0 and 1"),
        ("KB_REFRESH_SECONDS", "soon", "KB_REFRESH_SECONDS must be a number"),
    ],
)
def test_unusable_values_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        knowledge_settings()
