"""Page-number pagination shared by every list endpoint."""

from __future__ import annotations

from typing import Generic, List, TypeVar

from fastapi import Query
from pydantic import BaseModel
from pydantic.generics import GenericModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from backend.money import MoneyModel

ItemT = TypeVar("ItemT")

MAX_PAGE_SIZE = 100


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 20


def page_params(
    page: int = Query(1, ge=1, le=100_000, description="1-based page number"),
    page_size: int = Query(20, ge=1, le=MAX_PAGE_SIZE, description="items per page"),
) -> PageParams:
    """FastAPI dependency that validates the paging query parameters."""
    return PageParams(page=page, page_size=page_size)


class Page(GenericModel, Generic[ItemT]):
    items: List[ItemT]
    page: int
    page_size: int
    total: int

    class Config:
        # pydantic v1 applies only the outermost model's encoders, so pages carry the money encoder too.
        json_encoders = MoneyModel.__config__.json_encoders


def paginate(statement: Select, params: PageParams, *, db_session: Session) -> dict:
    """Run a select for one page and count the whole result set."""
    total = db_session.execute(select(func.count()).select_from(statement.subquery())).scalar_one()
    rows = (
        db_session.execute(statement.limit(params.page_size).offset((params.page - 1) * params.page_size))
        .scalars()
        .all()
    )
    return {
        "items": rows,
        "page": params.page,
        "page_size": params.page_size,
        "total": total,
    }
