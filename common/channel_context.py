"""What a channel vouches for about each customer message, carried to the actions in its metadata.

Our channels (channels/) stamp every message they let through with the channel name and the customer's
address, overwriting anything the client sent under the same key. Actions read it to bind a verification
to the channel session that earned it, and to count failed lookups per address.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Mapping, Optional

METADATA_KEY = "frontdesk_channel"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class ChannelContext:
    channel: str
    client_address: str

    @property
    def binding(self) -> str:
        """What a verification is tied to: the same channel, from the same address."""
        return f"{self.channel}|{self.client_address}"

    def stamp(self, metadata: Optional[Mapping[str, Any]]) -> Dict[str, Any]:
        """The message's metadata with this context written over whatever the client put there."""
        stamped = dict(metadata or {})
        stamped[METADATA_KEY] = {"channel": self.channel, "client_address": self.client_address}
        return stamped

    @classmethod
    def from_metadata(cls, metadata: Optional[Mapping[str, Any]]) -> ChannelContext:
        stamped = (metadata or {}).get(METADATA_KEY)
        if not isinstance(stamped, Mapping):
            return cls(UNKNOWN, UNKNOWN)
        return cls(str(stamped.get("channel") or UNKNOWN), str(stamped.get("client_address") or UNKNOWN))
