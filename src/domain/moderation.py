"""What an operator (an API key with the `admin` scope) does about abuse: take a link
down and put it back, block a host, issue and revoke API keys. Each action is recorded
in the audit trail (domain/audit.py) in the same write as the action itself.

The services read the thing acted on, decide, and write conditionally on what they read
(the store refuses a write if it changed meanwhile; they read again, a few times): so
the audit entry's `before` is exactly what the action replaced. A repeat that changes
nothing (disabling a disabled link for the same reason, blocking a blocked host) writes
nothing and records nothing, and answers as the first did.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.api_keys import ApiKey, IssuedKey, check_key_id, issue_api_key
from domain.audit import Actor, AuditEntry, audit_entry
from domain.blocked_hosts import BlockedHost, check_blocked_host
from domain.errors import (
    DomainError,
    InvalidInput,
    LinkGone,
    LinkNotFound,
    StorageUnavailable,
)
from domain.host_rules import hostname_of, is_denied_host
from domain.links import Link, is_plausible_short_id, rfc3339

MAX_REASON = 500
# Reads and conditional writes before giving up on a thing that keeps changing.
_ATTEMPTS = 3


class ApiKeyNotFound(DomainError):
    """No API key has this id (404)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no API key with id {key_id!r}")
        self.key_id = key_id


class LinkStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    DELETED = "deleted"
    DISABLED = "disabled"
    BLOCKED = "blocked"


def link_status(link: Link, now: datetime, denied_hosts: Collection[str]) -> LinkStatus:
    """What a visitor of the link meets now, in one word (as the redirect decides it)."""
    if link.deleted_at is not None:
        return LinkStatus.DELETED
    if link.disabled_at is not None:
        return LinkStatus.DISABLED
    if link.expires_at is not None and link.expires_at <= now:
        return LinkStatus.EXPIRED
    if link.url and is_denied_host(hostname_of(link.url), denied_hosts):
        return LinkStatus.BLOCKED
    return LinkStatus.ACTIVE


def check_optional_reason(reason: object) -> str | None:
    """check_reason, or None if there is none."""
    return None if reason is None else check_reason(reason)


