"""`make run-scaled`: the production layout on this machine (tools/scaled_stack.py) in the foreground, until
Ctrl-C, SIGTERM or SIGHUP. `--check` sends one message through nginx, prints the answer and stops.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import List, Optional

import requests

from common.paths import VAR_DIR
from tools.run import started, stop_on_signals, watch, write_private
from tools.scaled_stack import ScaledConfig, ScaledStack

HELP = """
Frontdesk is running scaled: {replicas} Rasa replicas behind nginx, {actions} action servers.
  Customers (nginx, deploy/nginx.conf) : {public}
  Replicas (Rasa HTTP API, token in {token_file}) : {replica_urls}
  Action servers (behind {actions_proxy}) : {action_urls}
  Tracker store : PostgreSQL {postgres}, databases {tracker_db} and {keys_db} ({dropped})
  Lock store    : Redis {redis}, key prefix {lock_prefix}
  Event broker  : RabbitMQ queue {queue}, read by the analytics consumer
  Web chat      : {webchat}   Agent console: {console}
  Logs          : {logs}   (nginx's access log: {nginx_dir}/access.log)

  Chat over REST through nginx (an integration's token, in {rest_token_file}):
    curl -s {public}/webhooks/rest/webhook -H "Authorization: Bearer $(cat {rest_token_file})" \\
      -H 'Content-Type: application/json' -d '{{"sender": "me", "message": "where is my order 10042?"}}'

Press Ctrl-C to stop everything.
"""


def say(stack: ScaledStack, sender: str, message: str) -> List[str]:
    """One message through nginx as an integration (REST_CHANNEL_TOKEN); the bot's texts."""
    answer = requests.post(
        f"{stack.scaled.public_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": message},
        headers={"Authorization": f"Bearer {stack.config.rest_channel_token}"},
        timeout=120,
    )
    answer.raise_for_status()
    return [reply.get("text", "") for reply in answer.json()]


def print_help(stack: ScaledStack) -> None:
    scaled, config = stack.scaled, stack.config
    token_file, rest_token_file = config.var_dir / "rasa-api-token", config.var_dir / "rest-channel-token"
    write_private(token_file, config.rasa_api_token)
    write_private(rest_token_file, config.rest_channel_token)
    write_private(config.var_dir / "backend-admin-token", config.admin_token)
    print(
        HELP.format(
            replicas=len(scaled.rasa_ports),
            actions=len(scaled.action_ports),
            public=scaled.public_url,
            token_file=token_file,
            replica_urls=", ".join(f"http://{address}" for address in scaled.replica_addresses()),
            actions_proxy=f"{scaled.host}:{scaled.actions_proxy_port}",
            action_urls=", ".join(scaled.action_addresses()),
            postgres=scaled.rasa_postgres,
            tracker_db=scaled.tracker_db,
            keys_db=scaled.keys_db,
            dropped="kept after stop" if scaled.keep_databases else "dropped on stop",
            redis=scaled.rasa_redis,
            lock_prefix=scaled.lock_key_prefix,
            queue=scaled.queue,
            webchat=config.webchat_url,
            console=config.console_url,
            logs=stack.logs_dir,
            nginx_dir=config.var_dir / "nginx",
            rest_token_file=rest_token_file,
        ),
        flush=True,
    )


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Run Frontdesk scaled out (development mode, production stores)."
    )
    parser.add_argument("--model", type=Path, default=os.environ.get("RASA_MODEL") or None)
    parser.add_argument("--var-dir", type=Path, default=VAR_DIR / "scaled")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--action-servers", type=int, default=2)
    parser.add_argument("--keep-databases", action="store_true", help="keep this run's PostgreSQL databases")
    parser.add_argument("--check", action="store_true", help="send one message through nginx, then stop")
    args = parser.parse_args(argv)
    config = ScaledConfig.isolated(
        args.var_dir,
        replicas=args.replicas,
        action_servers=args.action_servers,
        keep_databases=args.keep_databases,
        stack={"model": args.model},
    )
    stack = ScaledStack(config)
    stop_on_signals(stack, "the scaled stack")
    print(
        "Starting the scaled stack (each Rasa replica takes about 30 s, one after the other)...", flush=True
    )
    if not started(stack, "The scaled stack"):
        return 1
    print_help(stack)
    if not args.check:
        return watch(stack)
    try:
        for message in ("where is my order 10042?", "jane@example.com"):
            print(
                f"> {message}\n" + "\n".join(f"< {text}" for text in say(stack, "run-scaled-check", message))
            )
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
