"""`make shell` as a user meets it (issue 12, point 8): the prompt without the libraries' deprecation noise,
and Rasa's server on this machine only, as `make run` binds everything."""

from __future__ import annotations

import os
import socket
import subprocess

from common.paths import REPO_ROOT


def unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_shell_prompts_without_warnings_and_listens_on_localhost_only() -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    port = unused_port()
    # Through make, as a user starts it: the Makefile gives the shell its environment.
    finished = subprocess.run(
        ["make", "--no-print-directory", "-s", "shell", f"RASA_SHELL_PORT={port}"],
        cwd=REPO_ROOT,
        env=env,
        input="/stop\n",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    output = finished.stdout
    before_prompt = output.split("Bot loaded")[0]
    assert "Bot loaded" in output, output[-3000:]
    assert f"Starting Rasa server on http://127.0.0.1:{port}" in before_prompt, before_prompt
    assert "Warning" not in before_prompt, before_prompt
