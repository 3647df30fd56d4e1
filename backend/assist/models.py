"""What an agent asks the backend to do for a customer, from the console: always with who and why."""

from __future__ import annotations

from typing import Optional

from pydantic import BaseModel, Field

from common.api import MAX_ID
from common.fields import ActionReason, ItemSize, Money, Name


class AgentAction(BaseModel):
    """Who acts (the ticket's assignee, as the console reports it) and why, kept on the ticket."""

    agent: Name
    reason: ActionReason


class SizeChange(AgentAction):
    size: ItemSize


class AgentRefund(AgentAction):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Optional[Money] = None  # None: everything still refundable under the policy
