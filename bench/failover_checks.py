"""What the failover benchmark checks after each phase (bench/failover.py): what the customers saw against
nginx's access log, the backend's database and Rasa's PostgreSQL tracker store."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import requests

from bench.failover_client import Conversation

WEBHOOK = "/webhooks/rest/webhook"
NGINX_ERRORS = (502, 504)  # no upstream answered, or not in time
REFUSED = 503  # the channel refused the message: a store is out (common/store_outage.py)


@dataclass(frozen=True)
class LogLine:
    """One line of the run's nginx access log (tools/nginx_runtime.LOG_FORMAT)."""

    time: float
    address: str
    uri: str
    status: int
    upstreams: List[str]

    @property
    def answered_by(self) -> Optional[str]:
        """The upstream that gave the answer (the last one nginx tried), if any."""
        return self.upstreams[-1] if self.upstreams and self.upstreams[-1] != "-" else None


def access_log(path: Path) -> List[LogLine]:
    lines = []
    for raw in path.read_text().splitlines():
        fields = raw.split("|")
        if len(fields) != 8:
            continue
        msec, address, _method, uri, status, upstreams = fields[:6]
        lines.append(
            LogLine(float(msec), address, uri, int(status), [u.strip() for u in upstreams.split(",")])
        )
    return lines


def busiest(lines: Sequence[LogLine], uri: str, since: float, candidates: Sequence[str]) -> str:
    """The candidate upstream that answered most requests for `uri` since `since` (the one to kill)."""
    counts = Counter(line.answered_by for line in lines if line.time >= since and line.uri == uri)
    return max(candidates, key=lambda address: counts.get(address, 0))


def replica_continuity(
    lines: Sequence[LogLine], conversations: Sequence[Conversation], killed: str, killed_at: float
) -> Dict[str, int]:
    """Conversations the killed replica had served before the kill, and how many of them the other
    replicas answered afterwards (nginx keys a customer on its address)."""
    by_address: Dict[str, List[LogLine]] = {}
    for line in lines:
        if line.uri == WEBHOOK:
            by_address.setdefault(line.address, []).append(line)
    on_killed = under_way = continued = 0
    for conversation in conversations:
        served = by_address.get(conversation.address, [])
        before = any(x.time < killed_at and x.status == 200 and x.answered_by == killed for x in served)
        after = any(
            x.time > killed_at and x.status == 200 and x.answered_by not in (None, killed) for x in served
        )
        on_killed += before
        under_way += before and any(attempt.ended > killed_at for attempt in conversation.attempts())
        continued += before and after
    return {
        "on killed replica before the kill": on_killed,
        "under way on it at the kill": under_way,
        "continued on the other replica": continued,
    }


def action_calls_after(lines: Sequence[LogLine], uri: str, killed: str, killed_at: float) -> Dict[str, int]:
    """Rasa's calls to the action servers after one was killed: how many nginx moved to the other server
    (the dead one refused the connection) and how many failed anyway."""
    after = [line for line in lines if line.uri == uri and line.time >= killed_at]
    return {
        "action calls after the kill": len(after),
        "moved off the killed server": sum(killed in line.upstreams[:-1] for line in after),
        "action calls failed": sum(line.status != 200 for line in after),
    }


def failure_timelines(conversations: Sequence[Conversation], since: float) -> List[str]:
    """For each conversation with a failed attempt: every attempt of its failing messages, as
    "status at s (took s)" from the phase's start (0: no HTTP answer; 200[]: an empty answer)."""
    timelines = []
    for conversation in conversations:
        for message in conversation.messages:
            if message.retries or not message.answered:
                steps = [
                    f"{'200[]' if a.status == 200 and not a.texts else a.status} at {a.started - since:.1f}"
                    f" ({a.ended - a.started:.1f})"
                    for a in message.attempts
                ]
                timelines.append(
                    f"{conversation.kind} {conversation.number} {message.text[:24]!r}: " + ", ".join(steps)
                )
    return timelines


