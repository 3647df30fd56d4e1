"""The clients for the store's backend, built once per action-server process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from actions.clients.billing import BillingClient
from actions.clients.crm import CrmClient
from actions.clients.http import HttpTransport
from actions.clients.identity import IdentityClient
from actions.clients.orders import OrdersClient
from actions.clients.ticketing import TicketingClient


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
