"""`make run`: the whole assistant in the foreground, in development mode, until Ctrl-C, SIGTERM or SIGHUP.

The processes and their lifecycle are tools/stack.py's; this module prints where everything is and keeps
watch until it is told to stop.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List, Optional

from common.paths import VAR_DIR
from tools.stack import PortsBusy, Stack, StackConfig

DEMO_HELP = """
Frontdesk is running.
  Customer web chat : {webchat}
  Chat widget demo  : {webchat}/demo-store.html   (a store page with the widget: <script src="{webchat}/widget.js">)
  Agent console     : {console}   (demo agents, username and password: {agents}; alice is also an admin)
  Metrics dashboard : {console}/#/metrics   (leads and admins: alice); `make report` writes results/report.html
  Learning loop     : {console}/#/inbox (tara, a trainer) and {console}/#/models (vera approves); make models
  Privacy           : {console}/#/privacy (alice asks, priya approves: exports and erasures); make privacy ARGS=requests
  Knowledge base    : {console}/#/kb (erin or tara edit, vera publishes; billing, refund and legal need an approver)
  Agent assist      : the Suggestions panel beside a claimed conversation (KB articles, reply drafts)
  Contact form      : {triage}/contact   (each message becomes a triaged ticket)
  Inbound email     : SMTP on {smtp}   (every message becomes a triaged ticket; README "Triage")

  Chat over REST : S=$(curl -s -X POST {rasa}/webhooks/rest/session | python3 -c 'import json,sys; print(json.load(sys.stdin)["sender"])')
                   curl -s {rasa}/webhooks/rest/webhook -H 'Content-Type: application/json' \\
                     -d "{{\\"sender\\": \\"$S\\", \\"message\\": \\"where is my order 10042?\\"}}"
  Chat in a shell: make shell        (in another terminal)
  Rasa HTTP API  : {rasa}   (token for this run in {token_file})
  Action server  : {actions}   (only Rasa may call it)
  Backend API    : {backend}/docs  (admin token for this run in {admin_file})
  Logs           : {logs}
  Retention      : personal data past its window is purged hourly (README "Retention"); make purge DRY_RUN=1

Demo customers (email / order numbers):
  jane@example.com    10042 delivered 3 days ago, 10043 shipped, 10044 placed, 10045 cancelled,
                      10046 delivered 60 days ago (outside the refund window), 10047 already refunded
  omar@example.com    10050 delivered, 10051 shipped, 10052 placed (a declined card), 10053 cancelled,
                      10054 refund pending
  li.wei@example.com  10060 delivered, 10061 shipped, 10062 placed, 10063 cancelled

Balance, invoices, refunds, cancellations, account changes and password resets ask for a one-time code.
  Read the code "sent" by email: make otp TO=jane@example.com
  Li Wei's authenticator app:    .venv/bin/python -c "import pyotp; print(pyotp.TOTP('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP').now())"

Press Ctrl-C to stop everything (closing this terminal does too).
"""


def write_private(path: Path, value: str) -> None:
    path.touch(mode=0o600)
    path.write_text(value)


def stop_on_signals(stack: Stack, what: str) -> None:
    """Ctrl-C, SIGTERM and SIGHUP (a closed terminal) stop every process of the stack, once."""
    stopping = False

    def _stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        if not stopping:
            stopping = True
            print(f"\nStopping {what} ({signal.Signals(signum).name})...", flush=True)
            stack.stop()
            print("Stopped.", flush=True)
        sys.exit(0)

    for stop_signal in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, _stop)


def started(stack: Stack, what: str) -> bool:
    """Start the stack; on busy ports or a process that fails, say why (and stop what did start)."""
    try:
        stack.start()
    except PortsBusy as exc:
        print(str(exc), file=sys.stderr)
        return False
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        stack.stop()
        print(f"{what} failed to start: {exc}", file=sys.stderr)
        return False
    return True


def watch(stack: Stack) -> int:
    """Until a process dies on its own (then stop everything, say which, and return 1)."""
    while True:
        for name, process in stack.processes.items():
            if process.poll() is not None:
                print(
                    f"{name} stopped unexpectedly (exit {process.returncode}); see {stack.logs_dir}/{name}.log"
                )
                stack.stop()
                return 1
        time.sleep(1)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the stack in the foreground until Ctrl-C, SIGTERM or SIGHUP."""
    parser = argparse.ArgumentParser(description="Run Frontdesk's services together (development mode).")
    parser.add_argument("--model", type=Path, default=os.environ.get("RASA_MODEL") or None)
    parser.add_argument("--var-dir", type=Path, default=VAR_DIR, help="local state: databases, logs, secrets")
    args = parser.parse_args(argv)
    config = StackConfig(
        var_dir=args.var_dir,
        backend_port=int(os.environ.get("BACKEND_PORT", 8000)),
        actions_port=int(os.environ.get("ACTIONS_PORT", 5055)),
        rasa_port=int(os.environ.get("RASA_PORT", 5005)),
        console_port=int(os.environ.get("CONSOLE_PORT", 8090)),
        webchat_port=int(os.environ.get("WEBCHAT_PORT", 8080)),
        triage_port=int(os.environ.get("TRIAGE_PORT", 8095)),
        triage_smtp_port=int(os.environ.get("TRIAGE_SMTP_PORT", 2525)),
        model=args.model,
    )
    stack = Stack(config)
    stop_on_signals(stack, "Frontdesk")
    print(
        "Starting the backend, action server, Rasa, agent console, web chat and triage (Rasa takes about 30 s)...",
        flush=True,
    )
    if not started(stack, "Frontdesk"):
        return 1
    token_file = config.var_dir / "rasa-api-token"
    admin_file = config.var_dir / "backend-admin-token"
    write_private(token_file, config.rasa_api_token)
    write_private(admin_file, config.admin_token)
    # `make shell` runs its own Rasa against this run's action server, so it needs the action server's token.
    write_private(config.var_dir / "action-server-token", config.action_server_token)
    # `make privacy ARGS=...` (python -m privacy request|approve|...) acts as the console does, with its token.
    write_private(config.var_dir / "backend-console-token", config.console_token)
    agents = ", ".join(f"{name} / {password}" for name, password in stack.demo_passwords().items())
    print(
        DEMO_HELP.format(
            rasa=config.rasa_url,
            actions=config.actions_url,
            backend=config.backend_url,
            logs=stack.logs_dir,
            webchat=config.webchat_url,
            console=config.console_url,
            triage=config.triage_url,
            smtp=f"{config.host}:{config.triage_smtp_port}",
            agents=agents,
            token_file=token_file,
            admin_file=admin_file,
        ),
        flush=True,
    )
    return watch(stack)


if __name__ == "__main__":
    sys.exit(main())
