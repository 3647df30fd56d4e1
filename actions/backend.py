"""The clients for the store's backend, built once per action-server process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from actions.clients.billing import BillingClient
from actions.clients.console import ConsoleClient
from actions.clients.crm import CrmClient
from actions.clients.http import HttpTransport
from actions.clients.identity import IdentityClient
from actions.clients.orders import OrdersClient
from actions.clients.ticketing import TicketingClient
from actions.config import console_settings


@dataclass(frozen=True)
class Backend:
    crm: CrmClient
    orders: OrdersClient
    billing: BillingClient
    ticketing: TicketingClient
    identity: IdentityClient


@lru_cache(maxsize=1)
def backend() -> Backend:
    """Clients sharing one pooled transport configured from the environment."""
    transport = HttpTransport()
    return Backend(
        CrmClient(transport),
        OrdersClient(transport),
        BillingClient(transport),
        TicketingClient(transport),
        IdentityClient(transport),
    )


@lru_cache(maxsize=1)
def support_desk() -> ConsoleClient:
    """The agent console's client (its own transport: another service with its own timeouts)."""
    return ConsoleClient(HttpTransport(console_settings()))
