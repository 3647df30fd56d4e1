"""A budget of failed order lookups, so order numbers cannot be guessed for a known email.

Five-digit order numbers and an email are all a lookup needs, so every failure (an unknown order, or an
order of someone else) counts against the email and against the customer's address. The limits live in
the shared rate-limit storage (Redis in production), so they hold across senders, channels and replicas;
while either budget is spent, every lookup for that email or from that address is refused, right or wrong.
"""

from __future__ import annotations

from typing import Callable, List, Optional, Tuple, TypeVar

from common.errors import ApiError, too_many
from common.ratelimit import Limiter
from common.security_events import security_event

EMAIL_KEY = "lookup-failures-email"
ADDRESS_KEY = "lookup-failures-address"
T = TypeVar("T")


class LookupBudget:
    def __init__(self, limiter: Limiter, *, per_email: str, per_address: str) -> None:
        self.limiter = limiter
        self.per_email = per_email
        self.per_address = per_address

    def _keys(self, email: str, address: Optional[str]) -> List[Tuple[str, str, str]]:
        keys = [(self.per_email, EMAIL_KEY, email.strip().lower())]
        if address:
            keys.append((self.per_address, ADDRESS_KEY, address))
        return keys

    def ensure_open(self, email: str, address: Optional[str]) -> None:
        """Refuse (429 lookup_budget_exhausted) while the email's or the address's budget is spent."""
        for limit, namespace, key in self._keys(email, address):
            if not self.limiter.allows(limit, namespace, key):
                raise too_many(
                    "lookup_budget_exhausted",
                    "Too many failed order lookups; try again later or ask for a person.",
                    self.limiter.seconds_until_reset(limit, namespace, key),
                )

    def record_failure(self, email: str, address: Optional[str]) -> None:
        for limit, namespace, key in self._keys(email, address):
            self.limiter.hit(limit, namespace, key)
            if not self.limiter.allows(limit, namespace, key):
                security_event(
                    "lookup_budget_exhausted",
                    budget=namespace,
                    email=email.strip().lower() if namespace == EMAIL_KEY else None,
                    address=address if namespace == ADDRESS_KEY else None,
                )

    def guard(self, email: str, address: Optional[str], lookup: Callable[[], T]) -> T:
        """Run lookup() within the budget; a 404 from it counts as a failure."""
        self.ensure_open(email, address)
        try:
            return lookup()
        except ApiError as exc:
            if exc.status_code == 404:
                self.record_failure(email, address)
            raise
