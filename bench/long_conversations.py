"""Long conversations: does a turn cost more at turn 200 than at turn 5? (issue 18)

Each conversation is 200 turns long, sent back to back (no pauses: Rasa's 60-minute session expiry never
starts a new session, so every turn works on the same, growing session). It opens and closes with the same
10-turn cycle of realistic turns (greeting, an order-status question with its email checked by the backend,
knowledge-base answers, small talk, a request the bot can't do and the "no" to its offer of a person), and
between them the middle rounds add thanks (with the one rating the bot asks for), refund status, other
orders and goodbyes. Since the first and last 10 turns are the same messages in the same order, the ratio of
their median latencies is the cost of the conversation's length alone, not of a different mix of turns.

The bare `rasa init` bot gets the same shape with its own messages (greetings, moods, "are you a bot?").

python -m bench.run long   (make bench-long)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import aiohttp
import numpy as np

from bench.serving import FRONTDESK_BOT, Baseline, Server, bare, exchange, frontdesk

Turn = Tuple[str, Sequence[str]]  # (message, substrings of which one must be in the reply)
TURNS = 200
WINDOW = 10
CONCURRENCY = (1, 4)
GOAL_RATIO = 1.2
# Turns go back to back: the channel's per-sender limit (20 a minute, meant for people) would refuse them.
LONG_ENV = {"RASA_RATE_LIMIT": "100000/minute"}

ORDER_WITH_EMAIL = "what's the status of order 10042? my email is jane@example.com"
FRONTDESK_CYCLE: List[Turn] = [
    ("hi", ["Frontdesk"]),
    (ORDER_WITH_EMAIL, ["Order 10042 was delivered"]),
    ("how long does delivery take?", ["Source: Delivery times"]),
    ("are you a bot?", ["I'm a bot"]),
    ("can you tell me where order 10043 is?", ["Order 10043 shipped"]),
    ("do you ship to Norway?", ["Source: International delivery"]),
    ("what payment methods do you accept?", ["Source: Payment methods"]),
    ("can I change the size of my order?", ["can't change an order"]),
    ("no", ["Alright"]),
    ("what is your return policy?", ["Source: Returning an item"]),
]
# The first thanks after a finished request gets the bot's one rating question: answered once, up front.
FRONTDESK_MIDDLE_OPENING: List[Turn] = [("thanks", ["rate the help"]), ("5", ["Thank you for the rating"])]
# Single-turn exchanges only, so a round cut short never leaves a question open.
FRONTDESK_MIDDLE_ROUND: List[Turn] = [
    ("hello again", ["Frontdesk"]),
    ("has my refund for 10047 gone through?", ["Refund #"]),
    ("where is my order 10044?", ["Order 10044"]),
    ("how do I return an item?", ["Source: Returning an item"]),
    ("thank you", ["You're welcome"]),
    (ORDER_WITH_EMAIL, ["Order 10042 was delivered"]),
    ("do you ship to Norway?", ["Source: International delivery"]),
    ("are you a bot?", ["I'm a bot"]),
    ("what payment methods do you accept?", ["Source: Payment methods"]),
    ("ok bye", ["Goodbye"]),
]
BARE_CYCLE: List[Turn] = [
    ("hello", ["Hey"]),
    ("I am sad", ["cheer"]),
    ("yes", ["Great"]),
    ("great", ["Great"]),
    ("are you a bot?", ["I am a bot"]),
    ("hi", ["Hey"]),
    ("I am very sad", ["cheer"]),
    # "yes", not "no": some trainings of the bare bot answer nothing to a "no" here (20 of 200 turns once).
    ("yes", ["Great"]),
    ("hey there", ["Hey"]),
    ("goodbye", ["Bye"]),
]


def conversation(
    cycle: List[Turn], middle_opening: List[Turn], middle_round: List[Turn], turns: int
) -> List[Turn]:
    """`turns` turns: the cycle, the middle (its opening, then its round repeated), the cycle again."""
    middle_length = turns - 2 * len(cycle)
    if middle_length < len(middle_opening):
        raise ValueError(f"{turns} turns leave no room for the middle of the conversation")
    repeats = -(-middle_length // len(middle_round))
    middle = (middle_opening + middle_round * repeats)[:middle_length]
    return cycle + middle + cycle


def frontdesk_turns(turns: int = TURNS) -> List[Turn]:
    return conversation(FRONTDESK_CYCLE, FRONTDESK_MIDDLE_OPENING, FRONTDESK_MIDDLE_ROUND, turns)


def bare_turns(turns: int = TURNS) -> List[Turn]:
    return conversation(BARE_CYCLE, [], BARE_CYCLE, turns)


def per_turn_medians(latencies: List[List[float]]) -> List[float]:
    """The median over conversations of each turn's latency (conversations of equal length)."""
    return [float(value) for value in np.median(np.array(latencies), axis=0)]


