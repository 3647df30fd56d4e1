"""What the console's handoff API answers, as types: the service builds these, the views return them."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, TypedDict

from console.attachments.shown import ShownAttachment


class TicketSummary(TypedDict):
    id: int
    subject: str
    reason: str
    priority: str
    status: str
    assignee: Optional[str]
    created_at: str
    customer_email: Optional[str]
    customer_verified: bool
    conversation_id: Optional[str]
    csat_rating: Optional[int]
    waiting_seconds: int


class QueueItem(TicketSummary):
    last_customer_message: Optional[str]


class Availability(TypedDict):
    agents_available: int
    queue_length: int
    estimated_wait_minutes: int
    within_hours: bool
    # The ticket's place among the unclaimed ones (1 = next); None without a ticket id or once claimed.
    position: Optional[int]


class ChatMessage(TypedDict):
    author: str  # customer | bot | agent | system
    text: str
    timestamp: float
    agent: Optional[str]
    attachment: Optional[ShownAttachment]  # a file the customer sent


class CustomerContext(TypedDict):
    customer: Optional[Dict[str, Any]]
    orders: List[Dict[str, Any]]
    tickets: List[Dict[str, Any]]


class AgentOnline(TypedDict):
    username: str
    display_name: str
    status: str
    online: bool


class ChannelInfo(TypedDict):
    name: str  # socketio (web chat), rest, slack, telegram
    identity: Optional[str]  # what the platform says (e.g. slack:<team>:<user>), never a verified identity


class ConversationView(CustomerContext):
    ticket: TicketSummary
    channel: Optional[ChannelInfo]
    summary: Dict[str, Any]
    transcript: List[ChatMessage]
    agents: List[AgentOnline]


class LiveMessages(TypedDict):
    messages: List[ChatMessage]
    connected: Optional[bool]
    paused: bool
