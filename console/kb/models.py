"""Knowledge-base articles under review, their version history, and what the editor's routes take and answer.

An article's state is the state of its newest version (its head): `draft` (being written), `in_review`
(submitted, waiting for a second person), `published` (the head is what the bot answers from) or `retired`
(the bot no longer answers from it). While a new draft is written, the last published version stays live.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import List, Optional

from pydantic import BaseModel, Field
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint

from common.database import utcnow
from console.database import Base

DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"
RETIRED = "retired"
STATES = (DRAFT, IN_REVIEW, PUBLISHED, RETIRED)
# Articles with any of these tags (on the new version or on the live one) are published and retired only by
# a user with the approver role; other articles by any second person who may edit or approve.
SENSITIVE_TAGS = frozenset({"billing", "refund", "legal"})

# How a version came to be (KbVersion.kind).
IMPORTED = "imported"  # from the git seed (KB_DIR) on the editor's first start
CREATED = "created"
EDITED = "edited"
REVERTED = "reverted"
RETIREMENT = "retired"


class KbArticle(Base):
    __tablename__ = "kb_articles"

    id = Column(String(80), primary_key=True)
    state = Column(String(12), nullable=False, index=True)
    head_version = Column(Integer, nullable=False)  # the newest version's number
    live_version = Column(Integer, nullable=True)  # the version the bot answers from; None: none
    # Versions numbered above this one are the change under way: whoever saved or submitted any of them may
    # not publish it (maker-checker). It moves to the head on each publish or retirement.
    released_version = Column(Integer, nullable=False, default=0)
    submitted_by = Column(String(100), nullable=True)
    submitted_at = Column(DateTime, nullable=True)
    # The head's front matter, for the list (the versions hold the whole text).
    title = Column(String(200), nullable=False)
    tags = Column(String(500), nullable=False, default="")
    owner = Column(String(100), nullable=False)
    review_by = Column(Date, nullable=True)  # None only for an imported file of the older format
    created_by = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_by = Column(String(100), nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow)

    def tag_list(self) -> List[str]:
        return [tag for tag in (self.tags or "").split(",") if tag]


class KbVersion(Base):
    """One saved text of an article; never changed once written (publishing only records who and when)."""

    __tablename__ = "kb_versions"
    __table_args__ = (UniqueConstraint("article_id", "number", name="uq_kb_versions_article_number"),)

    id = Column(Integer, primary_key=True)
    article_id = Column(String(80), ForeignKey("kb_articles.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    text = Column(Text, nullable=False)  # the whole article: front matter and Markdown body
    kind = Column(String(12), nullable=False)
    saved_by = Column(String(100), nullable=False)
    saved_at = Column(DateTime, nullable=False, default=utcnow)
    note = Column(String(500), nullable=True)
    # Where a draft came from: "correction:<id>" (an agent's flag) or "kb_draft:<id>" (a trainer's
    # "needs an answer"), so the editor can link back and not offer the same source twice.
    source = Column(String(40), nullable=True, index=True)
    # Set when this version reached the bot: published (or, for a retirement version, retired).
    released_as = Column(String(12), nullable=True)
    released_by = Column(String(100), nullable=True)
    released_at = Column(DateTime, nullable=True)


class ArticleIn(BaseModel):
    """A new article or a new draft version: the fields, or the whole Markdown text (`text`) instead.

    Lengths and formats are checked by the service, which says which field is wrong and why."""

    id: Optional[str] = Field(
        default=None, max_length=200
    )  # a new article's id; proposed from the title if absent
    expected_version: Optional[int] = Field(default=None, ge=0)  # the head the editor started from (edits)
    title: Optional[str] = Field(default=None, max_length=2000)
    tags: List[str] = Field(default_factory=list, max_items=50)
    questions: List[str] = Field(default_factory=list, max_items=100)  # customers' phrasings (searched)
    owner: Optional[str] = Field(default=None, max_length=2000)
    review_by: Optional[date] = None
    url: Optional[str] = Field(default=None, max_length=2000)
    topic: Optional[str] = Field(default=None, max_length=200)
    body: Optional[str] = Field(default=None, max_length=60_000)
    text: Optional[str] = Field(default=None, max_length=60_000)


class StepIn(BaseModel):
    """Submit, publish, send back or retire: the version the person looked at, and why (for the audit log)."""

    expected_version: int = Field(..., ge=1)
    note: str = Field(default="", max_length=500)


class RevertIn(BaseModel):
    version: int = Field(..., ge=1)
    expected_version: int = Field(..., ge=1)


class DraftFromIn(BaseModel):
    """One click from a correction or a "needs an answer" item: a new article, or a draft of an existing one."""

    source: str = Field(..., regex=r"^(correction|kb_draft)$")
    source_id: int = Field(..., ge=1, le=2_147_483_647)
    article_id: Optional[str] = Field(default=None, max_length=200)


class VersionRead(BaseModel):
    number: int
    kind: str
    saved_by: str
    saved_at: datetime
    note: Optional[str]
    source: Optional[str]
    released_as: Optional[str]
    released_by: Optional[str]
    released_at: Optional[datetime]

    class Config:
        orm_mode = True
