"""The public proxy (finding 1, and what a best-in-class attacker tries next): the real nginx with
deploy/nginx.conf in front of the test stack's Rasa.

Only the customer routes pass; Rasa's HTTP API is not reachable; the customer's address is the one nginx
saw, whatever the client claims; slow clients are cut off; a flood on one route leaves the others working.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator, List

import pytest
import requests

from tests import attacks
from tests.e2e.helpers import tracker
from tools.stack import REPO_ROOT, Stack, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.attack]
NGINX = os.environ.get("NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"


class Proxy:
    def __init__(self, url: str, process: subprocess.Popen, port: int) -> None:
        self.url, self.process, self.port = url, process, port


@pytest.fixture(scope="module")
def proxy(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    if not Path(NGINX).exists():
        pytest.fail(
            f"nginx is needed for the proxy tests (make nginx installs it; NGINX=path to use another): {NGINX}"
        )
    folder = tmp_path_factory.mktemp("nginx")
    port = free_port()
    site = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    rasa = f"{stack.config.host}:{stack.config.rasa_port}"
    # The same file compose mounts, pointed at this stack: both replicas are the one test Rasa.
    site = site.replace("server rasa-1:5005;", f"server {rasa};").replace("server rasa-2:5005;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    (folder / "site.conf").write_text(site)
    for temp in ("body", "proxy"):
        (folder / temp).mkdir()
        (folder / temp).chmod(0o777)
    (folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    include {folder}/site.conf;
}}
"""
    )
    process = subprocess.Popen(
        [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)], stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.2)
    yield Proxy(f"http://127.0.0.1:{port}", process, port)
    process.terminate()
    process.wait(10)


def test_rasas_http_api_is_not_published(proxy: Proxy, stack: Stack) -> None:
    token = {"token": stack.config.rasa_api_token}  # even with the real token in hand
    attempts = [
        requests.get(f"{proxy.url}/conversations/someone/tracker", params=token, timeout=10),
        requests.post(f"{proxy.url}/conversations/someone/tracker/events", params=token, json=[], timeout=10),
        requests.put(f"{proxy.url}/model", params=token, json={"model_file": "x"}, timeout=10),
        requests.get(f"{proxy.url}/status", params=token, timeout=10),
        requests.get(f"{proxy.url}/", timeout=10),
        requests.post(f"{proxy.url}/model/parse", params=token, json={"text": "hi"}, timeout=10),
        requests.get(f"{proxy.url}/webhooks/socketio/presence/someone", timeout=10),
        requests.get(f"{proxy.url}/webhooks/rest/", timeout=10),
        requests.get(f"{proxy.url}/webhooks/slack/", timeout=10),
        requests.get(f"{proxy.url}/webhooks/telegram/set_webhook", timeout=10),
        requests.get(f"{proxy.url}/conversations/../status", params=token, timeout=10),
    ]
    bypasses = sum(answer.status_code != 404 for answer in attempts)
    entry = attacks.record("rasa_admin_api_through_the_proxy", attempts=len(attempts), bypasses=bypasses)
    assert entry.bypasses == 0, [(a.request.url, a.status_code) for a in attempts if a.status_code != 404]
    # The customer routes do pass.
    sender = requests.post(f"{proxy.url}/webhooks/rest/session", timeout=10).json()["sender"]
    replies = requests.post(
        f"{proxy.url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}, timeout=60
    )
    assert replies.status_code == 200 and replies.json()
    assert requests.get(f"{proxy.url}/socket.io/?EIO=4&transport=polling", timeout=10).status_code == 200


def test_platform_webhooks_pass_the_proxy_and_still_need_the_platforms_signature(proxy: Proxy) -> None:
    # Published (not 404), and refused by the channels themselves without Slack's or Telegram's signature.
    slack = requests.post(f"{proxy.url}/webhooks/slack/webhook", json={"type": "event_callback"}, timeout=10)
    telegram = requests.post(f"{proxy.url}/webhooks/telegram/webhook", json={"update_id": 1}, timeout=10)
    assert (slack.status_code, telegram.status_code) == (401, 401), (slack.text, telegram.text)


