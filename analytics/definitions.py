"""What each support metric means: written once here; the README's table is generated from this list
(`python -m analytics.definitions` prints it, and tests/analytics checks the README carries it).

Shared vocabulary of the definitions:
- a *bot conversation* is a Rasa conversation with at least one meaningful customer message (anything but
  greetings, thanks, goodbyes, yes/no, "stop" and "are you a bot?"); greeting-only chats count for nothing;
- *handed over* means `action_handoff` ran in it (whatever happened to the ticket afterwards);
- *settled* means nothing happened in it for 24 hours before the moment the metrics are computed: only
  settled conversations count for outcomes that a return could still change (resolution, abandonment);
- a *store question* is a customer message NLU labelled `faq` (a question about the store's policies);
- *answered from the knowledge base* means the bot sent one article's answer (utter_faq_answer, or
  utter_kb_route for a request it cannot carry out) and recorded the article as the slots kb_article_id and
  kb_article_version; the conversation's facts list the articles as id@version.

Beside the metrics, the *top articles* table (analytics/articles.py) gives per article id and version the
answers given, the conversations they were given in, and how many of those were handed over after the
answer: for trainers, an article often followed by a handover may be wrong or incomplete.

A *reply sent from a suggestion* is one an agent sent after inserting an agent-assist draft (a knowledge-base
article's answer or a past reply, console/suggestions); the console publishes it as a suggestion_sent event
with the draft's kind and article, whether it was edited and its edit rate, and no text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Tuple

SETTLE_SECONDS = 24 * 3600
GOOD_RATINGS = (4, 5)


@dataclass(frozen=True)
class MetricDefinition:
    key: str
    name: str
    formula: str
    edge_cases: str
    reference: str
    # "proportion" (Wilson interval) or "duration" (median and p90, bootstrap intervals).
    kind: str = "proportion"


DEFINITIONS: Tuple[MetricDefinition, ...] = (
    MetricDefinition(
        "containment",
        "Containment (bot-handled)",
        "bot conversations not handed over / bot conversations",
        "greeting-only chats excluded; an abandoned chat counts as contained (report abandonment beside it)",
        "Zendesk bot-handled; industry write-ups (40-60 % RAG, 20-30 % FAQ bots)",
    ),
    MetricDefinition(
        "resolution",
        "Resolution (confirmed or assumed)",
        "settled bot conversations resolved / settled bot conversations; resolved = not handed over, not"
        " abandoned, the last customer message understood, and either the customer thanked the bot"
        " (confirmed) or did not come back within 24 h (assumed)",
        "a return within 24 h reopens the window and a handover then undoes it; returns under another"
        " conversation id are not linked; conversations younger than 24 h are pending, not counted",
        "Intercom Fin resolution",
    ),
    MetricDefinition(
        "escalation",
        "Escalation rate",
        "bot conversations handed over / bot conversations, with the share of each handoff reason",
        "the reason is the handoff_reason slot when action_handoff ran; a handoff queued while ticketing was"
        " down still counts",
        "support-domain notes: escalated / bot conversations",
    ),
    MetricDefinition(
        "first_response_bot",
        "First response time, bot",
        "first bot message after the first customer message - that message's time; median and p90",
        "conversations the bot never answered are left out and counted as unanswered",
        "Zendesk first reply time (median and p90)",
        kind="duration",
    ),
    MetricDefinition(
        "first_response_human",
        "First response time, human",
        "first agent reply (console) - the handoff; median and p90",
        "bot replies and the automatic 'agent joined' notice do not stop the clock; handoffs no agent answered"
        " yet are left out",
        "Zendesk first reply time: bot replies do not stop the clock",
        kind="duration",
    ),
    MetricDefinition(
        "handle_time",
        "Agent handle time",
        "time a handed-over conversation was open and assigned: from each claim or transfer to the next"
        " unassign or resolve, summed; median and p90",
        "only resolved handoffs count; time in the queue between an unassign and the next claim is not handle"
        " time",
        "chat handle time: open and assigned to the agent",
        kind="duration",
    ),
    MetricDefinition(
        "csat_bot",
        "CSAT, bot-only",
        "ratings of 4 or 5 / ratings, in conversations not handed over",
        "skipped ratings excluded; the bot asks once, when the customer thanks it after it finished a request"
        " (actions/csat.py), so quick answers nobody thanked for are not rated",
        "CSAT good / (good + bad); 4-5 good on 1-5",
    ),
    MetricDefinition(
        "csat_human",
        "CSAT, human-handled",
        "ratings of 4 or 5 / ratings, in handed-over conversations",
        "skipped ratings excluded; a rating belongs to the conversation it was given in",
        "CSAT good / (good + bad); 4-5 good on 1-5",
    ),
    MetricDefinition(
        "fallback_rate",
        "Fallback rate",
        "customer messages classified nlu_fallback outside a form / customer messages in bot conversations",
        "counted per message, so a chatty conversation weighs more; a form's free-text answers (a rating, a"
        " name) are answers whatever NLU thinks, bad ones count as clarifications; messages to a person count",
        "our definition (no industry standard)",
    ),
    MetricDefinition(
        "repeated_clarifications",
        "Repeated clarifications",
        "bot conversations where the bot asked to rephrase or re-asked an invalid answer at least twice"
        " / bot conversations",
        "asks: utter_ask_rephrase, utter_dont_know_offer_human, utter_offer_human_after_failures, utter_invalid_*",
        "our definition (no industry standard)",
    ),
    MetricDefinition(
        "escalation_loops",
        "Escalation loops",
        "bot conversations handed over for escalation_loop (3 of the last 8 turns confused, or 3 failed"
        " answers in a form) / bot conversations",
        "a loop that ended without a handover (the customer left) shows in abandonment instead",
        "our definition (no industry standard)",
    ),
    MetricDefinition(
        "abandonment",
        "Abandonment",
        "settled bot conversations that ended with a form still waiting for the customer's answer and no"
        " handover / settled bot conversations",
        "conversations younger than 24 h are pending; leaving after an answer is not abandonment",
        "our definition (deflection counts abandonment: report it apart from resolution)",
    ),
    MetricDefinition(
        "handoff_quality",
        "Handoff quality",
        "agent context ratings of 4 or 5 / context ratings, given when resolving (1-5, optional note)",
        "unrated resolutions excluded",
        "our definition",
    ),
    MetricDefinition(
        "kb_answered",
        "Answered from the knowledge base",
        "bot conversations with at least one answer from a knowledge-base article / bot conversations; an"
        " answer is one article's canonical text, recorded with its id and version (slots kb_article_id,"
        " kb_article_version)",
        "answers to store questions, to unclear messages the knowledge base matched and the routes given for"
        " requests the bot cannot carry out all count; the per-article table counts each answer",
        "our definition",
    ),
    MetricDefinition(
        "kb_abstention",
        "Knowledge-base abstentions",
        'store questions (intent faq) the bot answered "I don\'t know" with a person offered'
        " (utter_dont_know_offer_human) / store questions the bot answered",
        "counted per question; a vague question answered with the menu of topics is neither an answer from an"
        " article nor an abstention; questions sent while a person has the conversation are not counted; the"
        ' "I don\'t know" after a second unclear message (nlu_fallback) is only a clarification',
        "our definition (RAG abstention / no-answer rate)",
    ),
    MetricDefinition(
        "kb_containment",
        "Containment after a knowledge-base answer",
        "bot conversations answered from the knowledge base and not handed over / bot conversations answered"
        " from the knowledge base",
        "a handover before or after the answer counts against it; which articles preceded handovers is in"
        " the top articles table (answers, conversations later handed over)",
        "Zendesk bot-handled, restricted to knowledge-base answers",
    ),
    MetricDefinition(
        "agent_edit_rate",
        "Agent edit rate of suggestions",
        "replies sent from an agent-assist draft that the agent changed first (Levenshtein distance > 0)"
        " / replies sent from a draft; beside it the mean edit rate (distance / length of the longer text)",
        "counted per sent reply, in every conversation agents reply in (tickets without a bot conversation,"
        " such as emails, too); replies typed without a draft are not counted; the distance is measured in the"
        " console against the draft as shown (console/suggestions), from its suggestion_sent event",
        "our definition",
    ),
)

BY_KEY = {definition.key: definition for definition in DEFINITIONS}
# Breakdowns every metric supports; language stays "unknown" until messages carry one.
DIMENSIONS = ("channel", "intent", "model_id", "language")


def markdown_table() -> str:
    """The README's metric table, generated so the README cannot drift from the code."""
    rows = ["| metric | formula | edge cases | interval | reference |", "|---|---|---|---|---|"]
    for definition in DEFINITIONS:
        interval = "Wilson 95 %" if definition.kind == "proportion" else "bootstrap 95 % (median, p90)"
        rows.append(
            f"| {definition.name} | {definition.formula} | {definition.edge_cases} | {interval} |"
            f" {definition.reference} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
