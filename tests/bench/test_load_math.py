"""The pure parts of the long-conversation and capacity benchmarks: scripts, statistics, arrivals, search."""

from __future__ import annotations

import random
from typing import Dict, List

import pytest

from bench.capacity import (
    FRONTDESK_CAPACITY,
    arrival_rate,
    arrival_times,
    capacity,
    mean_conversation_s,
    next_level,
    starting_level,
)
from bench.long_conversations import (
    WINDOW,
    bare_turns,
    buckets,
    conversation,
    frontdesk_turns,
    growth,
    per_turn_medians,
)
from bench.serving import Script


@pytest.mark.parametrize("turns", [30, 200, 201])
def test_long_conversations_open_and_close_with_the_same_turns(turns: int) -> None:
    for script in (frontdesk_turns(turns), bare_turns(turns)):
        assert len(script) == turns
        assert script[:WINDOW] == script[-WINDOW:]


def test_the_middle_starts_with_its_opening_then_repeats_its_round() -> None:
    cycle = [("a", ["A"])]
    opening = [("thanks", ["rate"]), ("5", ["rating"])]
    middle_round = [("x", ["X"]), ("y", ["Y"])]
    built = conversation(cycle, opening, middle_round, 9)
    assert [message for message, _ in built] == ["a", "thanks", "5", "x", "y", "x", "y", "x", "a"]
    with pytest.raises(ValueError):
        conversation(cycle, opening, middle_round, 3)


def test_growth_compares_the_first_and_last_window_over_all_conversations() -> None:
    # Two conversations of 30 turns: 50 ms and 70 ms early, 60 ms and 90 ms late.
    latencies = [[0.05] * 10 + [0.2] * 10 + [0.06] * 10, [0.07] * 10 + [0.2] * 10 + [0.09] * 10]
    found = growth(latencies, window=10)
    assert found["early_median_ms"] == pytest.approx(60)
    assert found["late_median_ms"] == pytest.approx(75)
    assert found["ratio"] == pytest.approx(1.25)
    assert found["late_p95_ms"] == pytest.approx(90)


def test_per_turn_medians_and_blocks_of_turns() -> None:
    medians = per_turn_medians([[0.01, 0.02, 0.03, 0.04], [0.03, 0.04, 0.05, 0.06], [0.02, 0.0, 0.04, 0.05]])
    assert medians == pytest.approx([0.02, 0.02, 0.04, 0.05])
    assert buckets(medians, size=2) == pytest.approx([20.0, 45.0])


def test_poisson_arrivals_have_the_asked_rate_and_exponential_gaps() -> None:
    times = arrival_times(2.0, 5000.0, random.Random(7))
    assert times == sorted(times) and times[0] >= 0 and times[-1] < 5000.0
    assert len(times) == pytest.approx(10_000, rel=0.04)  # 4 standard deviations of a Poisson count
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    short = sum(gap < 0.5 for gap in gaps) / len(gaps)
    assert short == pytest.approx(1 - 2.718281828 ** (-1.0), abs=0.02)  # P(gap < 1/rate) for exponential


def test_littles_law_turns_a_level_into_an_arrival_rate() -> None:
    scripts: List[Script] = [[("a", []), ("b", [])], [("a", []), ("b", []), ("c", []), ("d", [])]]
    # Pauses average 12.5 s: conversations stay open 12.5 s and 37.5 s, 25 s on average.
    assert mean_conversation_s(scripts) == pytest.approx(25.0)
    assert arrival_rate(50, scripts) == pytest.approx(2.0)
    # 3 messages per 25 s conversation: 0.12 msg/s each; half of 12 msg/s is 50 conversations.
    assert starting_level(12.0, scripts) == 50
    assert starting_level(0.001, scripts) == 1
    assert all(len(script) >= 2 for script in FRONTDESK_CAPACITY)


def search_with_threshold(true_capacity: int, start: int) -> Dict[int, bool]:
    verdicts: Dict[int, bool] = {}
    level = next_level(verdicts, start)
    while level is not None:
        assert level not in verdicts and len(verdicts) < 20
        verdicts[level] = level <= true_capacity
        level = next_level(verdicts, start)
    return verdicts


@pytest.mark.parametrize(("true_capacity", "start"), [(40, 10), (40, 200), (7, 7), (250, 60), (3, 50)])
def test_the_level_search_brackets_the_capacity_within_its_precision(true_capacity: int, start: int) -> None:
    verdicts = search_with_threshold(true_capacity, start)
    found = capacity(verdicts)
    assert found is not None and found <= true_capacity
    failed_above = min(level for level, ok in verdicts.items() if not ok)
    assert failed_above / found <= 1.2 or failed_above - found <= 1
    assert len(verdicts) <= 10


def test_the_search_stops_when_even_one_conversation_fails() -> None:
    verdicts = search_with_threshold(0, 10)
    assert capacity(verdicts) is None and min(verdicts) == 1


def test_a_noisy_failure_below_a_pass_does_not_hide_the_pass() -> None:
    # 20 passed, 14 failed (a burst of other work), 30 failed: the capacity stands at 20, refined above it.
    verdicts = {14: False, 20: True, 30: False}
    assert capacity(verdicts) == 20
    following = next_level(verdicts, 20)
    assert following is not None and 20 < following < 30
