"""The production layout on this machine: several Rasa replicas behind Debian's nginx, sharing the stores
deploy/endpoints.yml declares (`make run-scaled`; the failover benchmark, bench/failover.py).

- Rasa replicas (2 by default) with `EncryptedSQLTrackerStore` on this machine's PostgreSQL, the Redis lock
  store and the metered RabbitMQ broker: the endpoints file is deploy/endpoints.yml with only this run's
  lock key prefix and queue name put in (and `models:` left out when a model file is pinned).
- Action servers (2 by default) behind an internal nginx address (tools/nginx_runtime.py says why a call
  to a dead action server moves to the other one, and why one already sent does not).
- nginx in front with deploy/nginx.conf's public site; the analytics consumer reads this run's queue as in
  docker-compose.yml. The backend, console and web chat page stay single, as `make run` runs them.

Each run has its own PostgreSQL databases (`frontdesk_scaled_<run id>` and `..._keys`, dropped on stop unless
kept), its own Redis lock key prefix and its own RabbitMQ queue (deleted on stop). Rasa reaches PostgreSQL
and Redis at `rasa_postgres` / `rasa_redis`: the shared services, or TCP proxies a test can cut.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import subprocess
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml

from common.paths import REPO_ROOT
from tools.nginx_runtime import NginxLayout, write_runtime
from tools.stack import PortsBusy, Stack, StackConfig, free_port

DEPLOY_ENDPOINTS = REPO_ROOT / "deploy" / "endpoints.yml"


@dataclass(frozen=True)
class Address:
    host: str
    port: int

    def __str__(self) -> str:
        return f"{self.host}:{self.port}"


POSTGRES = Address("127.0.0.1", 5432)
REDIS = Address("127.0.0.1", 6379)
RABBITMQ = Address("127.0.0.1", 5672)


@dataclass
class ScaledConfig:
    """A scaled stack: the single services' StackConfig plus the replicas, nginx and the shared stores."""

    stack: StackConfig
    rasa_ports: List[int]
    action_ports: List[int]
    public_port: int
    actions_proxy_port: int
    # Where Rasa (and what reads its tracker store) reaches PostgreSQL and Redis: a proxy, in outage tests.
    rasa_postgres: Address = POSTGRES
    rasa_redis: Address = REDIS
    # Databases are created and dropped through the service itself, never through a proxy.
    postgres_admin: Address = POSTGRES
    postgres_user: str = "postgres"
    rabbitmq: Address = RABBITMQ
    rabbitmq_user: str = "guest"
    rabbitmq_password: str = "guest"
    keep_databases: bool = False
    extra_rasa_env: Dict[str, str] = field(default_factory=dict)

    @classmethod
    def isolated(
        cls, var_dir: Path, replicas: int = 2, action_servers: int = 2, **overrides: Any
    ) -> ScaledConfig:
        """Every port free, the single services' state in var_dir (StackConfig.isolated)."""
        rasa_ports = [free_port() for _ in range(replicas)]
        action_ports = [free_port() for _ in range(action_servers)]
        stack = StackConfig.isolated(
            var_dir, rasa_port=rasa_ports[0], actions_port=action_ports[0], **overrides.pop("stack", {})
        )
        values: Dict[str, Any] = dict(
            stack=stack,
            rasa_ports=rasa_ports,
            action_ports=action_ports,
            public_port=free_port(),
            actions_proxy_port=free_port(),
        )
        values.update(overrides)
        return cls(**values)

    @property
    def host(self) -> str:
        return self.stack.host

    @property
    def public_url(self) -> str:
        return f"http://{self.host}:{self.public_port}"

    @property
    def tracker_db(self) -> str:
        return f"frontdesk_scaled_{self.stack.run_id}"

    @property
    def keys_db(self) -> str:
        return f"{self.tracker_db}_keys"

    @property
    def queue(self) -> str:
        return f"frontdesk_scaled_{self.stack.run_id}"

    @property
    def lock_key_prefix(self) -> str:
        # Rasa ignores a prefix that is not alphanumeric (and falls back to the shared default).
        return f"frontdeskscaled{self.stack.run_id}"

    @property
    def rabbitmq_url(self) -> str:
        return f"amqp://{self.rabbitmq_user}:{self.rabbitmq_password}@{self.rabbitmq}/"

    def postgres_url(self, database: str, via: Optional[Address] = None) -> str:
        where = via or self.rasa_postgres
        return f"postgresql://{self.postgres_user}@{where}/{database}"

    def replica_addresses(self) -> List[str]:
        return [f"{self.host}:{port}" for port in self.rasa_ports]

    def action_addresses(self) -> List[str]:
        return [f"{self.host}:{port}" for port in self.action_ports]

    def ports(self) -> Dict[str, int]:
        ports = {name: port for name, port in self.stack.ports().items() if name not in ("rasa", "actions")}
        ports.update({replica_name(index): port for index, port in enumerate(self.rasa_ports)})
        ports.update({action_server_name(index): port for index, port in enumerate(self.action_ports)})
        ports.update({"nginx": self.public_port, "nginx-actions": self.actions_proxy_port})
        return ports


