"""Changing and deleting links, and seeing what only an owner may, for whoever holds
the link's management token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import InvalidInput, NotAuthenticated, NotAuthorized
from domain.expiry import expiry_from
from domain.links import Link, utc_now
from domain.lookup import get_link
from domain.management_tokens import token_matches
from domain.ports import LinkRepository
from domain.target_rules import NO_TARGET_RULES, TargetRules
from domain.url_policy import canonical_target_url


@dataclass(frozen=True, slots=True)
class LinkChanges:
    """What to change; None leaves a part as it is."""

    url: str | None = None
    expires_at: datetime | None = None
    expires_in: int | None = None
    remove_expiry: bool = False


def change_link(
    short_id: str,
    changes: LinkChanges,
    *,
    token: str | None,
    repository: LinkRepository,
    rules: TargetRules = NO_TARGET_RULES,
    clock: Callable[[], datetime] = utc_now,
) -> Link:
    """Give a link a new target and/or expiry. An expired link can be revived this way.

    Raises NotAuthenticated, NotAuthorized, LinkNotFound, LinkGone or InvalidInput.
    """
    _, token_hash = _owned_link(short_id, token, repository)
    if changes.remove_expiry and changes.expires_in is not None:
        raise InvalidInput("expiresIn", 'cannot be sent with "expiresAt": null')
    url = None
    if changes.url is not None:
        url = canonical_target_url(
            changes.url, own_hosts=rules.own_hosts, denied_hosts=rules.denied_hosts
        )
    expires_at = expiry_from(
        expires_at=changes.expires_at, expires_in=changes.expires_in, now=clock()
    )
    # Only what the request names is written, so two owners' concurrent changes to
    # different parts (target, expiry) cannot undo each other.
    changed = repository.update(
        short_id,
        expected_token_hash=token_hash,
        url=url,
        expires_at=expires_at,
        remove_expiry=changes.remove_expiry,
    )
    if changed.shards:  # a viral link: its clicks on every shard
        changed = replace(changed, clicks=repository.total_clicks(changed))
    return changed


def delete_link(
    short_id: str,
    *,
    token: str | None,
    repository: LinkRepository,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Delete a link for good: its id answers 410 forever and is never handed out again."""
    _, token_hash = _owned_link(short_id, token, repository)
    repository.replace_with_tombstone(short_id, expected_token_hash=token_hash, at=clock())


def managed_link(short_id: str, *, token: str | None, repository: LinkRepository) -> Link:
    """The link, if `token` manages it: what only its owner may see starts here.

    Raises NotAuthenticated (no token), LinkNotFound, LinkGone (deleted) or NotAuthorized
    (another link's token, or none of this link's), in that order, as changes do.
    """
    link, _ = _owned_link(short_id, token, repository)
    return link


def _owned_link(short_id: str, token: str | None, repository: LinkRepository) -> tuple[Link, str]:
    """The link and its token hash, once `token` is shown to be the link's own."""
    if not token:
        raise NotAuthenticated("a management token is required")
    link = get_link(short_id, repository=repository)  # LinkNotFound, LinkGone (deleted)
    if link.management_token_hash is None or not token_matches(token, link.management_token_hash):
        raise NotAuthorized
    return link, link.management_token_hash
