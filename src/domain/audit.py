"""The audit trail: who did what to which thing, when, and what it was before and after.

Every admin action (and the operator's bootstrap of the first key) writes one entry in
the same transaction as the action itself, so the trail can never miss an action that
happened nor show one that did not. Entries are only ever added: no route deletes or
changes one, and the admin function's role cannot (template.yaml).

`before` and `after` are small JSON-able snapshots of the target as the action found
and left it (None where there was nothing: a new key has no before). They never hold a
key, a token or a report's details: the actions choose what they record.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.api_keys import ApiKey

# What an entry may hold as before/after: JSON, decoded.
Snapshot = Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: an admin key (its id and name), or an operator's tool (its name twice,
    e.g. Actor("make admin-key", "make admin-key"), for what happens outside the API)."""

    actor_id: str
    name: str

    @classmethod
    def of_key(cls, key: ApiKey) -> Actor:
        return cls(actor_id=key.key_id, name=key.name)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    entry_id: str
    at: datetime
    actor: Actor
    # What was done, as "<thing>.<verb>": link.disable, host.block, key.create ...
    action: str
    # What it was done to: a short id, a host, a key id.
    target: str
    before: Snapshot = None
    after: Snapshot = None


def audit_entry(
    *,
    actor: Actor,
    action: str,
    target: str,
    at: datetime,
    before: Snapshot = None,
    after: Snapshot = None,
    random_bytes: Callable[[int], bytes] = secrets.token_bytes,
) -> AuditEntry:
    """A new entry. Its id is random (64 bits), so two actions in the same millisecond
    never share a key; it sorts by `at` first (repository/keys.py)."""
    return AuditEntry(
        entry_id=random_bytes(8).hex(),
        at=at,
        actor=actor,
        action=action,
        target=target,
        before=before,
        after=after,
    )
