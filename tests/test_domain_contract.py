"""Contracts between the action code, domain.yml and the knowledge base that Rasa itself does not check."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import yaml

from actions.entry import FLOW_STARTS
from actions.fallback import SUGGESTIBLE_INTENTS
from actions.forms import PAYMENT_PROBLEM_KEYWORDS
from actions.orders import CANCEL_REFUSALS
from actions.refunds import REFUSALS
from actions.unsupported import ROUTES
from backend.billing.policy import POLICY_URL
from channels.guard import REFUSALS as CHANNEL_REFUSALS
from common.paths import REPO_ROOT
from common.texts import EMAILS_PATH, MessageTemplates
from common.vocabulary import OrderStatus, RefundStatus, values
from console.app import CUSTOMER_RESPONSES as CONSOLE_RESPONSES
from tests.support import kb_articles_by_topic

DOMAIN = yaml.safe_load((REPO_ROOT / "domain.yml").read_text())
RESPONSES = DOMAIN["responses"]
# Strings in actions/ that look like response names but are not: Rasa's metadata key and a name prefix.
NOT_RESPONSES = {"utter_action"}
ORDER_STATUSES = values(OrderStatus)
REFUND_STATUSES = values(RefundStatus)


def test_every_response_the_actions_name_exists() -> None:
    named = set()
    for path in (REPO_ROOT / "actions").rglob("*.py"):
        named |= set(re.findall(r'"(utter_[a-z_]*[a-z])"', path.read_text())) - NOT_RESPONSES
    named |= set(CONSOLE_RESPONSES) | set(CHANNEL_REFUSALS)
    named |= set(REFUSALS.values()) | set(CANCEL_REFUSALS.values())
    named |= {f"utter_order_status_{status}" for status in ORDER_STATUSES}
    named |= {f"utter_refund_status_{status}" for status in REFUND_STATUSES}
    named |= {f"utter_topic_{intent}" for intent in SUGGESTIBLE_INTENTS}
    named |= {f"utter_phrase_payment_{problem}" for problem, _ in PAYMENT_PROBLEM_KEYWORDS}
    missing = sorted(name for name in named if name not in RESPONSES)
    assert not missing, f"responses used in actions/ but missing from domain.yml: {missing}"


def test_every_form_slot_has_a_question() -> None:
    for form, spec in DOMAIN["forms"].items():
        for slot in spec["required_slots"]:
            asked_by = {
                f"utter_ask_{form}_{slot}",
                f"utter_ask_{slot}",
                f"action_ask_{slot}",
                f"action_ask_{form}_{slot}",
            }
            assert asked_by & (set(RESPONSES) | set(DOMAIN["actions"])), (form, slot)


def test_refund_answers_link_the_written_policy() -> None:
    assert kb_articles_by_topic()["refund_policy"].url == POLICY_URL
    for code, response in REFUSALS.items():
        if code != "order_not_found":  # not a policy decision: the order is not this customer's
            assert POLICY_URL in RESPONSES[response][0]["text"], response


def test_refund_policy_article_states_the_rules_the_backend_applies() -> None:
    text = (REPO_ROOT / "data" / "kb" / "refund-policy.md").read_text()
    assert "within 30 days of its delivery date" in text
    assert "never be more than the order total" in text


def test_faq_topics_in_the_nlu_data_all_have_an_article() -> None:
    nlu = "".join(path.read_text() for path in (REPO_ROOT / "data" / "nlu").rglob("*.yml"))
    topics = set(re.findall(r'"entity": "faq_topic", "value": "([a-z_]+)"', nlu))
    buttons = RESPONSES["utter_ask_faq_topic"][0]["buttons"]
    offered = set(re.findall(r'"faq_topic": "([a-z_]+)"', " ".join(b["payload"] for b in buttons)))
    assert topics and topics <= set(kb_articles_by_topic()) and offered <= set(kb_articles_by_topic())


def test_every_email_template_is_complete_and_used() -> None:
    templates = MessageTemplates().templates
    for name, template in templates.items():
        # email, sms, or web: a page the customer opens (console/privacy/downloads.py)
        assert template.get("subject") and (
            template.get("email") or template.get("sms") or template.get("web")
        ), name
    used = set()
    for folder in ("backend", "console", "privacy"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for match in re.finditer(
                r'template="([a-z_]+)"|(?:emails|templates)\.render\(\s*"([a-z_]+)"', path.read_text()
            ):
                used.add(match.group(1) or match.group(2))
    assert used == set(templates), f"unused: {set(templates) - used}, missing: {used - set(templates)}"
    assert EMAILS_PATH.parent == REPO_ROOT


CUSTOMER_FACING_PACKAGES = ("actions", "channels", "console", "backend", "webchat")


def _sentences_in_python(path: Path) -> list:
    """String literals that read like a sentence to a customer, where code hands text to a customer:
    `utter_message(text=...)`, or a literal passed as a response's value."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        function = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if function != "utter_message":
            continue
        for keyword in node.keywords:
            if keyword.arg in ("text", "template"):
                found.append(f"{path}:{node.lineno} utter_message({keyword.arg}=...)")
            elif (
                isinstance(keyword.value, ast.Constant)
                and isinstance(keyword.value.value, str)
                and " " in keyword.value.value
            ):
                found.append(f"{path}:{node.lineno} {keyword.arg}={keyword.value.value!r}")
            elif isinstance(keyword.value, ast.BoolOp):
                literals = [
                    value
                    for value in keyword.value.values
                    if isinstance(value, ast.Constant) and isinstance(value.value, str)
                ]
                found += [f"{path}:{node.lineno} {keyword.arg}=... or {value.value!r}" for value in literals]
    return found