def replica_name(index: int) -> str:
    return f"rasa-{index + 1}"


def action_server_name(index: int) -> str:
    return f"actions-{index + 1}"


def scaled_endpoints(deploy: Dict[str, Any], config: ScaledConfig, pinned_model: bool) -> Dict[str, Any]:
    """deploy/endpoints.yml for this run: its lock key prefix and queue; no model server with a pinned model
    (a `models:` endpoint wins over `--model` in Rasa 3.6)."""
    endpoints = dict(deploy)
    endpoints["lock_store"] = {**deploy["lock_store"], "key_prefix": config.lock_key_prefix}
    endpoints["event_broker"] = {**deploy["event_broker"], "queues": [config.queue]}
    if pinned_model:
        endpoints.pop("models", None)
    return endpoints


class ScaledStack(Stack):
    """Stack's single services, with Rasa replicas, action servers and nginx in place of one of each."""

    def __init__(self, scaled: ScaledConfig) -> None:
        super().__init__(scaled.stack)
        self.scaled = scaled
        self.nginx: Optional[NginxLayout] = None
        self._resources_made = False

    def env(self) -> Dict[str, str]:
        scaled, env = self.scaled, super().env()
        redis_url = f"redis://{scaled.rasa_redis}"
        env.update(
            {
                # deploy/endpoints.yml's variables, as docker-compose.yml sets them for the replicas.
                "ACTION_SERVER_URL": f"http://{scaled.host}:{scaled.actions_proxy_port}/webhook",
                "TRACKER_DB_HOST": scaled.rasa_postgres.host,
                "TRACKER_DB_PORT": str(scaled.rasa_postgres.port),
                "TRACKER_DB_NAME": scaled.tracker_db,
                "TRACKER_DB_USER": scaled.postgres_user,
                "TRACKER_DB_PASSWORD": "",
                "CONVERSATION_KEYS_DB": scaled.postgres_url(scaled.keys_db),
                "TRACKER_STORE_URL": scaled.postgres_url(scaled.tracker_db),
                "REDIS_HOST": scaled.rasa_redis.host,
                "REDIS_PORT": str(scaled.rasa_redis.port),
                "RASA_RATE_LIMIT_STORAGE": redis_url,
                "WEBCHAT_REDIS_URL": redis_url,
                "CHANNEL_STATE_REDIS_URL": redis_url,
                "FRONTDESK_TRUST_PROXY": "true",
                "RABBITMQ_HOST": scaled.rabbitmq.host,
                "RABBITMQ_USER": scaled.rabbitmq_user,
                "RABBITMQ_PASSWORD": scaled.rabbitmq_password,
                "EVENT_STREAM_URL": scaled.rabbitmq_url,
                "EVENT_STREAM_QUEUE": scaled.queue,
                "RASA_PUBLIC_URL": scaled.public_url,
            }
        )
        env.update(scaled.extra_rasa_env)
        return env

    def rasa_endpoints(self) -> Path:
        deploy = yaml.safe_load(DEPLOY_ENDPOINTS.read_text())
        endpoints = scaled_endpoints(deploy, self.scaled, pinned_model=self.config.model is not None)
        path = self.config.var_dir / "endpoints-scaled.yml"
        header = "# Generated by tools/scaled_stack.py from deploy/endpoints.yml for one local scaled run.\n"
        path.write_text(header + yaml.safe_dump(endpoints, sort_keys=False))
        return path

    def ports(self) -> Dict[str, int]:
        return self.scaled.ports()

    def start_actions(self) -> None:
        for index in range(len(self.scaled.action_ports)):
            self.start_one(action_server_name(index))

    def start_one(self, name: str) -> None:
        """Start one replica or action server again by its name, as an orchestrator replaces a dead one."""
        for index, port in enumerate(self.scaled.rasa_ports):
            if name == replica_name(index):
                return self.start_rasa(name, port)
        for index, port in enumerate(self.scaled.action_ports):
            if name == action_server_name(index):
                self._spawn(
                    name, self._python("actions.server", "--host", self.config.host, "--port", str(port))
                )
                return None
        raise ValueError(f"no replica or action server named {name!r}")

    def name_of(self, address: str) -> str:
        """The replica or action server listening at host:port."""
        names = {address: replica_name(i) for i, address in enumerate(self.scaled.replica_addresses())}
        names.update(
            {address: action_server_name(i) for i, address in enumerate(self.scaled.action_addresses())}
        )
        return names[address]

    def start_nginx(self) -> None:
        scaled = self.scaled
        self.nginx = write_runtime(
            self.config.var_dir / "nginx",
            scaled.replica_addresses(),
            f"{scaled.host}:{scaled.public_port}",
            scaled.action_addresses(),
            f"{scaled.host}:{scaled.actions_proxy_port}",
        )
        self._spawn("nginx", self.nginx.command())

    def health_urls(self) -> Dict[str, str]:
        urls = {name: url for name, url in super().health_urls().items() if name not in ("rasa", "actions")}
        for index, port in enumerate(self.scaled.rasa_ports):
            urls[replica_name(index)] = f"http://{self.config.host}:{port}/webhooks/rest/"
        for index, port in enumerate(self.scaled.action_ports):
            urls[action_server_name(index)] = f"http://{self.config.host}:{port}/health"
        return urls

    def start(self, timeout: float = 300) -> None:
        """Start everything; the first replica creates the tracker tables before the others start (two at
        once would race to create them)."""
        busy = self.busy_ports()
        if busy:
            raise PortsBusy(
                "These ports are already in use, so the scaled stack did not start: " + ", ".join(busy)
            )
        self.create_databases()
        self.start_backend()
        self.start_actions()
        self.start_console()
        if not self.config.model:
            self.register_first_model()
            self.wait_ready(timeout, ["console"])
        self.start_nginx()
        for index, port in enumerate(self.scaled.rasa_ports):
            self.start_rasa(replica_name(index), port)
            if index == 0:
                self.wait_ready(timeout, [replica_name(0)])
        self.start_webchat()
        self.start_analytics()
        self.wait_ready(timeout)
        self._wait_for_port(self.scaled.public_port, timeout=20)

    def _wait_for_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((self.config.host, port), timeout=1):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"nginx is not listening on {port}; see {self.logs_dir / 'nginx.log'}")

    def stop(self, name: Optional[str] = None, grace: float = 10) -> None:
        super().stop(name, grace)
        if name is None:
            self.remove_run_resources()

    def create_databases(self) -> None:
        for database in (self.scaled.tracker_db, self.scaled.keys_db):
            self._postgres_admin(f'CREATE DATABASE "{database}"')
        self._resources_made = True

    def remove_run_resources(self) -> None:
        """Drop this run's databases (unless kept), its queue and its lock keys; once, after the processes."""
        if not self._resources_made:
            return
        self._resources_made = False
        scaled = self.scaled
        if not scaled.keep_databases:
            for database in (scaled.tracker_db, scaled.keys_db):
                self._postgres_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        with contextlib.suppress(Exception):  # a queue never declared (no broker connection) is fine
            asyncio.run(_delete_queue(scaled.rabbitmq_url, scaled.queue))
        _delete_lock_keys(scaled)

    def _postgres_admin(self, statement: str) -> None:
        admin = self.scaled.postgres_admin
        subprocess.run(
            [
                "psql",
                "-h",
                admin.host,
                "-p",
                str(admin.port),
                "-U",
                self.scaled.postgres_user,
                "-d",
                "postgres",
            ]
            + ["-v", "ON_ERROR_STOP=1", "-q", "-c", statement],
            check=True,
            capture_output=True,
        )


async def _delete_queue(url: str, queue: str) -> None:
    import aio_pika

    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.queue_delete(queue)


def _delete_lock_keys(scaled: ScaledConfig) -> None:
    import redis

    # Rasa's lock store keeps "<prefix>:lock:<conversation>" in deploy/endpoints.yml's Redis db.
    database = int(yaml.safe_load(DEPLOY_ENDPOINTS.read_text())["lock_store"].get("db", 1))
    client = redis.Redis(host=REDIS.host, port=REDIS.port, db=database, socket_timeout=5)
    with contextlib.suppress(redis.RedisError):
        keys = list(client.scan_iter(f"{scaled.lock_key_prefix}:*"))
        if keys:
            client.delete(*keys)


def with_stores(config: ScaledConfig, postgres: Address, redis_address: Address) -> ScaledConfig:
    """The same stack with Rasa reaching PostgreSQL and Redis elsewhere (through proxies)."""
    return replace(config, rasa_postgres=postgres, rasa_redis=redis_address)
