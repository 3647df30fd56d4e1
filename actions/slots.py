"""Slot names shared by the validation and submit actions (they must match domain.yml)."""

from common.vocabulary import HANDOFF_TICKET_SLOT, KB_ARTICLE_ID_SLOT, KB_ARTICLE_VERSION_SLOT, HandoffReason

ORDER_ID = "order_id"
EMAIL = "email"
PHONE = "phone"
AMOUNT = "amount"
INVOICE_ID = "invoice_id"
CONFIRMED = "confirmed"
PAYMENT_PROBLEM = "payment_problem"
ACCOUNT_FIELD = "account_field"
NEW_VALUE = "new_value"
COMPLAINT_DETAILS = "complaint_details"
REFUND_REASON = "refund_reason"
REFUND_QUOTE = "refund_quote"
FAQ_TOPIC = "faq_topic"
# The knowledge-base article (and its version) the bot last answered from: for metrics and trainers.
KB_ARTICLE_ID = KB_ARTICLE_ID_SLOT
KB_ARTICLE_VERSION = KB_ARTICLE_VERSION_SLOT
HANDOFF_REASON = "handoff_reason"
FORM_FAILURES = "form_failures"
VERIFICATION_CODE = "verification_code"
VERIFICATION_TOKEN = "verification_token"
VERIFIED_CONTACT = "verified_contact"
VERIFIED_BINDING = "verified_binding"
VERIFIED_CUSTOMER_ID = "verified_customer_id"
VERIFIED_UNTIL = "verified_until"
VERIFICATION_CHALLENGE_ID = "verification_challenge_id"
VERIFICATION_SENT_TO = "verification_sent_to"
REQUESTED_SLOT = "requested_slot"
# The open handoff ticket while a person has the conversation, and the customer's rating afterwards.
HANDOFF_TICKET_ID = HANDOFF_TICKET_SLOT  # the console writes it when an agent claims
CSAT_RATING = "csat_rating"

# Reasons a conversation is handed to a person (the ticket's escalation reason).
REASON_USER_REQUESTED = HandoffReason.USER_REQUESTED.value
REASON_LOW_CONFIDENCE = HandoffReason.LOW_CONFIDENCE.value
REASON_ESCALATION_LOOP = HandoffReason.ESCALATION_LOOP.value
REASON_BACKEND_UNAVAILABLE = HandoffReason.BACKEND_UNAVAILABLE.value
REASON_VERIFICATION_FAILED = HandoffReason.VERIFICATION_FAILED.value
REASON_POLICY_EXCEPTION = HandoffReason.POLICY_EXCEPTION.value
REASON_SENSITIVE_TOPIC = HandoffReason.SENSITIVE_TOPIC.value

HANDOFF_REASONS = tuple(reason.value for reason in HandoffReason)
