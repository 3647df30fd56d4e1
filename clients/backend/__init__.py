"""The store backend's APIs as typed clients; `BackendApi.connect(endpoint)` builds them over one transport."""

from __future__ import annotations

from dataclasses import dataclass

from clients.backend.assist import AssistClient
from clients.backend.billing import BillingClient
from clients.backend.crm import CrmClient
from clients.backend.identity import IdentityClient
from clients.backend.orders import OrdersClient
from clients.backend.privacy import PrivacyClient
from clients.backend.ticketing import TicketingClient
from clients.http import HttpTransport
from common.settings import ServiceEndpoint


@dataclass(frozen=True)
class BackendApi:
    crm: CrmClient
    orders: OrdersClient
    billing: BillingClient
    ticketing: TicketingClient
    identity: IdentityClient
    assist: AssistClient
    privacy: PrivacyClient

    def failing(self) -> bool:
        """Some store API's breaker is open: the bot cannot act for customers right now."""
        clients = (self.crm, self.orders, self.billing, self.ticketing, self.identity, self.assist)
        return any(client.breaker.refusing() for client in clients)

    @classmethod
    def connect(cls, endpoint: ServiceEndpoint) -> BackendApi:
        """Clients sharing one pooled transport, each API with its own circuit breaker."""
        transport = HttpTransport(endpoint, service="store backend")
        return cls(
            CrmClient(transport),
            OrdersClient(transport),
            BillingClient(transport),
            TicketingClient(transport),
            IdentityClient(transport),
            AssistClient(transport),
            PrivacyClient(transport),
        )
