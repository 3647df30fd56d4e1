"""Check action-server responses against Rasa's schema with a validator built once.

Rasa 3.6 `RemoteAction._validate_action_result` calls `jsonschema.validate(response, schema)` on every
response from the action server. `jsonschema.validate` first re-checks the schema itself against the JSON
Schema meta-schema (`check_schema`) and builds a new validator with a fresh `$ref` resolver, whose store
normalises every meta-schema URL with urllib: under load that was 27 % of the Rasa server's CPU
(bench/PROPOSED_CHANGES.md), while checking the response itself cost under 2 %.

The schema (`RemoteAction.action_response_format_spec()`) is a constant, so here it is checked once and
its validator built once. Each response is then validated exactly as `jsonschema.validate` does it: the
same validator class (`validator_for` the schema), `best_match` over all errors, the same
`jsonschema.ValidationError` raised with Rasa's explanation appended. An invalid response is still
refused (tests/rasa_patches/test_action_response_validation.py).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Dict

import jsonschema
from jsonschema.protocols import Validator
from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

# Rasa's own method, kept so the tests can compare both on the same responses.
RASA_VALIDATE_ACTION_RESULT: Callable[[RemoteAction, Dict[str, Any]], bool] = (
    RemoteAction._validate_action_result
)


@functools.lru_cache(maxsize=1)
def response_validator() -> Validator:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's `_validate_action_result` with the validator built once: True, or the ValidationError."""
    error = jsonschema.exceptions.best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    # Rasa's wording, word for word (rasa/core/actions/action.py, 3.6.21).
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> None:
    response_validator()  # a broken schema fails at start, not on the first action call
    RemoteAction._validate_action_result = validate_action_result
