"""Slack and Telegram beyond one conversation: exactly-once across replicas (the real Redis), button payloads
past Telegram's 64 bytes, a mention in a Slack channel, and the settings production refuses."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest
import requests
from aiogram.utils.exceptions import ButtonDataInvalid
from slack_sdk.errors import SlackApiError

from channels.slack_output import SlackOutput, button_blocks, web_client
from channels.telegram_output import MAPPED_PREFIX, TelegramOutput, make_bot, payload_of
from common.dedup import MemoryState, RedisState
from common.settings import ConfigurationError, slack_settings, telegram_settings
from tests import attacks
from tests.e2e.platforms import SlackCustomer, TelegramCustomer
from tests.peers.processes import PlatformPeers
from tests.support import start_backend, stop_backend
from tests.webchat.test_replicas import redis_url
from tools.stack import Stack

pytestmark = pytest.mark.e2e


async def claims_by_two_replicas(first: object, second: object, keys: int) -> int:
    """Both replicas claim the same deliveries at once; how many deliveries were claimed more than once."""
    names = [f"test:{uuid.uuid4().hex}" for _ in range(keys)]
    results = await asyncio.gather(
        *(state.claim(name) for name in names for state in (first, second))  # type: ignore[attr-defined]
    )
    wins = [results[index] + results[index + 1] for index in range(0, len(results), 2)]
    assert all(count >= 1 for count in wins), "a delivery nobody handled"
    return sum(count > 1 for count in wins)


@pytest.mark.attack
def test_each_delivery_is_handled_by_one_replica_with_redis() -> None:
    url = redis_url()
    if url is None:
        pytest.skip("no Redis at FRONTDESK_TEST_REDIS_URL (default redis://127.0.0.1:6379/0)")
    duplicates = asyncio.run(claims_by_two_replicas(RedisState(url), RedisState(url), 200))
    attacks.record("channel_delivery_across_replicas", attempts=200, duplicates=duplicates)
    assert duplicates == 0
    # The control: replicas that keep deliveries in their own memory both handle every one of them.
    assert asyncio.run(claims_by_two_replicas(MemoryState(), MemoryState(), 20)) == 20


def test_a_long_button_payload_goes_through_a_key_any_replica_can_read(
    stack: Stack, platform_peers: PlatformPeers
) -> None:
    url = redis_url()
    if url is None:
        pytest.skip("no Redis at FRONTDESK_TEST_REDIS_URL (default redis://127.0.0.1:6379/0)")
    customer = TelegramCustomer(stack, platform_peers)
    customer.say_text("hi")  # Telegram only lets a bot write to chats that wrote to it
    payload = "/get_invoice" + json.dumps({"invoice_id": "INV-" + "9" * 80})

    async def send_and_read_back() -> str:
        bot = make_bot(platform_peers.telegram_bot_token, platform_peers.telegram_url)
        try:
            await TelegramOutput(bot, RedisState(url)).send_text_with_buttons(
                customer.sender, "Which invoice?", [{"title": "That one", "payload": payload}]
            )
            # The peer refuses more than 64 bytes, as Telegram does: the same call with the raw payload fails.
            with pytest.raises(ButtonDataInvalid):
                await bot.send_message(
                    customer.chat_id,
                    "raw",
                    reply_markup={"inline_keyboard": [[{"text": "raw", "callback_data": payload}]]},
                )
        finally:
            await bot.session.close()
        data = customer.new_messages()[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        assert data.startswith(MAPPED_PREFIX) and len(data.encode()) <= 64, data
        return await payload_of(data, RedisState(url)) or ""  # another replica reads it back

    assert asyncio.run(send_and_read_back()) == payload


def test_a_mention_in_a_slack_channel_is_answered_in_that_channel(
    stack: Stack, platform_peers: PlatformPeers
) -> None:
    customer = SlackCustomer(stack, platform_peers, channel="C" + uuid.uuid4().hex[:9].upper())
    assert "email" in customer.say_text("where is my order 10042?").lower()
    assert all(message["channel"] == customer.channel for message in customer.messages())


@pytest.mark.attack
def test_url_verification_must_be_signed_too(platform_peers: PlatformPeers, stack: Stack) -> None:
    body = {"token": "x", "challenge": "attacker-controlled", "type": "url_verification"}
    answer = requests.post(f"{stack.config.rasa_url}/webhooks/slack/webhook", json=body, timeout=10)
    assert answer.status_code == 401 and "attacker-controlled" not in answer.text
    attacks.record("slack_forged_or_replayed_webhook", attempts=1, bypasses=int(answer.status_code != 401))


@pytest.mark.parametrize("settings", [slack_settings, telegram_settings])
def test_production_refuses_half_or_unsafe_platform_secrets(
    settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = "SLACK" if settings is slack_settings else "TELEGRAM"
    secret_name = "SIGNING_SECRET" if prefix == "SLACK" else "SECRET_TOKEN"
    monkeypatch.setenv("FRONTDESK_ENV", "production")
    for name in (f"{prefix}_BOT_TOKEN", f"{prefix}_{secret_name}"):
        monkeypatch.delenv(name, raising=False)
    assert settings().enabled is False  # type: ignore[operator] - neither: the channel is simply off
    monkeypatch.setenv(f"{prefix}_BOT_TOKEN", "x" * 40)
    with pytest.raises(ConfigurationError, match=secret_name):
        settings()  # type: ignore[operator]
    monkeypatch.setenv(f"{prefix}_{secret_name}", "dev-secret-for-a-local-run-only")
    with pytest.raises(ConfigurationError, match="development default"):
        settings()  # type: ignore[operator]
    monkeypatch.setenv(f"{prefix}_{secret_name}", "short")
    with pytest.raises(ConfigurationError, match="shorter than"):
        settings()  # type: ignore[operator]


@pytest.mark.attack
def test_failed_lookups_are_budgeted_per_platform_user_not_for_the_whole_platform(tmp_path) -> None:
    """Slack and Telegram requests all come from the platform: the action server reports the platform user
    as the customer's address, so one user spending the lookup budget blocks only that user."""
    server = start_backend(
        f"sqlite:///{tmp_path}/budget.db",
        tmp_path / "backend.log",
        "sqlite",
        LOOKUP_FAILURES_PER_ADDRESS="3/hour",
    )
    try:

        def lookup(order_id: int, email: str, user: str) -> int:
            headers = {"X-Client-Address": user}
            answer = server.post(
                f"/v1/orders/{order_id}/lookup", json={"email": email}, headers=headers, as_="actions"
            )
            return answer.status_code

        guesser, neighbour = "telegram:111111111", "telegram:222222222"
        misses = [lookup(19_000 + n, f"probe-{n}@example.org", guesser) for n in range(4)]
        assert misses == [404, 404, 404, 429], misses  # the guesser's own budget is spent
        assert lookup(10042, "jane@example.com", guesser) == 429
        # Another Telegram user, and a Slack user, are not blocked by it.
        assert lookup(10042, "jane@example.com", neighbour) == 200
        assert lookup(10042, "jane@example.com", "slack:T0FRONTDSK:U0NEIGHBOUR") == 200
    finally:
        stop_backend(server)
    attacks.record("telegram_lookup_budget_shared_by_the_platform", attempts=5, bypasses=0)


