"""How many links may be created: rolling windows per client, and one ceiling for all.

Who a creation counts against (its scopes, narrowest first):
    an IPv4 client      its address                          CREATION_RATE_LIMIT
    an IPv6 client      its /64 (one host usually holds a    CREATION_RATE_LIMIT
                        whole /64), its /56 and its /48      CREATION_RATE_LIMIT_PER_56, _PER_48
    everyone together   the stack-wide ceiling, per minute   CREATION_CEILING_PER_MINUTE
    an API key          the key alone ("key:<keyId>")        KEY_CREATION_RATE_LIMIT
A creation with an API key counts against its key only: the operator issued the key to
someone they know, and the ceiling is there for floods from addresses nobody vouches for.
A /48 (tunnel brokers hand them out free) holds 65,536 /64s, so a limit per /64 alone
would limit nothing. An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 client.

Each scope admits at most `max_creations` in ANY span of `window`, not per fixed window
(which lets a client create the limit at the end of one window and again at the start
of the next). The window is cut into SUB_WINDOWS sub-windows; a creation is admitted if
the counts of its own sub-window and the SUB_WINDOWS before it total less than the
limit. Every span of `window` seconds lies inside those SUB_WINDOWS + 1 sub-windows, so
the bound is exact; it is conservative by at most one sub-window (window / SUB_WINDOWS):
a creation leaves the count when its whole sub-window has left the span. Refused
attempts are not counted, so a flood neither locks its client out for longer nor
grows anything; when a wider scope or the ceiling refuses, the narrower scopes give
back what they had counted for it (domain/shortening.py).

Pure arithmetic: the counter that stores the counts atomically is a port
(domain/ports.py CreationCounter), implemented for DynamoDB in the repository.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

SUB_WINDOWS = 5
CEILING_WINDOW = timedelta(minutes=1)
# The ceiling's scope. No client is called this: clients are IP addresses and networks.
ALL_CLIENTS = "all"
# A client that is an API key, not an address: "key:<keyId>".
KEY_CLIENT_PREFIX = "key:"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class RollingCounts:
    """Creations counted in one scope, per sub-window, for the sub-windows `newest`
    and the ones before it that can still share a span with it: oldest first."""

    newest: int
    counts: tuple[int, ...]

    @classmethod
    def none_yet(cls, newest: int, sub_windows: int = SUB_WINDOWS) -> RollingCounts:
        return cls(newest, (0,) * (sub_windows + 1))

    @property
    def total(self) -> int:
        return sum(self.counts)

    def rolled_to(self, sub_window: int) -> RollingCounts:
        """The same creations, seen from `sub_window`: the sub-windows that left the
        span are dropped, the new ones start at zero. Never rolls back: counts already
        in a later sub-window (another clock ahead of ours) stay as they are."""
        shift = sub_window - self.newest
        if shift <= 0:
            return self
        kept = self.counts[shift:]
        return RollingCounts(sub_window, kept + (0,) * (len(self.counts) - len(kept)))

    def plus_one(self) -> RollingCounts:
        """One more creation, in the newest sub-window."""
        return RollingCounts(self.newest, (*self.counts[:-1], self.counts[-1] + 1))


@dataclass(frozen=True, slots=True)
class RollingLimit:
    """At most `max_creations` in any span of `window`, counted in `sub_windows` parts."""

    max_creations: int
    window: timedelta
    sub_windows: int = SUB_WINDOWS

    def __post_init__(self) -> None:
        if self.max_creations < 1 or self.sub_windows < 1 or self.window <= timedelta(0):
            raise ValueError(f"not a usable rate limit: {self}")

    @property
    def grid(self) -> str:
        """The sub-window layout, e.g. "300/5": counts kept under another layout
        (before the window was reconfigured) mean nothing under this one."""
        return f"{self.window.total_seconds():g}/{self.sub_windows}"

    def sub_window_of(self, at: datetime) -> int:
        """The number of the sub-window `at` falls in (sub-windows are counted from the
        Unix epoch, so every container agrees on them)."""
        return (at - _EPOCH) // _MICROSECOND * self.sub_windows // (self.window // _MICROSECOND)

    def start_of(self, sub_window: int) -> datetime:
        """When `sub_window` begins (the first microsecond that falls in it)."""
        micros = -(-sub_window * (self.window // _MICROSECOND) // self.sub_windows)
        return _EPOCH + micros * _MICROSECOND

    def counted_until(self, sub_window: int) -> datetime:
        """When creations counted in `sub_window` have left every span that is counted."""
        return self.start_of(sub_window + self.sub_windows + 1)

    def admits(self, counts: RollingCounts) -> bool:
        """Whether one more creation fits, with `counts` rolled to its sub-window."""
        return counts.total < self.max_creations

    def retry_after(self, counts: RollingCounts, now: datetime) -> int:
        """Whole seconds from `now` until `counts`, which refused a creation, have lost
        enough of their oldest creations to admit one (if nothing else is admitted)."""
        must_leave = counts.total - self.max_creations + 1
        if must_leave < 1:
            raise ValueError(f"{counts} would admit a creation: nothing to wait for")
        left = 0
        for age, count in enumerate(counts.counts):
            left += count
            if left >= must_leave:
                # counts[age] is the count of sub-window `newest - sub_windows + age`.
                reopens = self.counted_until(counts.newest - self.sub_windows + age)
                return max(1, _whole_seconds_until(reopens, now))
        raise AssertionError("unreachable: must_leave <= total")


@dataclass(frozen=True, slots=True)
class RateScope:
    """Creations counted together: one client at one width, or (`ceiling`) everyone."""

    name: str
    limit: RollingLimit
    ceiling: bool = False


@dataclass(frozen=True, slots=True)
class CreationRateLimits:
    """The deployment's limits (template.yaml's CreationRateLimit... parameters)."""

    per_client: int  # an IPv4 address, or an IPv6 /64
    per_56: int
    per_48: int
    window: timedelta
    ceiling_per_minute: int
    per_key: int = 1000

    def scopes_of(self, client: str) -> tuple[RateScope, ...]:
        """Every scope a creation by `client` (an address, or client_of's name for it, or
        key_client's) counts in: narrowest first, the stack-wide ceiling last."""
        if client.startswith(KEY_CLIENT_PREFIX):
            return (RateScope(client, RollingLimit(self.per_key, self.window)),)
        client = client_of(client)
        networks = _ipv6_networks_of(client)
        if networks is None:
            scopes = [RateScope(client, RollingLimit(self.per_client, self.window))]
        else:
            limits = (self.per_client, self.per_56, self.per_48)
            scopes = [
                RateScope(str(network), RollingLimit(limit, self.window))
                for network, limit in zip(networks, limits, strict=True)
            ]
        ceiling = RollingLimit(self.ceiling_per_minute, CEILING_WINDOW)
        return (*scopes, RateScope(ALL_CLIENTS, ceiling, ceiling=True))


@dataclass(frozen=True, slots=True)
class Admission:
    """A counter's answer: the creation was counted (`counts` now hold it), or refused
    by `counts`, rolled to the sub-window it was attempted in (nothing was counted)."""

    counted: bool
    counts: RollingCounts


def key_client(key_id: str) -> str:
    """Who a creation with the API key `key_id` counts against."""
    return f"{KEY_CLIENT_PREFIX}{key_id}"


def address_class(source_ip: str) -> str:
    """What kind of address created a link, all moderators learn of it: "ipv4" (an
    IPv4-mapped IPv6 address included), "ipv6", or "unknown"."""
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return "ipv6"
    return "ipv4"


def client_of(source_ip: str) -> str:
    """Who a creation counts against, most narrowly: the IPv4 address, or the IPv6 /64.

    A single IPv6 host usually holds a whole /64 and can pick a new address for every
    request, so per-address counting would not limit it at all. An IPv4-mapped IPv6
    address is its IPv4 address (a dual-stack socket reports IPv4 clients that way).
    """
    try:
        address = ipaddress.ip_address(source_ip)
    except ValueError:
        return source_ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _ipv6_networks_of(client: str) -> tuple[ipaddress.IPv6Network, ...] | None:
    """The /64, /56 and /48 an IPv6 client (as client_of names it) is in; else None."""
    try:
        network = ipaddress.ip_network(client, strict=False)
    except ValueError:
        return None
    if not isinstance(network, ipaddress.IPv6Network) or network.prefixlen < 64:
        return None
    return tuple(network.supernet(new_prefix=prefix) for prefix in (64, 56, 48))


def _whole_seconds_until(then: datetime, now: datetime) -> int:
    return -((now - then) // timedelta(seconds=1))
