"""One real stack for every end-to-end test: backend, action server, Rasa, agent console, web chat.

It trusts X-Real-IP as it would behind our nginx, so each test customer can come from an address of its own
(tests/e2e/helpers.py), as real customers do, and per-address limits are tested where they are meant to be.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tools.stack import Stack, StackConfig


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    var_dir = tmp_path_factory.mktemp("stack")
    running = Stack(
        StackConfig.isolated(
            var_dir,
            extra_env={
                "HANDOFF_RETRY_SECONDS": "2",
                "BACKEND_BREAKER_RESET_SECONDS": "2",
                "BACKEND_CONNECT_TIMEOUT": "1",
                "FRONTDESK_TRUST_PROXY": "true",
                "CONSOLE_AVAILABILITY_CACHE_SECONDS": "0",
            },
        )
    )
    running.start(timeout=300)
    yield running
    running.stop()
