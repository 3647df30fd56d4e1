"""What the tests use to reach the real services: the backend and the console as processes, test data
factories, private PostgreSQL schemas. The fixtures built on these are in tests/conftest.py."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from common.database import make_engine
from tests.factories import (  # re-exported: tests import the factory with the other helpers
    Factory as Factory,
)
from tests.factories import (
    HasSessions as HasSessions,
)
from tests.factories import (
    MadeCustomer as MadeCustomer,
)
from tests.factories import (
    days_ago as days_ago,
)
from tools.stack import REPO_ROOT, free_port

# One credential per calling service, as in production; tests read and arrange with the admin one.

TOKENS = {
    "admin": "test-backend-admin-token",
    "actions": "test-backend-actions-token",
    "console": "test-backend-console-token",
}


TOKEN = TOKENS["admin"]


DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


def postgres_url() -> Optional[str]:
    """The PostgreSQL server to test against, or None when none is reachable (a user's fresh machine)."""
    url = os.environ.get("FRONTDESK_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    try:
        engine = create_engine(url, future=True, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return url
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        if os.environ.get("FRONTDESK_TEST_POSTGRES_URL"):
            # CI named a server: it not answering is a failure, not a reason to skip.
            raise RuntimeError(
                f"FRONTDESK_TEST_POSTGRES_URL is set but PostgreSQL is not reachable: {exc}"
            ) from exc
        return None


@dataclass
class BackendServer:
    base_url: str
    database_url: str
    session_factory: sessionmaker
    process: subprocess.Popen
    log_path: Path
    dialect: str

    def headers(self, credential: str = "admin") -> Dict[str, str]:
        return {"Authorization": f"Bearer {TOKENS[credential]}"}

    def get(
        self, path: str, headers: Optional[Dict[str, str]] = None, as_: str = "admin", **kwargs: Any
    ) -> requests.Response:
        return requests.get(
            f"{self.base_url}{path}", headers={**self.headers(as_), **(headers or {})}, timeout=10, **kwargs
        )

    def post(
        self,
        path: str,
        json: Any = None,
        headers: Optional[Dict[str, str]] = None,
        as_: str = "admin",
        **kwargs: Any,
    ) -> requests.Response:
        all_headers = {**self.headers(as_), **(headers or {})}
        return requests.post(f"{self.base_url}{path}", headers=all_headers, json=json, timeout=30, **kwargs)

    def put(
        self, path: str, json: Any = None, headers: Optional[Dict[str, str]] = None, as_: str = "admin"
    ) -> requests.Response:
        return requests.put(
            f"{self.base_url}{path}", headers={**self.headers(as_), **(headers or {})}, json=json, timeout=10
        )

    def patch(
        self, path: str, json: Any = None, headers: Optional[Dict[str, str]] = None, as_: str = "admin"
    ) -> requests.Response:
        return requests.patch(
            f"{self.base_url}{path}", headers={**self.headers(as_), **(headers or {})}, json=json, timeout=10
        )

    def latest_code(self, recipient: str) -> str:
        """The newest one-time code the backend "sent" to this email or phone."""
        page = self.get("/v1/outbox", params={"recipient": recipient, "template": "verification_code"}).json()
        return re.search(r"\b(\d{6})\b", page["items"][0]["body"]).group(1)

    def verify(self, email: str) -> str:
        """Do the whole step-up for a customer and return the verification token."""
        challenge = self.post("/v1/verifications", json={"email": email})
        assert challenge.status_code == 201, challenge.text
        checked = self.post(
            f"/v1/verifications/{challenge.json()['challenge_id']}/check",
            json={"code": self.latest_code(email)},
        )
        assert checked.status_code == 200, checked.text
        return checked.json()["token"]


def verified(token: str, key: Optional[str] = None) -> Dict[str, str]:
    """Extra headers for a sensitive call: the verification token and, if given, an Idempotency-Key."""
    headers = {"X-Verification-Token": token}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def new_key() -> str:
    return uuid.uuid4().hex


def wait_until_answering(url: str, process: subprocess.Popen, log_path: Path, timeout: float = 30) -> None:
    """Return once `url` answers 2xx; fail with the end of the log if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{url} did not answer; log: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)


def serve(module: str, env: Dict[str, str], log_path: Path) -> tuple:
    """Run `python -m <module> serve --port <free port>` and wait for its /health: (process, base URL)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", module, "serve", "--port", str(port)],
        cwd=REPO_ROOT,
        env=env,
        stdout=open(log_path, "ab"),
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_until_answering(f"{base_url}/health", process, log_path)
    return process, base_url


def start_backend(database_url: str, log_path: Path, dialect: str, **extra_env: str) -> BackendServer:
    """Migrate and seed the database, then run the backend as its own process."""
    env = dict(
        os.environ,
        FRONTDESK_ENV="development",
        DATABASE_URL=database_url,
        BACKEND_ACTIONS_TOKEN=TOKENS["actions"],
        BACKEND_CONSOLE_TOKEN=TOKENS["console"],
        BACKEND_ADMIN_TOKEN=TOKENS["admin"],
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        # The suite and the fuzzer share these; the limits themselves are tested on backends of their own.
        BACKEND_ACTIONS_RATE_LIMIT=extra_env.pop("BACKEND_ACTIONS_RATE_LIMIT", "100000/minute"),
        BACKEND_CONSOLE_RATE_LIMIT=extra_env.pop("BACKEND_CONSOLE_RATE_LIMIT", "100000/minute"),
        LOOKUP_FAILURES_PER_ADDRESS=extra_env.pop("LOOKUP_FAILURES_PER_ADDRESS", "100000/hour"),
        LOOKUP_FAILURES_PER_EMAIL=extra_env.pop("LOOKUP_FAILURES_PER_EMAIL", "100000/hour"),
        # Ticket events go to a stream of the test's own, never to the developer's var/events.db.
        EVENT_STREAM_URL=extra_env.pop("EVENT_STREAM_URL", f"sqlite:///{log_path.parent}/events.db"),
        **extra_env,
    )
    subprocess.run([sys.executable, "-m", "backend.cli", "seed"], cwd=REPO_ROOT, env=env, check=True)
    process, base_url = serve("backend.cli", env, log_path)
    engine = make_engine(database_url)
    return BackendServer(
        base_url,
        database_url,
        sessionmaker(bind=engine, future=True, expire_on_commit=False),
        process,
        log_path,
        dialect,
    )


def stop_backend(server: BackendServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
    server.session_factory.kw["bind"].dispose()


@contextlib.contextmanager
def postgres_schema(prefix: str) -> Iterator[str]:
    """A database URL on a fresh private schema of the real PostgreSQL server, dropped afterwards."""
    url = postgres_url()
    if url is None:
        pytest.skip("PostgreSQL is not reachable (set FRONTDESK_TEST_POSTGRES_URL to test against one)")
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, future=True)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in url else "?"
    try:
        yield f"{url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass
class ConsoleServer:
    base_url: str
    process: subprocess.Popen
    log_path: Path
    agents: Dict[str, str]

    def login(self, username: str) -> requests.Session:
        """A browser-like session logged in as this agent."""
        session = requests.Session()
        answer = session.post(
            f"{self.base_url}/api/login",
            json={"username": username, "password": self.agents[username]},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        return session


CONSOLE_AGENTS = {
    "alice": "Alice",
    "bob": "Bob",
    "carol": "Carol",
    "tara": "Tara",
    "tom": "Tom",
    "vera": "Vera",
    "priya": "Priya",
}
# alice is an admin and privacy user; tara trains, vera approves, tom does both (for maker-checker); priya is a
# second privacy user (maker-checker for exports and erasures); bob and carol only work conversations.
CONSOLE_ROLES = {
    "alice": ["admin", "privacy"],
    "priya": ["privacy"],
    "tara": ["trainer"],
    "tom": ["trainer", "approver"],
    "vera": ["approver"],
}


def start_console(
    backend_server: Any,
    folder: Path,
    rasa_url: str = "http://127.0.0.1:9",
    console_token: str = TOKENS["console"],
    rasa_token: str = "test-rasa-api-token",
    **extra_env: str,
) -> ConsoleServer:
    """The agent console as its own process, on its own SQLite file, with agents alice (an admin), bob and
    carol. `backend_server`: anything with a base_url (a BackendServer, or a stack's backend)."""
    env = dict(
        os.environ,
        FRONTDESK_ENV="development",
        BACKEND_URL=backend_server.base_url,
        BACKEND_CONSOLE_TOKEN=console_token,
        RASA_URL=rasa_url,
        RASA_API_TOKEN=rasa_token,
        CONSOLE_DATABASE_URL=f"sqlite:///{folder}/console.db",
        EVENT_STREAM_URL=f"sqlite:///{folder}/events.db",
        # The editor publishes into this console's own folder, never the checkout's var/.
        KB_PUBLISHED_DIR=extra_env.pop("KB_PUBLISHED_DIR", str(Path(folder) / "kb-published")),
        # Tests change who is available and ask at once; production caches the public answer for 2 s.
        CONSOLE_AVAILABILITY_CACHE_SECONDS=extra_env.pop("CONSOLE_AVAILABILITY_CACHE_SECONDS", "0"),
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        **extra_env,
    )
    passwords = {}
    for username, display_name in CONSOLE_AGENTS.items():
        passwords[username] = f"{username}-{uuid.uuid4().hex[:12]}"
        roles = [argument for role in CONSOLE_ROLES.get(username, []) for argument in ("--role", role)]
        subprocess.run(
            [sys.executable, "-m", "console.cli", "add-agent", username, display_name, *roles],
            cwd=REPO_ROOT,
            env={**env, "CONSOLE_AGENT_PASSWORD": passwords[username]},
            check=True,
            capture_output=True,
        )
    log_path = folder / "console.log"
    process, base_url = serve("console.cli", env, log_path)
    return ConsoleServer(base_url, process, log_path, passwords)


def stop_process(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()


def kb_articles_by_topic() -> Dict[str, Any]:
    """The git seed's knowledge-base articles (data/kb) that carry an NLU FAQ topic, by that topic."""
    from knowledge import load_library

    library = load_library(Path(__file__).resolve().parent.parent / "data" / "kb")
    return {article.topic: article for article in library.values() if article.topic}
