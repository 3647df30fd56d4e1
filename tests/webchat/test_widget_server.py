"""The web chat server's widget routes, without a stack: only /embed may be framed (by the chat's own origin and
WEBCHAT_EMBED_ORIGINS), widget.js carries its sentences from domain.yml, the demo store may frame the chat."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest
import requests
import uvicorn

from common.texts import Texts
from tools.stack import free_port
from webchat.server import WIDGET_TEXTS, create_app


class Client:
    """The web chat app served by uvicorn in a thread, on a free port (no httpx here for a TestClient)."""

    def __init__(self, base: str) -> None:
        self.base = base

    def get(self, path: str) -> requests.Response:
        return requests.get(self.base + path, timeout=10)


def directives(response: requests.Response) -> dict:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in policy.split("; ")}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    monkeypatch.setenv("WEBCHAT_EMBED_ORIGINS", "https://shop.example, http://127.0.0.1:*")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app("http://127.0.0.1:5005"), host="127.0.0.1", port=port, log_config=None)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield Client(f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


def test_only_the_embed_page_may_be_framed_and_only_by_the_listed_origins(client: Client) -> None:
    assert directives(client.get("/"))["frame-ancestors"] == "'none'"
    embed = client.get("/embed")
    assert embed.status_code == 200 and 'id="chat-form"' in embed.text  # the same page
    assert directives(embed)["frame-ancestors"] == "'self' https://shop.example http://127.0.0.1:*"
    assert directives(embed)["frame-src"] == "'none'"


def test_the_demo_store_frames_the_chat_and_loads_the_widget(client: Client) -> None:
    page = client.get("/demo-store.html")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert directives(page)["frame-src"] == "'self'" and directives(page)["frame-ancestors"] == "'none'"
    assert client.get("/demo/demo-store.css").status_code == 200


def test_widget_js_carries_its_sentences_from_domain_yml(client: Client) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "FRONTDESK_WIDGET_TEXTS" not in script.text
    for name, sentence in Texts(WIDGET_TEXTS).templates.items():
        assert f'"{name}": "{sentence}"' in script.text


@pytest.mark.parametrize("origin", ["'unsafe-inline'", "https://a.example; script-src *", "javascript:x"])
def test_an_embed_origin_that_is_not_an_origin_stops_the_server(
    monkeypatch: pytest.MonkeyPatch, origin: str
) -> None:
    monkeypatch.setenv("WEBCHAT_EMBED_ORIGINS", origin)
    with pytest.raises(ValueError, match="WEBCHAT_EMBED_ORIGINS"):
        create_app("http://127.0.0.1:5005")
