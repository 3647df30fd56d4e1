"""Shared fixtures: the reference backend as a real HTTP process on SQLite and, where reachable, PostgreSQL;
one real stack for every end-to-end and attack test. The helpers they use are in tests/support.py."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from common.database import make_engine, make_session_factory
from tests import attacks
from tests.peers.processes import PlatformPeers
from tests.support import BackendServer, Factory, postgres_schema, start_backend, stop_backend
from tools.stack import REPO_ROOT, Stack, StackConfig

# The suite runs every service in development mode, explicitly (production is the default and refuses
# development secrets; tests/audit/test_defaults.py checks that refusal on processes started without this).
os.environ["FRONTDESK_ENV"] = "development"


@pytest.fixture(scope="session")
def sqlite_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendServer]:
    """The backend on a fresh SQLite file."""
    folder = tmp_path_factory.mktemp("sqlite-backend")
    server = start_backend(f"sqlite:///{folder}/backend.db", folder / "backend.log", "sqlite")
    yield server
    stop_backend(server)


@pytest.fixture(scope="session")
def postgres_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackendServer]:
    """The backend on a private schema of the real PostgreSQL server."""
    with postgres_schema("frontdesk_test") as database_url:
        folder = tmp_path_factory.mktemp("postgres-backend")
        server = start_backend(database_url, folder / "backend.log", "postgresql")
        yield server
        stop_backend(server)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_server(request: pytest.FixtureRequest) -> BackendServer:
    """Each backend test runs once per database."""
    return request.getfixturevalue("sqlite_backend" if request.param == "sqlite" else "postgres_backend")


@pytest.fixture
def factory(backend_server: BackendServer) -> Factory:
    # Backend tests may use any order number; the bot only accepts 5-digit ones, see tests/actions.
    return Factory(backend_server, order_id_base=200_000)


@pytest.fixture(scope="session")
def platform_peers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformPeers]:
    """Local Slack and Telegram (tests/peers/): the stack's Slack and Telegram channels talk to them."""
    peers = PlatformPeers.start(tmp_path_factory.mktemp("peers"))
    yield peers
    peers.stop()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, platform_peers: PlatformPeers) -> Iterator[Stack]:
    """One real stack for every end-to-end and attack test: backend, action server, Rasa, console, web chat,
    with its Slack and Telegram channels pointed at the local peers.

    It trusts X-Real-IP as it would behind our nginx, so each test customer can come from an address of
    its own (tests/e2e/helpers.py), as real customers do, and per-address limits are tested where meant.
    """
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
                # Host pages for the widget's browser test are served from other ports of this machine.
                "WEBCHAT_EMBED_ORIGINS": "http://127.0.0.1:*",
                # Waiting pages ask for their place every second, so updates show within a test's patience.
                "WEBCHAT_QUEUE_POLL_SECONDS": "1",
                # Customers' files stay in the stack's own folder; a small limit keeps the over-size test light.
                "ATTACHMENTS_DIR": str(var_dir / "attachments"),
                "ATTACHMENT_MAX_BYTES": "200000",
                **platform_peers.env,
            },
        )
    )
    running.start(timeout=300)
    platform_peers.connect(running.config.rasa_url, running.env())
    yield running
    running.stop()


@pytest.fixture(scope="session")
def learning_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own for the learning loop (tests/e2e/test_*learning*, test_model_registry): promotions
    and rollbacks there must not change the model the other tests talk to. Rasa pulls every 2 s."""
    running = Stack(
        StackConfig.isolated(
            tmp_path_factory.mktemp("learning"),
            model_pull_seconds=2,
            extra_env={"FRONTDESK_TRUST_PROXY": "true", "CONSOLE_AVAILABILITY_CACHE_SECONDS": "0"},
        )
    )
    running.start(timeout=300)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def registry_db(learning_stack: Stack) -> Iterator[Session]:
    """The learning stack's console database, where the model registry lives."""
    engine = make_engine(learning_stack.env()["CONSOLE_DATABASE_URL"])
    with make_session_factory(engine)() as session:
        yield session


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """The attack suite's one line per attack class (make audit, and at the end of make test)."""
    if not attacks.LEDGER:
        return
    terminalreporter.section("attack suite")
    for line in attacks.report_lines():
        terminalreporter.write_line(line)
    attacks.write_json(REPO_ROOT / "results" / "audit.json")


@dataclass
class StackDatabase:
    """The stack backend's database, for arranging test data the way Factory does."""

    session_factory: sessionmaker


@pytest.fixture(scope="session")
def stack_people(stack: Stack) -> Factory:
    """Customers of their own in the stack's backend, so attack tests never spend the demo customers' budgets.
    Order numbers are ones the bot accepts (5 digits starting with 1)."""
    engine = make_engine(stack.config.database_url or "")
    return Factory(
        StackDatabase(sessionmaker(bind=engine, future=True, expire_on_commit=False)), order_id_base=13_000
    )