def growth(latencies: List[List[float]], window: int = WINDOW) -> Dict[str, float]:
    """Median and p95 (ms) of the first and last `window` turns over all conversations, and late / early."""
    table = np.array(latencies) * 1000
    early, late = table[:, :window].ravel(), table[:, -window:].ravel()
    return {
        "early_median_ms": float(np.median(early)),
        "late_median_ms": float(np.median(late)),
        "ratio": float(np.median(late) / np.median(early)),
        "early_p95_ms": float(np.percentile(early, 95)),
        "late_p95_ms": float(np.percentile(late, 95)),
    }


def buckets(medians: List[float], size: int = 20) -> List[float]:
    """Median latency (ms) of each block of `size` turns, from per-turn medians in seconds."""
    return [float(np.median(medians[start : start + size])) * 1000 for start in range(0, len(medians), size)]


async def _drive(
    session: aiohttp.ClientSession, server: Server, sender: str, turns: List[Turn], out: Dict
) -> List[float]:
    """One conversation, turn after turn; returns each turn's latency in seconds."""
    latencies = []
    for index, (message, expected) in enumerate(turns, start=1):
        answer = await exchange(session, server.webhook, server.headers, sender, message)
        latencies.append(answer.seconds)
        if not answer.as_expected(expected):
            out["unexpected"].append({"turn": index, "sent": message, "reply": answer.text[:200]})
    return latencies


