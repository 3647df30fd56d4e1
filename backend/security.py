"""Who may call the backend, and for what: one credential per calling service, least privilege each.

- `actions` (the action server) sends and checks one-time codes, looks orders up by number and email,
  opens and rates tickets, and acts on a customer's own data only with that customer's verification token.
- `console` (the agent console) works the ticket queue and reads the profile, orders and tickets of a
  customer linked to a ticket. It acts on orders and invoices (cancel, size change, refund, invoice copy)
  only through `orders:assist`: for the verified customer of an open ticket, by the agent it is assigned to,
  under the same policies as the bot (backend/assist/). It cannot change accounts or touch verification.
  Its privacy users (with a second person's approval) export and erase a customer (`privacy:manage`,
  backend/privacy/); the action server never can.
- `triage` (back-office triage of email and the contact form, triage/) opens tickets and checks whether an
  order belongs to a claimed email, as the bot does before verification; it reads no customer record.
- `admin` (optional, BACKEND_ADMIN_TOKEN) is for operators' scripts and the test suite: every scope.

Each credential has its own request budget, so a flood through one service cannot starve another.
Customer data reads need the scope `customers:read` or that customer's verification token.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from dataclasses import dataclass
from typing import Callable, FrozenSet, Optional, Tuple

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from backend.dependencies import verification_token
from backend.identity.service import require_verified
from common.errors import ApiError, too_many
from common.net import client_address
from common.ratelimit import Limiter
from common.settings import BackendSettings, ConfigurationError

bearer_scheme = HTTPBearer(auto_error=False, description="The calling service's backend token")

IDENTITY = "identity"
ORDER_LOOKUP = "orders:lookup"
CUSTOMER_SELF = "customers:self"  # acting on the verified customer's own data (token always required too)
TICKETS_CREATE = "tickets:create"
TICKETS_WORK = "tickets:work"
CUSTOMERS_READ = "customers:read"
OUTBOX_READ = "outbox:read"
# Acting for the verified customer of an open ticket, as its assignee (backend/assist/).
ORDERS_ASSIST = "orders:assist"
STOREFRONT = "storefront"  # what the store's own website does (confirming a new email address)
# The rights of access and erasure (backend/privacy/): export and erase a customer's data everywhere.
PRIVACY_MANAGE = "privacy:manage"
ALL_SCOPES = frozenset(
    {
        IDENTITY,
        ORDER_LOOKUP,
        CUSTOMER_SELF,
        TICKETS_CREATE,
        TICKETS_WORK,
        CUSTOMERS_READ,
        OUTBOX_READ,
        ORDERS_ASSIST,
        STOREFRONT,
        PRIVACY_MANAGE,
    }
)
SERVICE_SCOPES = {
    "actions": frozenset({IDENTITY, ORDER_LOOKUP, CUSTOMER_SELF, TICKETS_CREATE}),
    "console": frozenset({TICKETS_WORK, CUSTOMERS_READ, ORDERS_ASSIST, PRIVACY_MANAGE}),
    "triage": frozenset({TICKETS_CREATE, ORDER_LOOKUP}),
    "admin": ALL_SCOPES,
}
# Only the action server speaks for a customer's address (it reads it from the channel's metadata).
CLIENT_ADDRESS_HEADER = "X-Client-Address"
PLATFORM_USER = re.compile(r"(?:slack|telegram):[A-Za-z0-9:_-]{1,55}")


@dataclass(frozen=True)
class Credential:
    name: str
    token_hash: str
    scopes: FrozenSet[str]
    rate_limit: str

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def credentials_from(settings: BackendSettings) -> Tuple[Credential, ...]:
    """The credentials this backend accepts (distinct tokens are required: scopes would mix otherwise)."""
    configured = [
        ("actions", settings.actions_token, settings.actions_rate_limit),
        ("console", settings.console_token, settings.console_rate_limit),
        ("triage", settings.triage_token, settings.triage_rate_limit),
    ]
    admin_token = os.environ.get("BACKEND_ADMIN_TOKEN", "").strip()
    if admin_token:
        configured.append(("admin", admin_token, "100000/minute"))
    tokens = [token for _, token, _ in configured]
    if len(set(tokens)) != len(tokens):
        raise ConfigurationError(
            "BACKEND_ACTIONS_TOKEN, BACKEND_CONSOLE_TOKEN, BACKEND_TRIAGE_TOKEN and BACKEND_ADMIN_TOKEN must differ."
        )
    return tuple(
        Credential(name, _hash(token), SERVICE_SCOPES[name], limit) for name, token, limit in configured
    )


def authenticate(
    request: Request, presented: Optional[HTTPAuthorizationCredentials] = Depends(bearer_scheme)
) -> Credential:
    """The calling service, within its own request budget; 401 or 429 otherwise."""
    if presented is None or presented.scheme.lower() != "bearer":
        raise ApiError(401, "unauthorized", "A bearer token is required.")
    digest = _hash(presented.credentials)
    credential = next(
        (
            known
            for known in request.app.state.credentials
            if secrets.compare_digest(known.token_hash, digest)
        ),
        None,
    )
    if credential is None:
        raise ApiError(401, "unauthorized", "The bearer token is not valid.")
    limiter: Limiter = request.app.state.limiter
    if not limiter.hit(credential.rate_limit, "credential", credential.name):
        raise too_many("rate_limited", f"Too many requests for the {credential.name} credential.")
    request.state.credential = credential
    return credential


def require_scope(scope: str) -> Callable[..., Credential]:
    """A route dependency: the caller's credential must carry this scope."""

    def dependency(credential: Credential = Depends(authenticate)) -> Credential:
        if not credential.allows(scope):
            raise ApiError(
                403, "scope_required", f"The {credential.name} credential may not do this ({scope})."
            )
        return credential

    return dependency


def customer_address(
    credential: Credential = Depends(authenticate),
    value: Optional[str] = Header(
        None,
        alias=CLIENT_ADDRESS_HEADER,
        max_length=64,
        description="the end customer's address (action server)",
    ),
) -> Optional[str]:
    """The end customer's address as the action server reports it (None from any other caller).

    On Slack and Telegram every request comes from the platform, so the channel reports the platform user
    (`slack:<team>:<user>`, `telegram:<user>`): budgets per address are then kept per platform user, instead
    of one "unknown" budget that one user could spend for every customer on that platform."""
    if credential.name != "actions" or not value:
        return None
    if PLATFORM_USER.fullmatch(value):
        return value
    return client_address(value, {}, trust_proxy=False)


@dataclass(frozen=True)
class CustomerReader:
    """Who is reading customer data: a credential allowed to, or the holder of one customer's token."""

    credential: Credential
    verification_token: Optional[str]

    @property
    def may_read_all(self) -> bool:
        return self.credential.allows(CUSTOMERS_READ)

    def check(self, customer_id: Optional[int], *, db_session: Session) -> None:
        """Allow the read of this customer's data (None: data of any customer) or raise 403."""
        if self.may_read_all:
            return
        if customer_id is None:
            raise ApiError(403, "scope_required", "Name the customer whose data you read.")
        require_verified(self.verification_token, customer_id, db_session=db_session)


def customer_reader(
    credential: Credential = Depends(authenticate),
    token: Optional[str] = Depends(verification_token),
) -> CustomerReader:
    return CustomerReader(credential, token)
