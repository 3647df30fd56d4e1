"""Agent assist: the suggestions shown to an agent for a conversation, and what each sent reply made of them.

A shown suggestion is kept with the exact text the agent saw, so the edit distance to what was sent is measured
on the server, never on the page's word. A sent reply keeps only lengths and the distance: the agent's words are
the customer's business and already live in the conversation.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import List, Literal, Optional

from pydantic import BaseModel, Field
from sqlalchemy import Column, Date, DateTime, Float, ForeignKey, Integer, String, Text

from common.database import utcnow
from console.database import Base

KB = "kb"
PAST_REPLY = "past_reply"
SuggestionKind = Literal["kb", "past_reply"]


class ShownSuggestion(Base):
    """One draft as an agent saw it; shown again the same day for the same ticket it is the same row."""

    __tablename__ = "agent_suggestions"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, index=True)
    agent = Column(String(100), nullable=False)
    kind = Column(String(20), nullable=False)
    article_id = Column(String(100))
    article_version = Column(Integer)
    source_ticket_id = Column(Integer)
    text = Column(Text, nullable=False)
    score = Column(Float, nullable=False)
    shown_on = Column(Date, nullable=False, index=True)
    shown_at = Column(DateTime, nullable=False, default=utcnow)


class SentReply(Base):
    """One reply an agent sent, with the suggestion it started from (if any) and how much was changed."""

    __tablename__ = "agent_sent_replies"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(Integer, nullable=False, index=True)
    agent = Column(String(100), nullable=False)
    sent_on = Column(Date, nullable=False, index=True)
    sent_at = Column(DateTime, nullable=False, default=utcnow)
    suggestion_id = Column(Integer, ForeignKey("agent_suggestions.id"))
    kind = Column(String(20))
    article_id = Column(String(100))
    article_version = Column(Integer)
    source_ticket_id = Column(Integer)
    sent_length = Column(Integer, nullable=False)
    suggestion_length = Column(Integer)
    edit_distance = Column(Integer)
    edit_rate = Column(Float)


class ArticleRead(BaseModel):
    """A knowledge-base article relevant to the conversation, for the agent to read."""

    id: str
    title: str
    version: int
    url: str
    score: float
    tags: List[str]


class SuggestionRead(BaseModel):
    """A reply draft the agent can insert: a KB article's canonical answer, or another agent's past reply."""

    id: int
    kind: SuggestionKind
    text: str
    score: float
    article_id: Optional[str] = None
    article_version: Optional[int] = None
    article_title: Optional[str] = None
    source_ticket_id: Optional[int] = None


class AssistRead(BaseModel):
    ticket_id: int
    articles: List[ArticleRead]
    drafts: List[SuggestionRead]
    # False when the knowledge base could not be searched: the agent sees past replies only.
    knowledge_available: bool


class SentReplyRead(BaseModel):
    id: int
    ticket_id: int
    agent: str
    suggestion_id: Optional[int]
    kind: Optional[str]
    article_id: Optional[str]
    article_version: Optional[int]
    source_ticket_id: Optional[int]
    sent_length: int
    suggestion_length: Optional[int]
    edit_distance: Optional[int]
    edit_rate: Optional[float]
    sent_at: datetime

    class Config:
        orm_mode = True


class EditRateDay(BaseModel):
    """One day of agent assist: drafts shown, replies sent, how many started from a draft, how much was edited."""

    day: date
    shown: int
    sent: int
    used: int
    mean_edit_rate: Optional[float] = Field(None, description="mean of distance / longer length, used only")
    mean_edit_distance: Optional[float] = None


class EditRateReport(BaseModel):
    days: List[EditRateDay]
    shown: int
    sent: int
    used: int
    mean_edit_rate: Optional[float]
