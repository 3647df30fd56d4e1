"""Backend calls run in worker threads, so one slow call never holds up every other conversation.

The clients are synchronous (requests); rasa-sdk runs every action on one event loop. Awaiting
`off_loop(...)` hands the call to a thread pool and lets the loop serve other conversations meanwhile.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Optional, TypeVar

from actions.backend import settings

T = TypeVar("T")
_pool: Optional[ThreadPoolExecutor] = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=settings().worker_threads, thread_name_prefix="backend-call")
    return _pool


async def off_loop(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a blocking call in the pool and wait for it without blocking the event loop."""
    # In the caller's context: the request and conversation ids reach the backend call's headers and logs.
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        _executor(), functools.partial(context.run, call, *args, **kwargs)
    )
