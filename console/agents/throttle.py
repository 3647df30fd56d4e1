"""Failed console logins, limited three ways so that guessing, spraying and locking agents out all fail.

- per username and address: one attacker guessing one agent's password is stopped quickly;
- per address: spraying one password over many usernames (known or not) is stopped, and so are the
  scrypt runs unknown usernames would otherwise cost without limit;
- per username from anywhere: a high bar, so one address cannot lock an agent out (its own limits stop it
  first), while a distributed attack on one account still hits a ceiling.

Checked before the password is hashed, so a throttled attempt costs no scrypt run.
"""

from __future__ import annotations

from typing import Optional

from common.ratelimit import Limiter
from common.settings import ConsoleSettings

NAMESPACE = "console-login"


class LoginThrottle:
    def __init__(self, settings: ConsoleSettings, limiter: Limiter) -> None:
        self.limiter = limiter
        self.per_account = settings.login_attempts_per_account
        self.per_address = settings.login_attempts_per_address
        self.per_username = settings.login_attempts_per_username

    def _keys(self, username: str, address: str) -> list:
        name = username.lower()
        return [
            (self.per_account, "account", f"{name}|{address}"),
            (self.per_address, "address", address),
            (self.per_username, "username", name),
        ]

    def refused_by(self, username: str, address: str) -> Optional[str]:
        """Which limit refuses another attempt (account, address or username), or None."""
        for limit, kind, key in self._keys(username, address):
            if not self.limiter.allows(limit, NAMESPACE, kind, key):
                return kind
        return None

    def failed(self, username: str, address: str) -> None:
        for limit, kind, key in self._keys(username, address):
            self.limiter.hit(limit, NAMESPACE, kind, key)
