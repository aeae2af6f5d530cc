"""How many links one client may create: a fixed window per client address."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class CreationRateLimit:
    max_creations: int
    window: timedelta

    def window_around(self, now: datetime) -> tuple[datetime, datetime]:
        """The fixed window `now` falls in: [start, end)."""
        seconds = int(self.window.total_seconds())
        start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
        return start, start + self.window


def client_of(source_ip: str) -> str:
    """Who a creation counts against: the IPv4 address, or the IPv6 /64.

    A single IPv6 host usually holds a whole /64 and can pick a new address for every
    request, so per-address counting would not limit it at all.
    """
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
