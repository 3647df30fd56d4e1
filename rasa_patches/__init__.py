"""Small patches to Rasa Open Source 3.6.21 that make serving cheaper, applied where Rasa loads our model.

Why patches: Rasa 3.6 is the last open-source release and is frozen (no 3.6.x fix will ship upstream), and
each patch replaces one Rasa internal by name. On any other Rasa version that internal may have changed,
so `apply()` refuses (`RasaVersionMismatch`) instead of silently patching code it was not checked against:
re-check every patch against the new version, then raise `PATCHED_RASA_VERSION`.

Where they are applied: `nlu_components/__init__.py` calls `apply()`. Rasa imports that package (our
pipeline's components) in every process that loads a Frontdesk model, `rasa run`, `rasa shell`,
`rasa test` and `rasa train` alike, before the first message is handled. The other hooks reach too little or
too much: our channel modules are imported only by `rasa run --credentials`, a custom tracker or lock store
only with an endpoints file, and a `sitecustomize.py` would reach every Python process on its path.

The patches (each module's docstring says what it changes and why that keeps Rasa's behaviour):
- `action_response_validation`: check action-server responses with a JSON-schema validator built once
  (Rasa re-checks the schema itself on every response: 27 % of the Rasa server's CPU under load).
- `sql_event_batches`: one transaction per tracker save for Rasa's SQL event broker instead of one
  connection and commit per event (45 % of the Rasa server's CPU with the local SQLite broker).
- `stream_without_reload`: the SQL tracker store counts its stored events to find what to stream instead
  of reloading the whole tracker on every save.
- `kept_alive_sessions`: one HTTP client session per endpoint with kept-alive connections, instead of a new
  session and TCP connection for every action-server call.
- `incremental_states`: the policies' past states of a conversation extended by its new events instead of
  replayed from the session's first event for every prediction.

`FRONTDESK_RASA_PATCHES_OFF` (comma-separated patch names, or `all`) leaves patches out. It exists for
side-by-side benchmarks only (`make bench-serving BASELINE_ENV=FRONTDESK_RASA_PATCHES_OFF=all`).
"""

from __future__ import annotations

import os
from typing import Callable, Dict, List

import rasa

from rasa_patches import (
    action_response_validation,
    incremental_states,
    kept_alive_sessions,
    sql_event_batches,
    stream_without_reload,
)

PATCHED_RASA_VERSION = "3.6.21"
SWITCH_VARIABLE = "FRONTDESK_RASA_PATCHES_OFF"
PATCHES: Dict[str, Callable[[], None]] = {
    "action_response_validation": action_response_validation.apply,
    "sql_event_batches": sql_event_batches.apply,
    "stream_without_reload": stream_without_reload.apply,
    "kept_alive_sessions": kept_alive_sessions.apply,
    "incremental_states": incremental_states.apply,
}


class RasaVersionMismatch(RuntimeError):
    """The installed Rasa is not the version these patches were written and tested against."""


def check_rasa_version(installed: str) -> None:
    if installed != PATCHED_RASA_VERSION:
        raise RasaVersionMismatch(
            f"rasa_patches was written for Rasa {PATCHED_RASA_VERSION}, but Rasa {installed} is installed. "
            f"Check each patch in rasa_patches/ against Rasa {installed}, then update PATCHED_RASA_VERSION."
        )


def switched_off() -> List[str]:
    """The patch names FRONTDESK_RASA_PATCHES_OFF leaves out; an unknown name is an error, not a no-op."""
    names = [name.strip() for name in os.environ.get(SWITCH_VARIABLE, "").split(",") if name.strip()]
    if "all" in names:
        return list(PATCHES)
    unknown = sorted(set(names) - set(PATCHES))
    if unknown:
        raise ValueError(
            f"{SWITCH_VARIABLE}: unknown patch {', '.join(unknown)}; known: {', '.join(PATCHES)}"
        )
    return names


def apply() -> List[str]:
    """Apply every patch not switched off (each is idempotent); returns the names applied."""
    check_rasa_version(rasa.__version__)
    skipped = switched_off()
    applied = [name for name in PATCHES if name not in skipped]
    for name in applied:
        PATCHES[name]()
    return applied
