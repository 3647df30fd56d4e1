"""The local Slack and Telegram as processes next to the test stack, and the settings that point Frontdesk's
connectors at them (SLACK_API_URL, TELEGRAM_API_URL: configuration, no patched HTTP library)."""

from __future__ import annotations

import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import requests

from tests.support import stop_process, wait_until_answering
from tools.stack import REPO_ROOT, free_port


@dataclass
class PlatformPeers:
    slack_url: str
    telegram_url: str
    slack_bot_token: str
    slack_signing_secret: str
    telegram_bot_token: str
    telegram_secret_token: str
    processes: List[subprocess.Popen] = field(default_factory=list)

    @property
    def env(self) -> Dict[str, str]:
        """What the Rasa server needs to talk to these peers as it would to Slack and Telegram."""
        return {
            "SLACK_BOT_TOKEN": self.slack_bot_token,
            "SLACK_SIGNING_SECRET": self.slack_signing_secret,
            "SLACK_API_URL": f"{self.slack_url}/api",
            "TELEGRAM_BOT_TOKEN": self.telegram_bot_token,
            "TELEGRAM_SECRET_TOKEN": self.telegram_secret_token,
            "TELEGRAM_API_URL": self.telegram_url,
        }

    @classmethod
    def start(cls, folder: Path) -> PlatformPeers:
        slack_port, telegram_port = free_port(), free_port()
        peers = cls(
            slack_url=f"http://127.0.0.1:{slack_port}",
            telegram_url=f"http://127.0.0.1:{telegram_port}",
            slack_bot_token="xoxb-" + secrets.token_hex(12),
            slack_signing_secret=secrets.token_hex(16),
            telegram_bot_token=f"{700000000 + secrets.randbelow(10**8)}:AA{secrets.token_urlsafe(24)}",
            telegram_secret_token=secrets.token_urlsafe(32),
        )
        commands = {
            "slack": [
                *peer("slack"),
                "--port",
                str(slack_port),
                "--bot-token",
                peers.slack_bot_token,
                "--signing-secret",
                peers.slack_signing_secret,
            ],
            "telegram": [
                *peer("telegram"),
                "--port",
                str(telegram_port),
                "--bot-token",
                peers.telegram_bot_token,
            ],
        }
        for name, command in commands.items():
            log = folder / f"{name}-peer.log"
            process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT
            )
            peers.processes.append(process)
            wait_until_answering(f"{getattr(peers, name + '_url')}/health", process, log)
        return peers

    def connect(self, rasa_url: str, env: Dict[str, str]) -> None:
        """Point the platforms at Rasa as an operator would: Slack's Request URL (Slack checks it with a
        url_verification challenge) and Telegram's setWebhook through our own tool, with the secret token."""
        answer = requests.post(
            f"{self.slack_url}/_peer/configure",
            json={"webhook_url": f"{rasa_url}/webhooks/slack/webhook"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        subprocess.run(
            [sys.executable, "-m", "tools.telegram_webhook", "set", f"{rasa_url}/webhooks/telegram/webhook"],
            cwd=REPO_ROOT,
            env=env,
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        for process in self.processes:
            stop_process(process)


def peer(name: str) -> List[str]:
    return [sys.executable, "-m", f"tests.peers.{name}"]