def test_thirty_slack_buttons_stay_buttons_within_slacks_limits(
    stack: Stack, platform_peers: PlatformPeers
) -> None:
    """Rasa's connector turns more than 5 buttons into text; ours fills actions blocks of 25, and the peer
    refuses what Slack refuses (a block of 30, a wrong token)."""
    customer = SlackCustomer(stack, platform_peers)
    customer.say_text("hi")  # the DM exists once the customer wrote
    buttons = [{"title": f"Option {n}", "payload": f'/inform{{"n": {n}}}'} for n in range(30)]

    async def send() -> None:
        client = web_client(platform_peers.slack_bot_token, f"{platform_peers.slack_url}/api")
        await SlackOutput(client).send_text_with_buttons(customer.sender, "Pick one", buttons)
        blocks = button_blocks("Pick one", buttons)
        one_block = {"type": "actions", "elements": blocks[1]["elements"] + blocks[2]["elements"]}
        with pytest.raises(SlackApiError, match="invalid_blocks"):
            await client.chat_postMessage(channel=customer.channel, text="x", blocks=[one_block])
        with pytest.raises(SlackApiError, match="invalid_auth"):
            await web_client("xoxb-not-our-token", f"{platform_peers.slack_url}/api").auth_test()

    asyncio.run(send())
    posted = customer.new_messages()[-1]
    assert [len(block["elements"]) for block in posted["blocks"] if block["type"] == "actions"] == [25, 5]
