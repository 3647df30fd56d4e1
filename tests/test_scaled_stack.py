"""The scaled stack's pieces that need no running stack (the whole is exercised by `make bench-failover`):
nginx runs deploy/nginx.conf changed only where a local run must differ, the endpoints file is
deploy/endpoints.yml with only this run's names put in, and the TCP proxy cuts and restores a service."""

from __future__ import annotations

import contextlib
import difflib
import socket
import subprocess
import threading
from pathlib import Path
from typing import Iterator, List

import pytest
import yaml

from tools.nginx_runtime import (
    DEPLOY_SITE,
    LISTEN_LINE,
    REPLICA_LINES,
    actions_site,
    nginx_binary,
    public_site,
    write_runtime,
)
from tools.scaled_stack import DEPLOY_ENDPOINTS, ScaledConfig, ScaledStack, scaled_endpoints
from tools.tcp_proxy import TcpProxy


def changed_lines(before: str, after: str) -> List[str]:
    """Every line removed (-) or added (+) between two texts."""
    diff = difflib.ndiff(before.splitlines(), after.splitlines())
    return [line for line in diff if line[:1] in "+-"]


def test_nginx_public_site_is_deploy_nginx_conf_but_for_upstreams_and_listen() -> None:
    deploy = DEPLOY_SITE.read_text()
    site = public_site(deploy, ["127.0.0.1:7001", "127.0.0.1:7002"], "127.0.0.1:7000")
    changes = changed_lines(deploy, site)
    removed = {line[1:].strip() for line in changes if line.startswith("-")}
    added = {line[1:].strip() for line in changes if line.startswith("+")}
    assert removed == {*REPLICA_LINES, LISTEN_LINE}
    assert added == {"server 127.0.0.1:7001;", "server 127.0.0.1:7002;", "listen 127.0.0.1:7000;"}
    assert len(changes) == 6


def test_nginx_refuses_a_deploy_file_it_does_not_recognise() -> None:
    deploy = DEPLOY_SITE.read_text()
    with pytest.raises(ValueError, match="rasa-2"):
        public_site(deploy.replace(REPLICA_LINES[1], ""), ["a:1", "b:2"], "127.0.0.1:1")
    with pytest.raises(ValueError, match="replica"):
        public_site(deploy, [], "127.0.0.1:1")


def test_one_replica_leaves_the_upstream_with_one_server() -> None:
    site = public_site(DEPLOY_SITE.read_text(), ["h:1"], "127.0.0.1:1")
    assert "server h:1;" in site and "rasa-" not in site and site.count("ip_hash;") == 1


def test_a_third_replica_joins_the_same_upstream() -> None:
    site = public_site(DEPLOY_SITE.read_text(), ["h:1", "h:2", "h:3"], "127.0.0.1:1")
    assert "server h:2; server h:3;" in site and site.count("ip_hash;") == 1


def test_action_calls_already_sent_are_not_retried_on_the_other_action_server() -> None:
    site = actions_site(["127.0.0.1:1", "127.0.0.1:2"], "127.0.0.1:3")
    directives = [
        line.strip() for line in site.splitlines() if line.strip().startswith("proxy_next_upstream ")
    ]
    assert directives == ["proxy_next_upstream error timeout;"]


def test_the_runtime_config_passes_nginx_t_and_keeps_its_files_in_the_run_dir(tmp_path: Path) -> None:
    if not Path(nginx_binary()).exists():
        pytest.fail(f"nginx is needed (make nginx installs it; NGINX=path to use another): {nginx_binary()}")
    layout = write_runtime(
        tmp_path, ["127.0.0.1:7001", "127.0.0.1:7002"], "127.0.0.1:7000", ["127.0.0.1:7003"], "127.0.0.1:7004"
    )
    main = layout.main.read_text()
    for directive in ("pid", "error_log", "access_log", "client_body_temp_path", "proxy_temp_path"):
        paths = [line.split()[1] for line in main.splitlines() if line.strip().startswith(directive + " ")]
        assert paths and all(path.startswith(str(tmp_path)) for path in paths), (directive, paths)
    assert (tmp_path / "public.conf").read_text() == public_site(
        DEPLOY_SITE.read_text(), ["127.0.0.1:7001", "127.0.0.1:7002"], "127.0.0.1:7000"
    )
    checked = subprocess.run([*layout.command(), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_endpoints_are_deploy_endpoints_with_this_runs_names(tmp_path: Path) -> None:
    deploy = yaml.safe_load(DEPLOY_ENDPOINTS.read_text())
    config = ScaledConfig.isolated(tmp_path)
    served = scaled_endpoints(deploy, config, pinned_model=False)
    assert served.keys() == deploy.keys()
    for section, values in deploy.items():
        assert served[section].keys() | {"key_prefix"} >= values.keys()
        differing = {key for key in values if served[section][key] != values[key]}
        assert differing <= {"key_prefix", "queues"}, (section, differing)
    assert served["lock_store"]["key_prefix"] == config.lock_key_prefix and config.lock_key_prefix.isalnum()
    assert served["event_broker"]["queues"] == [config.queue]
    # A pinned model file: no model server (it would win over --model).
    assert "models" not in scaled_endpoints(deploy, config, pinned_model=True)
    # What Rasa gets, with the variables deploy/endpoints.yml reads all set.
    stack = ScaledStack(config)
    env = stack.env()
    text = stack.rasa_endpoints().read_text()
    variables = {word.split("}")[0] for word in text.split("${")[1:]}
    assert variables and all(name in env for name in variables), variables - env.keys()


@pytest.fixture
def echo_server() -> Iterator[int]:
    """A TCP server that sends back what it gets."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except OSError:
                continue
            threading.Thread(target=echo, args=(connection,), daemon=True).start()

    def echo(connection: socket.socket) -> None:
        with connection, contextlib.suppress(OSError):  # the proxy resets it when cut
            while data := connection.recv(1024):
                connection.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    server.close()


def round_trip(connection: socket.socket, payload: bytes) -> bytes:
    connection.sendall(payload)
    return connection.recv(1024)


def test_tcp_proxy_cuts_and_restores(echo_server: int) -> None:
    proxy = TcpProxy("127.0.0.1", echo_server).start()
    try:
        held = socket.create_connection(("127.0.0.1", proxy.port), timeout=2)
        assert round_trip(held, b"before") == b"before"

        proxy.cut("refuse")
        with pytest.raises(OSError):  # the open connection was reset
            round_trip(held, b"during")
            round_trip(held, b"during")
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as new:
            round_trip(new, b"during")
            round_trip(new, b"during")
        assert proxy.connections_reset >= 2

        proxy.restore()
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as after:
            assert round_trip(after, b"after") == b"after"
    finally:
        proxy.stop()


def test_tcp_proxy_blackhole_holds_bytes_until_restored(echo_server: int) -> None:
    proxy = TcpProxy("127.0.0.1", echo_server).start()
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as connection:
            assert round_trip(connection, b"before") == b"before"
            proxy.cut("blackhole")
            connection.settimeout(0.3)
            connection.sendall(b"held")
            with pytest.raises(socket.timeout):
                connection.recv(1024)
            proxy.restore()
            connection.settimeout(2)
            assert connection.recv(1024) == b"held"
    finally:
        proxy.stop()
