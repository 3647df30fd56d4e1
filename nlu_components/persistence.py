"""Saving and loading a trained component's state (a scikit-learn model and its feature weights) with skops,
which loads without unpickling arbitrary code. Shared by the intent and FAQ-topic classifiers."""

from __future__ import annotations

from typing import Any, Dict, Optional

from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save_state(storage: ModelStorage, resource: Resource, filename: str, state: Dict[str, Any]) -> None:
    import skops.io as sio

    with storage.write_to(resource) as directory:
        sio.dump(state, directory / filename)


def load_state(storage: ModelStorage, resource: Resource, filename: str) -> Optional[Dict[str, Any]]:
    """The saved state, or None when the component was never trained (nothing to learn from)."""
    import skops.io as sio

    try:
        with storage.read_from(resource) as directory:
            path = directory / filename
            return sio.load(path, trusted=sio.get_untrusted_types(file=path))
    except ValueError:
        return None
