"""Slot names shared by the validation and submit actions (they must match domain.yml)."""

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
FAQ_TOPIC = "faq_topic"
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
HANDOFF_TICKET_ID = "handoff_ticket_id"
CSAT_RATING = "csat_rating"

# Reasons a conversation is handed to a person (the ticket's escalation reason).
REASON_USER_REQUESTED = "user_requested"
REASON_LOW_CONFIDENCE = "low_confidence"
REASON_ESCALATION_LOOP = "escalation_loop"
REASON_BACKEND_UNAVAILABLE = "backend_unavailable"
REASON_VERIFICATION_FAILED = "verification_failed"
REASON_POLICY_EXCEPTION = "policy_exception"
REASON_SENSITIVE_TOPIC = "sensitive_topic"

HANDOFF_REASONS = (
    REASON_USER_REQUESTED,
    REASON_LOW_CONFIDENCE,
    REASON_ESCALATION_LOOP,
    REASON_SENSITIVE_TOPIC,
    REASON_VERIFICATION_FAILED,
    REASON_BACKEND_UNAVAILABLE,
    REASON_POLICY_EXCEPTION,
)