async def _tracker_size(session: aiohttp.ClientSession, server: Server, sender: str) -> Dict[str, int]:
    """Events in the tracker and the bytes of its JSON: what the tracker store loads on every turn and
    what each action-server call carries (Rasa sends the whole tracker with every action request)."""
    url = server.tracker_url(sender)
    if url is None:
        return {}
    async with session.get(url) as response:
        tracker = await response.json()
    return {"events": len(tracker["events"]), "tracker_kb": len(json.dumps(tracker)) // 1024}


async def _run_level(server: Server, turns: List[Turn], concurrency: int) -> Dict:
    out: Dict = {"unexpected": []}
    senders = [f"bench-long-{uuid.uuid4().hex[:12]}" for _ in range(concurrency)]
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        loop = asyncio.get_running_loop()
        start = loop.time()
        early = [_drive(session, server, sender, turns[:WINDOW], out) for sender in senders]
        latencies = await asyncio.gather(*early)
        # Between the two parts, untimed: the tracker after the first window, to compare with the end.
        size_early = await _tracker_size(session, server, senders[0])
        rest = [_drive(session, server, sender, turns[WINDOW:], out) for sender in senders]
        for done, more in zip(latencies, await asyncio.gather(*rest), strict=True):
            done.extend(more)
        out["wall_s"] = loop.time() - start
        size_late = await _tracker_size(session, server, senders[0])
    out["latencies"] = latencies
    out["size"] = {"early": size_early, "late": size_late}
    return out


def warm_up(server: Server, turns: List[Turn]) -> None:
    """One pass over every distinct turn, untimed: the action server loads its knowledge base (about 10 s)
    and TensorFlow traces its graphs on the first messages, which would otherwise land in turn 1's figure."""
    distinct = list({message: (message, expected) for message, expected in turns}.values())
    asyncio.run(_run_level(server, distinct + distinct[:WINDOW], 1))


def measure(server: Server, turns: List[Turn], concurrency: int) -> Dict:
    """`concurrency` conversations of `turns`, at once; one row of the results and the per-turn medians."""
    result = asyncio.run(_run_level(server, turns, concurrency))
    medians = per_turn_medians(result["latencies"])
    row: Dict = {"bot": server.bot, "concurrent": concurrency, "turns": len(turns)}
    row.update(growth(result["latencies"]))
    row["ratio <= 1.2"] = "yes" if row["ratio"] <= GOAL_RATIO else "no"
    row["unexpected_replies"] = len(result["unexpected"])
    row["unexpected_examples"] = result["unexpected"][:3]
    row["wall_s"] = round(result["wall_s"], 1)
    early, late = result["size"]["early"], result["size"]["late"]
    for key in ("events", "tracker_kb"):
        row[f"{key} turn {WINDOW} -> {len(turns)}"] = f"{early[key]} -> {late[key]}" if early else "-"
    row["per_turn_median_ms"] = [round(value * 1000, 1) for value in medians]
    row["per_20_turns_median_ms"] = [round(value, 1) for value in buckets(medians)]
    print(
        f"  {server.bot} c={concurrency}: turns 1-{WINDOW} median {row['early_median_ms']:.0f} ms, "
        f"turns {len(turns) - WINDOW + 1}-{len(turns)} {row['late_median_ms']:.0f} ms, "
        f"ratio {row['ratio']:.2f}, {row['unexpected_replies']} unexpected",
        flush=True,
    )
    return row


def bucket_rows(rows: List[Dict], size: int = 20) -> List[Dict]:
    """One row per block of `size` turns, a column per bot and concurrency: how latency moves with the turn."""
    table = []
    for index in range(max(len(row["per_20_turns_median_ms"]) for row in rows)):
        entry: Dict = {"turns": f"{index * size + 1}-{(index + 1) * size}"}
        for row in rows:
            values = row["per_20_turns_median_ms"]
            entry[f"{row['bot']} c={row['concurrent']}"] = values[index] if index < len(values) else ""
        table.append(entry)
    return table


def run_servers(servers: List[Tuple[Server, List[Turn]]], levels: Sequence[int] = CONCURRENCY) -> List[Dict]:
    """Every server warmed up, then each level on each server in turn (same order at every level)."""
    for server, turns in servers:
        warm_up(server, turns)
    return [measure(server, turns, level) for level in levels for server, turns in servers]


def tracker_note(rows: List[Dict]) -> Optional[str]:
    sized = [row for row in rows if row.get(f"events turn {WINDOW} -> {row['turns']}", "-") != "-"]
    if not sized:
        return None
    return (
        "events / tracker_kb: the first conversation's tracker after turn 10 and after the last turn (Rasa's "
        "HTTP API; the bare bot runs without it). The SQL tracker store reads and deserialises all of a "
        "session's events on every turn, and each action call sends the whole tracker to the action server."
    )


def sections(rows: List[Dict]) -> List[Dict]:
    turns = rows[0]["turns"]
    columns = ["bot", "concurrent", "turns", "early_median_ms", "late_median_ms", "ratio", "ratio <= 1.2"]
    columns += ["early_p95_ms", "late_p95_ms", f"events turn {WINDOW} -> {turns}"]
    columns += [f"tracker_kb turn {WINDOW} -> {turns}", "unexpected_replies", "wall_s"]
    after = [
        f"early: turns 1-{WINDOW}, late: turns {turns - WINDOW + 1}-{turns} (the same {WINDOW} messages), "
        "over all conversations of the row; ratio = late median / early median (goal <= 1.2)."
    ]
    after += [note] if (note := tracker_note(rows)) else []
    return [
        {
            "title": f"Long conversations: latency at turns {turns - WINDOW + 1}-{turns} against turns 1-{WINDOW}",
            "rows": rows,
            "columns": columns,
            "after": " ".join(after),
        },
        {
            "title": "Median latency (ms) per 20 turns",
            "rows": bucket_rows(rows),
            "columns": ["turns"] + [f"{row['bot']} c={row['concurrent']}" for row in rows],
            "after": "Each turn's median over the row's conversations, then the median of 20 turns. Per-turn "
            "medians are in the JSON file (per_turn_median_ms).",
        },
    ]


def run(
    levels: Sequence[int] = CONCURRENCY, turns: int = TURNS, baseline: Optional[Baseline] = None
) -> List[Dict]:
    """Frontdesk's full stack and the bare bot, both up, each driven through long conversations; with a
    `baseline` (e.g. FRONTDESK_RASA_PATCHES_OFF=incremental_states), a second Frontdesk stack with its
    environment, in the same run."""
    with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp, contextlib.ExitStack() as running:
        servers: List[Tuple[Server, List[Turn]]] = []
        if baseline:
            env = {**LONG_ENV, **baseline.env}
            before = running.enter_context(frontdesk(Path(tmp, "baseline"), baseline.bot, env))
            servers.append((before, frontdesk_turns(turns)))
        served = running.enter_context(frontdesk(Path(tmp, "frontdesk"), FRONTDESK_BOT, LONG_ENV))
        bare_server, _ = running.enter_context(bare(Path(tmp)))
        servers += [(served, frontdesk_turns(turns)), (bare_server, bare_turns(turns))]
        rows = run_servers(servers, levels)
    return sections(rows)
