"""Blocked hosts: what an operator adds to the template's DeniedHosts seed, at run time.

An operator blocks a host (PUT /admin/blocked-hosts/{host}); from then on no link may be
created or changed to point at it or its subdomains, and existing links to them answer
410, "within a minute, with no extra DynamoDB request per redirect". Each execution
environment keeps the stored list (`BlockedHostsCache`) and reads it again, with one
Query, once it is a minute old: every redirect, creation and change in that minute is
judged against the copy, so a block reaches every environment within a minute and costs
each one a read a minute, whatever its traffic.

Entries follow the DeniedHosts rules (domain/host_rules.py): a DNS name in ASCII
(punycode for IDNs) or a dotted-decimal IPv4 address, lower-cased, no trailing dot.
Pure standard library and cheap to import: the redirect loads it at cold start.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import InvalidInput, StorageUnavailable
from domain.host_rules import parse_denied_hosts
from domain.links import utc_now

# How long an environment trusts the list it read: how long a block takes to apply.
BLOCKED_HOSTS_CACHE_SECONDS = 60
# After a failed read, how long an environment keeps its older copy before trying again,
# so that a DynamoDB outage costs a read every few seconds, not one per request.
_RETRY_AFTER_FAILURE = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class BlockedHost:
    host: str
    blocked_at: datetime
    # The operator's note; shown to admins only.
    reason: str | None = None


def check_blocked_host(raw: str) -> str:
    """The host as stored: one DeniedHosts entry. Raises InvalidInput naming `host`."""
    try:
        entries = parse_denied_hosts(raw) if "," not in raw else frozenset()
    except ValueError:
        entries = frozenset()
    if len(entries) != 1:
        raise InvalidInput(
            "host", "must be a DNS name in ASCII (punycode for IDNs) or a dotted IPv4 address"
        )
    return next(iter(entries))


class HostsOnFirstUse(Collection[str]):
    """The hosts `read` gives, read when first asked about, then kept: a request that is
    refused before its target is judged (an impossible id, a malformed URL) reads
    nothing, not even this environment's once-a-minute copy."""

    def __init__(self, read: Callable[[], frozenset[str]]) -> None:
        self._read = read
        self._hosts: frozenset[str] | None = None

    def _get(self) -> frozenset[str]:
        if self._hosts is None:
            self._hosts = self._read()
        return self._hosts

    def __contains__(self, host: object) -> bool:
        return host in self._get()

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())


@dataclass
class BlockedHostsCache:
    """This environment's copy of the hosts links may not point to: the stored blocked
    hosts (`read`, one Query) and the deployment's seed, read again once a minute old.

    A first read that fails raises StorageUnavailable (nothing is known to judge by);
    a later one keeps the older copy for a few seconds more: a block is at worst that
    much later, and an outage does not turn every redirect into a 503.
    """

    read: Callable[[], frozenset[str]]
    seed: frozenset[str] = frozenset()
    # Tests move it forward to see a copy expire.
    clock: Callable[[], datetime] = utc_now
    _hosts: frozenset[str] | None = field(default=None, init=False)
    _fresh_until: datetime | None = field(default=None, init=False)

    def on_first_use(self) -> HostsOnFirstUse:
        """denied_hosts, read only once a request gets to judging a target."""
        return HostsOnFirstUse(self.denied_hosts)

    def denied_hosts(self) -> frozenset[str]:
        """The seed and every blocked host, as of at most a minute ago."""
        now = self.clock()
        if self._hosts is None or self._fresh_until is None or now >= self._fresh_until:
            try:
                self._hosts = self.seed | self.read()
                self._fresh_until = now + timedelta(seconds=BLOCKED_HOSTS_CACHE_SECONDS)
            except StorageUnavailable:
                if self._hosts is None:
                    raise
                self._fresh_until = now + _RETRY_AFTER_FAILURE
        return self._hosts
