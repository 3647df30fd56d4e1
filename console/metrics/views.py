"""The support leads' dashboard data: GET /api/metrics, for agents with the lead or admin role."""

from __future__ import annotations

import time
from typing import Any, Dict

from fastapi import APIRouter, Depends, Request

from analytics import dashboard
from analytics import service as analytics
from console.agents.models import ADMIN, LEAD, Agent
from console.dependencies import require_role

router = APIRouter(prefix="/api", tags=["metrics"])


@router.get("/metrics")
def metrics(request: Request, _lead: Agent = Depends(require_role(LEAD, ADMIN))) -> Dict[str, Any]:
    with request.app.state.analytics_sessions() as db_session:
        facts = analytics.conversation_facts(db_session=db_session)
    return dashboard.build(facts, as_of=time.time())