def client_counts(conversations: Sequence[Conversation]) -> Dict[str, Any]:
    """Messages, retries and what the failed attempts were, from the customers' side."""
    messages = [message for conversation in conversations for message in conversation.messages]
    attempts = [attempt for message in messages for attempt in message.attempts]
    failed = [attempt for attempt in attempts if not attempt.answered]
    recoveries = [seconds for conversation in conversations for seconds in _recoveries(conversation)]
    return {
        "conversations": len(conversations),
        "refund conversations": sum(c.kind == "refund" for c in conversations),
        "finished": sum(c.finished for c in conversations),
        "messages": len(messages),
        "messages retried": sum(message.retries > 0 for message in messages),
        "client retries": sum(message.retries for message in messages),
        "messages lost": sum(c.lost for c in conversations),
        "unexpected replies": sum(c.unexpected is not None and not c.lost for c in conversations),
        "failed: nginx 502/504": sum(attempt.status in NGINX_ERRORS for attempt in failed),
        "failed: 503 store out, resend": sum(attempt.status == REFUSED for attempt in failed),
        "failed: other HTTP status": sum(
            attempt.status not in (0, 200, REFUSED, *NGINX_ERRORS) for attempt in failed
        ),
        "failed: empty answer (200 [])": sum(attempt.status == 200 for attempt in failed),
        "failed: no HTTP answer": sum(attempt.status == 0 for attempt in failed),
        "trace in a reply": sum("Traceback" in text for attempt in attempts for text in attempt.texts),
        "recover p50 s": round(statistics.median(recoveries), 1) if recoveries else 0.0,
        "recover max s": round(max(recoveries), 1) if recoveries else 0.0,
        "conversations with a failure": sum(1 for c in conversations if _recoveries(c) or c.lost),
    }


def _recoveries(conversation: Conversation) -> List[float]:
    """Seconds from each first failed attempt to the next answered one (one per failure streak)."""
    found, failing_since = [], None
    for attempt in conversation.attempts():
        if not attempt.answered and failing_since is None:
            failing_since = attempt.started
        elif attempt.answered and failing_since is not None:
            found.append(attempt.ended - failing_since)
            failing_since = None
    return found


def unexpected_examples(conversations: Sequence[Conversation], limit: int = 5) -> List[str]:
    return [f"{c.kind} {c.sender}: {c.unexpected}" for c in conversations if c.unexpected][:limit]


class Backend:
    """The backend's records, read with the run's admin credential."""

    def __init__(self, url: str, admin_token: str) -> None:
        self.url, self.headers = url, {"Authorization": f"Bearer {admin_token}"}

    def _total(self, path: str, **params: Any) -> Dict[str, Any]:
        answer = requests.get(
            f"{self.url}{path}", params={**params, "page_size": 100}, headers=self.headers, timeout=30
        )
        answer.raise_for_status()
        return answer.json()

    def effects(self, conversations: Sequence[Conversation]) -> Dict[str, int]:
        """Refund rows against the refunds customers were told of; one-time codes sent per refund."""
        told = rows = duplicates = untold = codes = 0
        for conversation in conversations:
            if conversation.kind != "refund":
                continue
            refunds = self._total("/v1/refunds", order_id=conversation.order_id)
            # Each refund conversation asks for one refund of its own order: more than one row is a duplicate.
            told += len(set(conversation.told_refund_ids))
            rows += refunds["total"]
            duplicates += max(refunds["total"] - 1, 0)
            untold += refunds["total"] > 0 and not conversation.told_refund_ids
            codes += self._total("/v1/outbox", recipient=conversation.email, template="verification_code")[
                "total"
            ]
        refund_conversations = sum(c.kind == "refund" for c in conversations)
        return {
            "refunds told": told,
            "refund rows in backend": rows,
            "duplicate refunds": duplicates,
            "refunds made but not confirmed": untold,
            "codes sent": codes,
            "extra codes sent": max(codes - refund_conversations, 0),
        }


class TrackerStore:
    """The conversations as a live replica reads them from PostgreSQL (Rasa's HTTP API, the run's token)."""

    def __init__(self, replica_url: str, api_token: str) -> None:
        self.url, self.token = replica_url, api_token

    def events(self, tracker_id: str) -> List[Dict[str, Any]]:
        answer = requests.get(
            f"{self.url}/conversations/{tracker_id}/tracker",
            params={"token": self.token, "include_events": "ALL"},
            timeout=60,
        )
        answer.raise_for_status()
        return answer.json().get("events", [])

    def compare(self, conversations: Sequence[Conversation]) -> Dict[str, int]:
        """Bot texts customers saw that the store lacks; user messages stored twice (a resend handled twice)."""
        seen = missing = stored_not_seen = duplicate_user = 0
        for conversation in conversations:
            events = self.events(conversation.tracker_id)
            stored = Counter(event.get("text") or "" for event in events if event.get("event") == "bot")
            received = Counter(conversation.received_texts())
            seen += sum(received.values())
            missing += sum((received - stored).values())
            stored_not_seen += sum((stored - received).values())
            ids = Counter(
                (event.get("parse_data") or {}).get("message_id") or event.get("message_id")
                for event in events
                if event.get("event") == "user"
            )
            duplicate_user += sum(count - 1 for key, count in ids.items() if key and count > 1)
        return {
            "bot texts seen": seen,
            "missing from tracker store": missing,
            "stored, never seen": stored_not_seen,
            "user messages stored twice": duplicate_user,
        }
