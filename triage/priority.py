"""A ticket's priority: urgent, high, normal or low.

- urgent: a sensitive topic. The NLU model's `sensitive_topic` intent and the safety net's phrases
  (nlu_components/safety_net.py: crisis, fraud, legal, injury, threats) run inside Rasa on every piece. Tickets
  raise sensitive matters in a written register the chat phrases do not cover, so the cues below add it:
  fraud and account takeover, legal steps (courts, chargebacks, regulators), injury and product safety, a data
  breach, and a customer in distress.
- high: money or goods lost now (a double charge, a refund or payment not returned, a lost or damaged parcel
  of real value) or a repeat contact (the third email, "following up again").
- low: a question with no problem in it: no order, no amount, nothing negative, and an intent that is a
  store question or a preference (faq, newsletter, out_of_scope).
- normal: the rest.

Cues are matched on the cleaned text, so the store's own quoted words never raise a ticket.
"""

from __future__ import annotations

import re
from typing import List, Optional, Tuple

from triage.classify import Classification

URGENT = "urgent"
HIGH = "high"
NORMAL = "normal"
LOW = "low"


def _cues(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


URGENT_CUES = {
    "fraud": _cues(
        r"\bunauthori[sz]ed\b",
        r"\b(?:did ?n[o']t|never) (?:make|place|authori[sz]e|order|buy)\w* (?:th(?:is|ese|at|ose)|the|any) "
        r"(?:payments?|orders?|purchases?|charges?|transactions?)",
        r"\bfraud(?:ulent(?:ly)?)?\b|\bscam(?:med)?\b|identity theft|\bhack(?:ed|er)\b",
        r"\b(?:not by me|wasn'?t me|i didn'?t do (?:this|that))\b",
        r"\baccount (?:has been |was |got )?(?:taken over|compromised|broken into)",
        r"\bsomeone (?:else )?(?:has )?(?:logged|got|broken) in(?:to)?\b",
        r"\bstolen (?:card|details|identity|account)",
    ),
    "legal": _cues(
        r"\b(?:my |a )?(?:lawyer|solicitor|attorney)s?\b",
        r"\b(?:county |small claims )?court\b|\blegal (?:action|proceedings|advice)|\bproceedings\b",
        r"\bletter before action\b|\bsu(?:e|ing) (?:you|your)\b|\blawsuit\b",
        r"\bcharge ?back\b|\bdispute (?:with|through) (?:my |the )?(?:bank|card)|\bdisputed (?:the|this) (?:payment|charge)",
        r"\btrading standards\b|\bombudsman\b|\binformation commissioner\b|\bICO\b|\bsection 75\b",
    ),
    "injury": _cues(
        r"\b(?:a |painful |nasty |bad |first[- ]degree |second[- ]degree )burns?\b|\bburn(?:ed|t) (?:me|my|him|her|his|our)\b",
        r"\binjur(?:y|ies|ed|ing)\b|\bhurt (?:me|my|him|her|himself|herself|myself)\b",
        r"\bcaught fire\b|\bon fire\b|\bsmok(?:e|ing) (?:came|coming)\b|\bsparks?\b|\belectric(?:al)? shock\b",
        r"\b(?:hospital|a ?& ?e|emergency room)\b|\bmy (?:gp|doctor) (?:has )?(?:seen|said|says)\b",
        r"\ballergic reaction\b|\bchok(?:ed|ing)\b|\bsafety (?:issue|hazard|risk)\b",
    ),
    "data breach": _cues(
        r"\bsomeone else'?s (?:order|details|data|address|information|account|name)",
        r"\banother customer'?s\b|\bdata (?:breach|leak)\b",
        r"\bmy (?:personal )?(?:details|data|information) (?:has |have )?(?:been )?(?:leaked|exposed|sent to)",
    ),
    "distress": _cues(
        r"\b(?:i'?m|i am|was|felt|feel) (?:so |really |very )?(?:frightened|terrified|scared|shaking|in tears)\b",
        r"\bpanic attacks?\b|\bcan'?t cope\b|\bvulnerable\b",
    ),
}
HIGH_CUES = {
    "money lost": _cues(
        r"\bcharged (?:me )?(?:twice|two times|double)\b|\bdouble[- ]charged\b|\btaken (?:twice|from my account)",
        r"\b(?:not|never|still not|yet to be|hasn'?t been|haven'?t been) (?:been )?(?:refunded|returned|credited)\b",
        r"\bstill (?:not |haven'?t )(?:been )?(?:refunded|received (?:my|a|the) refund)",
        r"\bout of pocket\b|\boverdue\b",
    ),
    "goods lost": _cues(
        r"\breturned to sender\b|\bsigned for by\b|\bnever (?:arrived|came|turned up|delivered)\b",
        r"\b(?:has been |was |been |got )?lost\b|\barrived (?:damaged|broken|smashed)\b|\bdamaged\b",
        r"\bdelivered to (?:reception|the wrong|a neighbour|someone)",
    ),
    "repeat contact": _cues(
        r"\b(?:second|third|fourth|fifth|2nd|3rd|4th|5th) (?:time|email|message|request|chaser)\b",
        r"\b(?:for the|this is the|this is my) (?:second|third|fourth|fifth)\b|\bfollowing up again\b",
        r"\b(?:two|three|four|five|several) (?:emails|calls|times)\b",
    ),
}
# A lost or damaged parcel is high only when it is worth something (in the message's own currency).
HIGH_VALUE = 100
LOW_INTENTS = ("faq", "newsletter", "out_of_scope")


def found_cues(cues: dict, text: str) -> List[str]:
    return [name for name, pattern in cues.items() if pattern.search(text)]


def priority_of(
    classification: Classification,
    text: str,
    *,
    sentiment: Optional[float],
    order_id: Optional[str],
    amount: Optional[float],
) -> Tuple[str, List[str]]:
    """The priority and the reasons an agent sees for it."""
    urgent = found_cues(URGENT_CUES, text)
    if classification.sensitive:
        urgent.insert(0, "sensitive topic")
    if urgent:
        return URGENT, urgent
    high = found_cues(HIGH_CUES, text)
    if "goods lost" in high and (amount or 0) < HIGH_VALUE:
        high.remove("goods lost")
    if high:
        return HIGH, high
    calm = sentiment is None or sentiment >= 0
    if order_id is None and amount is None and calm and classification.intent in LOW_INTENTS:
        return LOW, ["a question with no problem in it"]
    return NORMAL, []