def test_the_customer_address_is_the_one_nginx_saw(proxy: Proxy, stack: Stack) -> None:
    spoofed = {"X-Forwarded-For": "203.0.113.66, 198.51.100.1", "X-Real-IP": "203.0.113.77"}
    sender = requests.post(f"{proxy.url}/webhooks/rest/session", headers=spoofed, timeout=10).json()["sender"]
    requests.post(
        f"{proxy.url}/webhooks/rest/webhook",
        json={"sender": sender, "message": "hi"},
        headers=spoofed,
        timeout=60,
    )
    events = tracker(stack, sender.split(".")[0])["events"]
    addresses = {
        (event.get("metadata") or {}).get("frontdesk_channel", {}).get("client_address")
        for event in events
        if event.get("event") == "user"
    }
    entry = attacks.record("client_address_spoofing", bypasses=int(addresses != {"127.0.0.1"}))
    assert entry.bypasses == 0, addresses


def test_slow_clients_are_cut_off_and_others_are_served(proxy: Proxy) -> None:
    sockets: List[socket.socket] = []
    for _ in range(30):
        slow = socket.create_connection(("127.0.0.1", proxy.port), timeout=30)
        slow.sendall(b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\n")
        sockets.append(slow)
    started = time.monotonic()
    served_meanwhile = requests.post(f"{proxy.url}/webhooks/rest/session", timeout=10).status_code
    # Trickle one header byte every two seconds, as a slow-loris does, until nginx hangs up.
    cut_off_after: List[float] = []
    for _ in range(12):
        time.sleep(2)
        for slow in list(sockets):
            try:
                slow.sendall(b"X")
                closed = bool(select.select([slow], [], [], 0)[0]) and slow.recv(1024) is not None
            except OSError:
                closed = True
            if closed:
                cut_off_after.append(time.monotonic() - started)
                sockets.remove(slow)
        if not sockets:
            break
    still_open = len(sockets)
    for slow in sockets:
        slow.close()
    entry = attacks.record(
        "slow_loris_on_the_proxy", attempts=30, bypasses=still_open + int(served_meanwhile != 201)
    )
    assert entry.bypasses == 0, (still_open, served_meanwhile)
    assert max(cut_off_after) < 20  # client_header_timeout 10s


def test_over_large_bodies_stop_at_the_proxy(proxy: Proxy) -> None:
    answer = requests.post(
        f"{proxy.url}/webhooks/rest/webhook",
        data=b"{" + b"x" * 200_000 + b"}",
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    entry = attacks.record("hostile_json_on_public_routes", bypasses=int(answer.status_code != 413))
    assert entry.bypasses == 0, answer.status_code


def test_a_flood_on_new_sessions_leaves_conversations_working(proxy: Proxy) -> None:
    sender = requests.post(f"{proxy.url}/webhooks/rest/session", timeout=10).json()["sender"]
    time.sleep(1)  # let the session route's budget refill
    stop = threading.Event()
    statuses: List[int] = []

    def flood() -> None:
        while not stop.is_set():
            statuses.append(requests.post(f"{proxy.url}/webhooks/rest/session", timeout=10).status_code)

    with ThreadPoolExecutor(max_workers=6) as pool:
        for _ in range(6):
            pool.submit(flood)
        time.sleep(0.5)
        replies = [
            requests.post(
                f"{proxy.url}/webhooks/rest/webhook", json={"sender": sender, "message": "hi"}, timeout=60
            )
            for _ in range(3)
        ]
        stop.set()
    degraded = sum(reply.status_code != 200 or not re.search("Frontdesk", reply.text) for reply in replies)
    entry = attacks.record("flood_on_one_route", attempts=len(statuses), bypasses=degraded)
    assert entry.bypasses == 0, [reply.text for reply in replies]
    assert statuses.count(429) > len(statuses) / 2, statuses.count(429)
