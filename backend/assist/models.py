"""What an agent asks the backend to do for a customer, from the console: always with who and why."""

from __future__ import annotations

from decimal import Decimal
from typing import List, Optional, Tuple

from pydantic import BaseModel, Field, constr

from backend.money import MoneyModel
from common.api import MAX_ID
from common.fields import ActionReason, ItemSize, Money, Name


class AgentAction(BaseModel):
    """Who acts (the ticket's assignee, as the console reports it) and why, kept on the ticket."""

    agent: Name
    reason: ActionReason


class SizeChange(AgentAction):
    size: ItemSize


class ItemSwap(AgentAction):
    """Swap an item for another product of the catalogue (backend/orders/catalogue.py) at the same price."""

    sku: constr(strip_whitespace=True, regex=r"^SKU-[A-Z0-9-]{1,30}$")  # type: ignore[valid-type]
    size: Optional[ItemSize] = None  # required for a product sold in sizes, refused for one that is not


class ProductRead(MoneyModel):
    sku: str
    name: str
    unit_price: Decimal
    currency: str
    sizes: Tuple[str, ...]


class CatalogueRead(MoneyModel):
    products: List[ProductRead]


class AgentRefund(AgentAction):
    order_id: int = Field(..., ge=1, le=MAX_ID)
    amount: Optional[Money] = None  # None: everything still refundable under the policy