def test_customer_facing_text_lives_in_domain_yml_not_in_code() -> None:
    found = []
    for package in CUSTOMER_FACING_PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            found += _sentences_in_python(path)
    assert not found, found
    # The web chat page gets its sentences from the server (webchat/server.py), never from its own code.
    for script in (REPO_ROOT / "webchat" / "static").rglob("*.js"):
        assert not re.search(r"textContent\s*=\s*[\"'][A-Z][a-z]+ [a-z]", script.read_text()), script


def rule_starts() -> dict:
    """intent -> the first action of every rule that starts with an intent (data/rules*.yml)."""
    starts = {}
    for path in sorted((REPO_ROOT / "data").glob("rules*.yml")):
        for rule in yaml.safe_load(path.read_text())["rules"]:
            steps = rule.get("steps", [])
            if len(steps) >= 2 and "intent" in steps[0] and not rule.get("condition"):
                starts[steps[0]["intent"]] = steps[1]["action"]
    return starts


def test_a_form_switches_topic_to_what_the_rules_start() -> None:
    starts = rule_starts()
    for intent, action in FLOW_STARTS.items():
        assert starts.get(intent) == action, (intent, action, starts.get(intent))
    flows = {
        intent
        for intent, action in starts.items()
        if action.endswith("_form") or action in FLOW_STARTS.values()
    }
    assert flows <= set(FLOW_STARTS), flows - set(FLOW_STARTS)


def test_every_request_without_a_flow_says_so_and_has_its_route_in_the_kb() -> None:
    articles = kb_articles_by_topic()
    for intent, topic in ROUTES.items():
        assert intent in DOMAIN["intents"] and f"utter_cannot_{intent}" in RESPONSES, intent
        assert topic in articles, topic
        assert rule_starts()[intent] == "action_explain_unsupported"


def test_every_guarded_flow_has_its_yes_no_question_with_no_first() -> None:
    config = yaml.safe_load((REPO_ROOT / "config.yml").read_text())
    guard = next(c for c in config["pipeline"] if c["name"].endswith("SensitiveFlowGuard"))
    for intent in guard["intents"]:
        buttons = RESPONSES[f"utter_confirm_{intent}"][0]["buttons"]
        assert [b["payload"] for b in buttons] == ["/deny", f"/{intent}"], intent
        assert intent not in SUGGESTIBLE_INTENTS  # never offered as a guess


def test_the_missing_parcel_answers_link_the_written_policy() -> None:
    from backend.orders.policy import POLICY_URL as CLAIM_POLICY_URL

    assert kb_articles_by_topic()["missing_parcel"].url == CLAIM_POLICY_URL
