"""When the conversation stores stop answering (PostgreSQL behind the tracker store, Redis behind the lock
store): refuse the customer's message cleanly instead of answering it without the conversation.

Rasa 3.6 wraps every tracker store in its FailSafeTrackerStore: when PostgreSQL fails, `retrieve` returns
None and `save` writes to an in-memory store, so the message is handled as the first of a brand-new
conversation (the bot forgets the order, the open form and the verification) and nothing it says is stored.
`make bench-failover` measured exactly that during a PostgreSQL outage (bench/SERVING.md). The Redis lock
store is not wrapped: its errors end the message with an exception (the REST channel then answered `[]`).

With this module the channels answer 503 instead ("nothing was done with this message, send it again"):
- the tracker store reports every failure here (`record_failure`), to the message under way and to the
  process: the store is then suspect;
- before handing a message to Rasa, a channel checks the suspect stores (`stores_answer`: one ping each,
  one good ping clears it) and refuses while a ping fails;
- a failure during the message (the store failed after the check) refuses the answer produced without the
  conversation (`watching`); a lock store error is recognised by its type (`is_store_outage`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, Iterator, List, Optional, TypeVar

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = "temporarily_unavailable"
UNAVAILABLE_MESSAGE = (
    "Our systems are slow to answer right now, so nothing was done with this message. "
    "Please send it again in a few seconds."
)

Method = TypeVar("Method", bound=Callable[..., Awaitable[Any]])
_failures: ContextVar[Optional[List[str]]] = ContextVar("store_failures", default=None)
_pings: Dict[str, Callable[[], None]] = {}
_suspect_since: Dict[str, float] = {}


def watch(store: str, ping: Callable[[], None]) -> None:
    """Register a store's ping (raises when the store does not answer), checked while it is suspect."""
    _pings[store] = ping


def record_failure(store: str, error: BaseException) -> None:
    """A store call failed: the message under way (if watched) is refused, and the store is suspect."""
    failures = _failures.get()
    if failures is not None:
        failures.append(store)
    if store not in _suspect_since:
        logger.warning(
            "%s failed (%s): refusing messages until it answers again", store, error.__class__.__name__
        )
    _suspect_since.setdefault(store, time.monotonic())


def reports_outage(store: str, retries: int = 0) -> Callable[[Method], Method]:
    """A store method's connection failures are recorded (then raised, as before). With `retries`, a
    failure is first tried again at once: a pooled connection that died with a restarted server fails
    once, and SQLAlchemy then opens a new one (only for reads: a write may have half happened)."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        async def reporting(*args: Any, **kwargs: Any) -> Any:
            for attempt in range(retries + 1):
                try:
                    return await method(*args, **kwargs)
                except Exception as error:
                    if not is_store_outage(error):
                        raise
                    if attempt == retries:
                        record_failure(store, error)
                        raise
            return None  # unreachable: the last attempt returns or raises

        return reporting  # type: ignore[return-value]

    return decorate


def stores_answer() -> bool:
    """Whether every suspect store answers a ping now (no suspect store: True without any call)."""
    for store in list(_suspect_since):
        ping = _pings.get(store)
        if ping is None:
            continue
        try:
            ping()
        except Exception:  # noqa: BLE001 - any failure of the ping means the store is still out
            return False
        down_for = time.monotonic() - _suspect_since.pop(store)
        logger.warning("%s answers again after %.1f s", store, down_for)
    return True


@contextlib.contextmanager
def watching() -> Iterator[List[str]]:
    """The stores that failed while one message was handled (the caller refuses its answer if any)."""
    failures: List[str] = []
    token = _failures.set(failures)
    try:
        yield failures
    finally:
        _failures.reset(token)


def is_store_outage(error: BaseException) -> bool:
    """A connection-level failure of PostgreSQL (SQLAlchemy) or Redis, not a bug in the message's handling."""
    import redis.exceptions
    import sqlalchemy.exc

    outage_types = (
        redis.exceptions.ConnectionError,
        redis.exceptions.TimeoutError,
        sqlalchemy.exc.OperationalError,
        sqlalchemy.exc.InterfaceError,
    )
    return isinstance(error, outage_types)


def forget() -> None:
    """Tests: no store is registered or suspect."""
    _pings.clear()
    _suspect_since.clear()
