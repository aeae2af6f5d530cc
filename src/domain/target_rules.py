"""Which targets a deployment refuses beyond the URL policy itself.

A module of its own (a dataclass, nothing else) so the HTTP layer can build one for
any function without importing the URL parser.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class TargetRules:
    # This shortener's own names: a link to any of them would loop.
    own_hosts: Collection[str] = ()
    # Hosts (with their subdomains) no link may point to.
    # A frozenset, or a collection read on first use (domain/blocked_hosts.py).
    denied_hosts: Collection[str] = field(default_factory=frozenset)


# The rules of a deployment that names no own hosts and denies none.
NO_TARGET_RULES = TargetRules()
