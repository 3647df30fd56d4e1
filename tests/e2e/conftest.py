"""One real stack for every end-to-end test: backend, action server, Rasa, agent console, web chat."""

from __future__ import annotations

from typing import Iterator

import pytest

from tools.stack import Stack, StackConfig

TOKEN = "e2e-backend-token"


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("stack")
    running = Stack(
        StackConfig.isolated(
            var_dir,
            TOKEN,
            extra_env={
                "HANDOFF_QUEUE_PATH": str(var_dir / "pending-handoffs.db"),
                "HANDOFF_RETRY_SECONDS": "2",
                "BACKEND_BREAKER_RESET_SECONDS": "2",
                "BACKEND_CONNECT_TIMEOUT": "1",
            },
        )
    )
    running.start(timeout=300)
    yield running
    running.stop()
