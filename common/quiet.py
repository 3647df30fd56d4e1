"""Terminal entry points show our messages, not the libraries' complaints about each other.

Rasa 3.6 is frozen, and the packages it pins print about twenty deprecation warnings on every start
(pkg_resources, jax, pyparsing through matplotlib, distutils through sanic_cors, SQLAlchemy's URL()). They say
nothing a Frontdesk user can act on and push the prompt off the screen. Only deprecations are dropped, and
only in the processes that call this: Rasa's UserWarnings about the domain or the data still show.
"""

from __future__ import annotations

import os
import warnings
from typing import Any, Callable

_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning)


def _without_deprecations(show: Callable[..., None]) -> Callable[..., None]:
    def show_unless_deprecation(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, _DEPRECATIONS):
            show(message, category, *args, **kwargs)

    return show_unless_deprecation


def silence_library_deprecations() -> None:
    # Dropped where warnings are shown, not by a filter: libraries imported later insert their own filters
    # ahead of ours (one adds "once" for every DeprecationWarning).
    warnings.showwarning = _without_deprecations(warnings.showwarning)
    # SQLAlchemy 1.4's "not compatible with 2.0" notice: we write 2.0 style; Rasa's tracker store doesn't.
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
