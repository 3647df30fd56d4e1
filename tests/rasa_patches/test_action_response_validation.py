"""The validator-built-once patch keeps Rasa's checks: Rasa's own RemoteAction.run, calling a real HTTP
action server, still accepts valid responses and refuses invalid ones with Rasa's error."""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Dict, List

import jsonschema
import pytest
from aiohttp import web
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActiveLoop, BotUttered, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

import nlu_components  # noqa: F401  (importing our components applies the patches, as in `rasa run`)
from rasa_patches import action_response_validation
from tools.processes import free_port

VALID: List[Dict[str, Any]] = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "order_id", "value": "10042", "timestamp": None},
            {"event": "active_loop", "name": None},
        ],
        "responses": [{"text": "Order 10042 was delivered."}],
    },
    {
        "events": [
            {
                "event": "user",
                "text": "where is my order",
                "parse_data": {"intent": {"name": "order_status", "confidence": 0.9}, "entities": []},
            }
        ],
        "responses": [],
    },
]
INVALID: List[Dict[str, Any]] = [
    {"events": [{"event": "slot", "name": "order_id"}]},  # a slot event without a value
    {"events": [{"event": "no_such_event"}]},  # matches none of the event types
    {"events": [{"name": "order_id", "value": 1}]},  # no event type at all
    {"events": {"event": "slot", "name": "order_id", "value": 1}},  # not a list
    {"events": [], "responses": ["a bare string"]},  # responses must be objects
    {"events": [{"event": "user", "text": 42}]},  # a user message's text must be a string
    {"events": [{"event": "slot", "name": "order_id", "value": 1, "timestamp": "yesterday"}]},
    ["not", "an", "object"],
]


def run_remote_action(response: Any) -> List[Event]:
    """Rasa's RemoteAction.run against a real HTTP server answering `response`, as in production."""

    async def scenario() -> List[Event]:
        async def webhook(_request: web.Request) -> web.Response:
            return web.json_response(response)

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            action = RemoteAction("action_check_order", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
            tracker = DialogueStateTracker("validation-test", slots=[])
            return await action.run(
                CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, Domain.empty()
            )
        finally:
            await runner.cleanup()

    return asyncio.run(scenario())


def test_loading_our_components_applies_the_patch() -> None:
    assert RemoteAction._validate_action_result is action_response_validation.validate_action_result
    assert action_response_validation.RASA_VALIDATE_ACTION_RESULT is not RemoteAction._validate_action_result


def test_valid_responses_pass_and_become_events() -> None:
    events = run_remote_action(VALID[1])
    assert events[0] == BotUttered("Order 10042 was delivered.", data={})
    assert events[1:] == [SlotSet("order_id", "10042"), ActiveLoop(None)]


@pytest.mark.parametrize("response", INVALID)
def test_invalid_responses_are_refused_with_rasas_explanation(response: Any) -> None:
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        run_remote_action(response)


@pytest.mark.parametrize("response", VALID + INVALID)
def test_same_verdict_and_message_as_rasas_own_validation(response: Any) -> None:
    action = RemoteAction("action_check_order", None)

    def verdict(validate: Any) -> str:
        try:
            return str(validate(action, copy.deepcopy(response)))
        except jsonschema.ValidationError as error:
            return f"refused: {error.message} at {list(error.absolute_path)}"

    assert verdict(action_response_validation.validate_action_result) == verdict(
        action_response_validation.RASA_VALIDATE_ACTION_RESULT
    )
