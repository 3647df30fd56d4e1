"""The first step of each customer request, as the dialogue rules start it (data/rules*.yml).

A form uses it to switch topic: when the customer asks for something else mid-form, the form stops and
this action starts the new request with the same message. tests/test_domain_contract.py checks that it
matches the rules.
"""

FLOW_STARTS = {
    "check_order_status": "order_status_form",
    "report_missing_parcel": "missing_parcel_form",
    "cancel_order": "cancel_order_form",
    "request_refund": "refund_form",
    "check_refund_status": "refund_status_form",
    "check_balance": "balance_form",
    "get_invoice": "invoice_form",
    "payment_issue": "payment_issue_form",
    "reset_password": "password_reset_form",
    "update_account": "update_account_form",
    "delete_account": "delete_account_form",
    "request_data_copy": "data_copy_form",
    "complaint": "complaint_form",
    "change_order": "action_explain_unsupported",
    "place_order": "action_explain_unsupported",
    "account_registration": "action_explain_unsupported",
    "add_delivery_address": "action_explain_unsupported",
    "newsletter": "action_explain_unsupported",
    "leave_review": "action_explain_unsupported",
}