def check_reason(reason: object) -> str:
    """An operator's note (why a link was disabled, a host blocked): 1 to MAX_REASON
    printable characters. Raises InvalidInput naming `reason`."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text or len(text) > MAX_REASON or not text.isprintable():
        raise InvalidInput("reason", f"must be 1 to {MAX_REASON} printable characters")
    return text


def check_since(since: str | None) -> datetime | None:
    """The `since` query parameter: an RFC 3339 date-time with its offset."""
    if since is None:
        return None
    try:
        moment = datetime.fromisoformat(since.replace("z", "Z"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in since.upper():
        raise InvalidInput("since", "must be an RFC 3339 date-time, e.g. 2026-12-01T00:00:00Z")
    return moment


# --- the stores the services need (the repository implements them for DynamoDB) -------


class LinkModerationStore(Protocol):
    def get(self, short_id: str) -> Link:
        """The stored link, tombstones included. Raises LinkNotFound."""
        ...

    def set_disabled(
        self, link: Link, disabled: tuple[datetime, str] | None, audit: AuditEntry
    ) -> bool:
        """Disable the link as `link` shows it (at, reason), or enable it (None), on its
        item and every click shard, with `audit`, in one transaction; False (nothing
        written) if the link changed since `link` was read."""
        ...


class BlockedHostStore(Protocol):
    def get(self, host: str) -> BlockedHost | None: ...

    def put(self, host: BlockedHost, *, expected: BlockedHost | None, audit: AuditEntry) -> bool:
        """Store `host` with `audit`, if the stored entry is still `expected`."""
        ...

    def remove(self, host: BlockedHost, audit: AuditEntry) -> bool:
        """Remove `host` with `audit`, if it is still stored as given."""
        ...


class ApiKeyStore(Protocol):
    def get(self, key_id: str) -> ApiKey | None: ...

    def add(self, key: ApiKey, audit: AuditEntry) -> None:
        """Store a new key with `audit`. Raises ApiKeyExists if its id is taken."""
        ...

    def revoke(self, key: ApiKey, at: datetime, audit: AuditEntry) -> bool:
        """Mark `key` revoked at `at` with `audit`, unless it is revoked already."""
        ...


# --- links -----------------------------------------------------------------------------


def disable_link(
    short_id: str, reason: object, *, actor: Actor, store: LinkModerationStore, now: datetime
) -> Link:
    """Take a link down: it answers 410 ("disabled") from the moment this returns, on its
    item and on its click shards alike. Raises LinkNotFound, LinkGone (deleted)."""
    note = check_reason(reason)

    def change(link: Link) -> tuple[datetime, str] | None:
        # Disabled again with a new note: the note changes, the moment stays.
        return (link.disabled_at or now, note)

    return _moderate_link(short_id, "link.disable", change, actor=actor, store=store, now=now)


def enable_link(short_id: str, *, actor: Actor, store: LinkModerationStore, now: datetime) -> Link:
    """Put a disabled link back: it redirects again (unless expired or blocked)."""
    return _moderate_link(
        short_id, "link.enable", lambda link: None, actor=actor, store=store, now=now
    )


def _moderate_link(
    short_id: str,
    action: str,
    change: Callable[[Link], tuple[datetime, str] | None],
    *,
    actor: Actor,
    store: LinkModerationStore,
    now: datetime,
) -> Link:
    if not is_plausible_short_id(short_id):
        raise LinkNotFound(short_id)
    for _ in range(_ATTEMPTS):
        link = store.get(short_id)
        if link.deleted_at is not None:
            raise LinkGone(short_id, "was deleted")
        wanted = change(link)
        now_state = (link.disabled_at, link.disabled_reason) if link.disabled_at else None
        if wanted == now_state:
            return link
        changed = replace(
            link,
            disabled_at=wanted[0] if wanted else None,
            disabled_reason=wanted[1] if wanted else None,
            changes=link.changes + 1,
        )
        entry = audit_entry(
            actor=actor,
            action=action,
            target=short_id,
            at=now,
            before=_disabled_snapshot(link),
            after=_disabled_snapshot(changed),
        )
        if store.set_disabled(link, wanted, entry):
            return changed
    raise StorageUnavailable(f"{action} (the link kept changing)")


def _disabled_snapshot(link: Link) -> dict[str, Any]:
    return {
        "disabledAt": rfc3339(link.disabled_at) if link.disabled_at else None,
        "disabledReason": link.disabled_reason,
    }


# --- hosts -----------------------------------------------------------------------------


def block_host(
    raw_host: str, reason: object, *, actor: Actor, store: BlockedHostStore, now: datetime
) -> BlockedHost:
    """Block a host and its subdomains: no new link or change may point there, and
    existing links to them answer 410 within a minute (domain/blocked_hosts.py)."""
    host = check_blocked_host(raw_host)
    note = check_optional_reason(reason)
    for _ in range(_ATTEMPTS):
        current = store.get(host)
        wanted = BlockedHost(host, current.blocked_at if current else now, note)
        if current == wanted:
            return wanted
        entry = audit_entry(
            actor=actor,
            action="host.block",
            target=host,
            at=now,
            before=_host_snapshot(current),
            after=_host_snapshot(wanted),
        )
        if store.put(wanted, expected=current, audit=entry):
            return wanted
    raise StorageUnavailable("blocking a host (it kept changing)")


def unblock_host(raw_host: str, *, actor: Actor, store: BlockedHostStore, now: datetime) -> None:
    """Unblock a host; nothing to do if it is not blocked. (Its links redirect again
    within a minute, unless the deployment's seed list, DeniedHosts, denies it.)"""
    host = check_blocked_host(raw_host)
    for _ in range(_ATTEMPTS):
        current = store.get(host)
        if current is None:
            return
        entry = audit_entry(
            actor=actor, action="host.unblock", target=host, at=now, before=_host_snapshot(current)
        )
        if store.remove(current, entry):
            return
    raise StorageUnavailable("unblocking a host (it kept changing)")


def _host_snapshot(host: BlockedHost | None) -> dict[str, Any] | None:
    if host is None:
        return None
    return {"host": host.host, "blockedAt": rfc3339(host.blocked_at), "reason": host.reason}


# --- API keys --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyRequest:
    name: str
    owner: str
    scopes: Iterable[str]


def create_api_key(
    request: KeyRequest,
    *,
    actor: Actor,
    store: ApiKeyStore,
    now: datetime,
    random_bytes: Callable[[int], bytes] | None = None,
) -> IssuedKey:
    """A new key, stored hashed with its audit entry; the key itself is returned once
    and recorded nowhere (the entry names its id, name, owner and scopes)."""
    extra = {} if random_bytes is None else {"random_bytes": random_bytes}
    issued = issue_api_key(
        name=request.name, owner=request.owner, scopes=request.scopes, now=now, **extra
    )
    entry = audit_entry(
        actor=actor,
        action="key.create",
        target=issued.record.key_id,
        at=now,
        after=key_snapshot(issued.record),
    )
    store.add(issued.record, entry)
    return issued


def revoke_api_key(key_id: str, *, actor: Actor, store: ApiKeyStore, now: datetime) -> ApiKey:
    """Revoke a key: every environment stops accepting it within a minute
    (domain/api_keys.py). Revoking a revoked key changes nothing. Raises ApiKeyNotFound."""
    check_key_id(key_id)
    for _ in range(_ATTEMPTS):
        key = store.get(key_id)
        if key is None:
            raise ApiKeyNotFound(key_id)
        if key.revoked_at is not None:
            return key
        revoked = replace(key, revoked_at=now)
        entry = audit_entry(
            actor=actor,
            action="key.revoke",
            target=key_id,
            at=now,
            before=key_snapshot(key),
            after=key_snapshot(revoked),
        )
        if store.revoke(key, now, entry):
            return revoked
    raise StorageUnavailable("revoking an API key (it kept changing)")


def key_snapshot(key: ApiKey) -> dict[str, Any]:
    """What the audit keeps of a key: never its secret or the secret's hash."""
    return {
        "name": key.name,
        "owner": key.owner,
        "scopes": sorted(key.scopes),
        "revokedAt": rfc3339(key.revoked_at) if key.revoked_at else None,
    }
