"""Routes for agent tools: each with a reason and a request id (one per confirmation), each in the audit trail.

A refusal by the backend (a shipped order, a refund outside the policy, not the ticket's assignee) is
passed on with its status and reason, and audited too.
"""

from __future__ import annotations

from typing import Callable, Optional

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from clients.http import ServiceRefused
from common.api import MAX_ID, id_path
from common.fields import ActionReason, ItemSize, Money
from console.agents.models import Agent
from console.audit import service as audit
from console.dependencies import caller_address, current_agent
from console.tools import service

router = APIRouter(prefix="/api/tickets", tags=["tools"])
TICKET = id_path("ticket id")


class ToolIn(BaseModel):
    reason: ActionReason
    # Made by the page when the agent opens the confirmation: a retry of the same confirmation acts once.
    request_id: str = Field(..., regex=r"^[A-Za-z0-9-]{8,64}$")


class OrderToolIn(ToolIn):
    order_id: int = Field(..., ge=1, le=MAX_ID)


class SizeIn(OrderToolIn):
    item_id: int = Field(..., ge=1, le=MAX_ID)
    size: ItemSize


class SwapIn(OrderToolIn):
    item_id: int = Field(..., ge=1, le=MAX_ID)
    sku: str = Field(..., regex=r"^SKU-[A-Z0-9-]{1,30}$")
    size: Optional[ItemSize] = None


class RefundIn(OrderToolIn):
    amount: Optional[Money] = None


class InvoiceIn(ToolIn):
    invoice_id: str = Field(..., regex=r"^INV-\d{4}-\d{4}$")


@router.get("/{ticket_id}/tools")
def tools(request: Request, ticket_id: int = TICKET, _agent: Agent = Depends(current_agent)) -> dict:
    return service.tools_view(ticket_id, backend=request.app.state.backend)


def _act(
    request: Request, agent: Agent, ticket_id: int, action: str, what: str, reason: str, do: Callable[[], str]
) -> dict:
    """Run one tool, and audit it whether the backend did it or refused."""
    try:
        done = do()
    except ServiceRefused as exc:
        _audit(
            request, agent, audit.TOOL_REFUSED, ticket_id, f"{action} {what}: {exc.code}. Reason: {reason}"
        )
        raise
    _audit(request, agent, action, ticket_id, f"{what}. Reason: {reason}")
    return {"done": done}


@router.post("/{ticket_id}/tools/cancel-order")
def cancel_order(
    body: OrderToolIn, request: Request, ticket_id: int = TICKET, agent: Agent = Depends(current_agent)
) -> dict:
    key = service.idempotency_key(ticket_id, agent.username, body.request_id)
    return _act(
        request,
        agent,
        ticket_id,
        audit.CANCEL_ORDER,
        f"order {body.order_id}",
        body.reason,
        lambda: service.cancel_order(
            ticket_id,
            body.order_id,
            agent=agent.username,
            reason=body.reason,
            key=key,
            backend=request.app.state.backend,
        ),
    )


@router.post("/{ticket_id}/tools/change-size")
def change_size(
    body: SizeIn, request: Request, ticket_id: int = TICKET, agent: Agent = Depends(current_agent)
) -> dict:
    key = service.idempotency_key(ticket_id, agent.username, body.request_id)
    return _act(
        request,
        agent,
        ticket_id,
        audit.CHANGE_SIZE,
        f"order {body.order_id} item {body.item_id} to size {body.size}",
        body.reason,
        lambda: service.change_size(
            ticket_id,
            body.order_id,
            body.item_id,
            body.size,
            agent=agent.username,
            reason=body.reason,
            key=key,
            backend=request.app.state.backend,
        ),
    )


@router.post("/{ticket_id}/tools/swap-item")
def swap_item(
    body: SwapIn, request: Request, ticket_id: int = TICKET, agent: Agent = Depends(current_agent)
) -> dict:
    key = service.idempotency_key(ticket_id, agent.username, body.request_id)
    sized = f" size {body.size}" if body.size else ""
    return _act(
        request,
        agent,
        ticket_id,
        audit.SWAP_ITEM,
        f"order {body.order_id} item {body.item_id} to {body.sku}{sized}",
        body.reason,
        lambda: service.swap_item(
            ticket_id,
            body.order_id,
            body.item_id,
            body.sku,
            body.size or None,
            agent=agent.username,
            reason=body.reason,
            key=key,
            backend=request.app.state.backend,
        ),
    )


@router.post("/{ticket_id}/tools/refund")
def refund(
    body: RefundIn, request: Request, ticket_id: int = TICKET, agent: Agent = Depends(current_agent)
) -> dict:
    key = service.idempotency_key(ticket_id, agent.username, body.request_id)
    amount = f"{body.amount}" if body.amount is not None else "everything refundable"
    return _act(
        request,
        agent,
        ticket_id,
        audit.REFUND,
        f"order {body.order_id}: {amount}",
        body.reason,
        lambda: service.refund(
            ticket_id,
            body.order_id,
            body.amount,
            agent=agent.username,
            reason=body.reason,
            key=key,
            backend=request.app.state.backend,
        ),
    )


@router.post("/{ticket_id}/tools/resend-invoice")
def resend_invoice(
    body: InvoiceIn, request: Request, ticket_id: int = TICKET, agent: Agent = Depends(current_agent)
) -> dict:
    key = service.idempotency_key(ticket_id, agent.username, body.request_id)
    return _act(
        request,
        agent,
        ticket_id,
        audit.RESEND_INVOICE,
        f"invoice {body.invoice_id}",
        body.reason,
        lambda: service.resend_invoice(
            ticket_id,
            body.invoice_id,
            agent=agent.username,
            reason=body.reason,
            key=key,
            backend=request.app.state.backend,
        ),
    )


def _audit(request: Request, agent: Agent, action: str, ticket_id: int, details: str) -> None:
    with request.app.state.session_factory() as session:
        audit.record(
            agent.username,
            action,
            ticket_id=ticket_id,
            client_address=caller_address(request),
            details=details,
            db_session=session,
        )
        session.commit()
