"""A circuit breaker per API that never holds a lock while a call is in flight.

pybreaker serialises every call through one breaker behind a lock, so a single slow backend call would
hold up every other conversation's call to the same API. Here the lock guards only the bookkeeping:
calls run concurrently; after `fail_max` failures in a row the circuit opens and calls fail at once; after
`reset_timeout` seconds one trial call is let through (half-open): success closes it, failure re-opens it.
"""

from __future__ import annotations

import threading
import time
import weakref
from typing import Callable, List, Tuple, Type, TypeVar

T = TypeVar("T")
CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"


# Every breaker this process made, for /metrics and for routing new conversations to people while they are open.
_BREAKERS: weakref.WeakSet[CircuitBreaker] = weakref.WeakSet()


def all_breakers() -> List[CircuitBreaker]:
    return sorted(_BREAKERS, key=lambda breaker: breaker.name)


class CircuitOpenError(Exception):
    """The circuit is open: the call was not made."""


class CircuitBreaker:
    def __init__(
        self, name: str, *, fail_max: int, reset_timeout: float, exclude: Tuple[Type[BaseException], ...] = ()
    ) -> None:
        self.name = name
        self.fail_max = fail_max
        self.reset_timeout = reset_timeout
        self.exclude = exclude  # answers, not failures (a 4xx refusal means the service is up)
        self._lock = threading.Lock()
        self._state = CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False
        _BREAKERS.add(self)

    def refusing(self) -> bool:
        """Open and still inside its reset window: calls to this API fail at once right now. (Past the
        window the next call is a trial, so the API no longer counts as failing until that trial fails.)"""
        with self._lock:
            return self._state == OPEN and time.monotonic() - self._opened_at < self.reset_timeout

    @property
    def current_state(self) -> str:
        with self._lock:
            return self._state

    def _admit(self) -> bool:
        """Whether this call may go ahead; True for the one trial call of a half-open circuit."""
        with self._lock:
            if self._state == CLOSED:
                return False
            if self._state == OPEN and time.monotonic() - self._opened_at >= self.reset_timeout:
                self._state = HALF_OPEN
            if self._state == HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return True
            raise CircuitOpenError(f"{self.name}: circuit open")

    def call(self, func: Callable[[], T]) -> T:
        trial = self._admit()
        try:
            result = func()
        except self.exclude:
            self._succeeded()
            raise
        except BaseException:
            self._failed(trial)
            raise
        self._succeeded()
        return result

    def _succeeded(self) -> None:
        with self._lock:
            self._state, self._failures, self._trial_running = CLOSED, 0, False

    def _failed(self, trial: bool) -> None:
        with self._lock:
            self._failures += 1
            if trial or self._failures >= self.fail_max:
                self._state, self._opened_at = OPEN, time.monotonic()
            self._trial_running = False
