"""Contracts between the action code, domain.yml and the knowledge base that Rasa itself does not check."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actions.fallback import SUGGESTIBLE_INTENTS
from actions.faq import load_articles
from actions.orders import CANCEL_REFUSALS
from actions.refunds import REFUSALS
from backend.billing.policy import POLICY_URL
from channels.guard import REFUSALS as CHANNEL_REFUSALS
from common.texts import EMAILS_PATH, MessageTemplates
from console.app import CUSTOMER_RESPONSES as CONSOLE_RESPONSES

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
RESPONSES = DOMAIN["responses"]
# Strings in actions/ that look like response names but are not: Rasa's metadata key and a name prefix.
NOT_RESPONSES = {"utter_action"}
ORDER_STATUSES = ("placed", "shipped", "delivered", "cancelled")
REFUND_STATUSES = ("pending", "processed", "rejected")


def test_every_response_the_actions_name_exists() -> None:
    named = set()
    for path in (REPO_ROOT / "actions").rglob("*.py"):
        named |= set(re.findall(r'"(utter_[a-z_]*[a-z])"', path.read_text())) - NOT_RESPONSES
    named |= set(CONSOLE_RESPONSES) | set(CHANNEL_REFUSALS)
    named |= set(REFUSALS.values()) | set(CANCEL_REFUSALS.values())
    named |= {f"utter_order_status_{status}" for status in ORDER_STATUSES}
    named |= {f"utter_refund_status_{status}" for status in REFUND_STATUSES}
    named |= {f"utter_topic_{intent}" for intent in SUGGESTIBLE_INTENTS}
    missing = sorted(name for name in named if name not in RESPONSES)
    assert not missing, f"responses used in actions/ but missing from domain.yml: {missing}"


def test_every_form_slot_has_a_question() -> None:
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            asked_by = {f"utter_ask_{form}_{slot}", f"utter_ask_{slot}", f"action_ask_{slot}"}
            assert asked_by & (set(RESPONSES) | set(DOMAIN["actions"])), (form, slot)


def test_refund_answers_link_the_written_policy() -> None:
    assert load_articles()["refund_policy"].url == POLICY_URL
    for response in REFUSALS.values():
        assert POLICY_URL in RESPONSES[response][0]["text"], response


def test_refund_policy_article_states_the_rules_the_backend_applies() -> None:
    text = (REPO_ROOT / "data" / "kb" / "refund-policy.md").read_text()
    assert "within 30 days of its delivery date" in text
    assert "never be more than the order total" in text


def test_faq_topics_in_the_nlu_data_all_have_an_article() -> None:
    nlu = (REPO_ROOT / "data" / "nlu" / "conversation.yml").read_text()
    topics = set(re.findall(r'"entity": "faq_topic", "value": "([a-z_]+)"', nlu))
    assert topics and topics <= set(load_articles())


def test_every_email_template_is_complete_and_used() -> None:
    templates = MessageTemplates().templates
    for name, template in templates.items():
        assert template.get("subject") and (template.get("email") or template.get("sms")), name
    used = set()
    for folder in ("backend", "console"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for match in re.finditer(
                r'template="([a-z_]+)"|emails\.render\(\s*"([a-z_]+)"', path.read_text()
            ):
                used.add(match.group(1) or match.group(2))
    assert used == set(templates), f"unused: {set(templates) - used}, missing: {used - set(templates)}"
    assert EMAILS_PATH.parent == REPO_ROOT
