"""Changing and deleting links, and seeing what only an owner may, for whoever holds
the link's management token, or an API key of the link's owner (domain/api_keys.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from domain.api_keys import ApiKey, Scope, require_scope
from domain.errors import InvalidInput, NotAuthenticated, NotAuthorized, NotOwner
from domain.expiry import expiry_from
from domain.link_labels import check_tags, check_title
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
    title: str | None = None
    remove_title: bool = False
    # None: leave the tags; () removes them all.
    tags: tuple[str, ...] | None = None


def change_link(
    short_id: str,
    changes: LinkChanges,
    *,
    token: str | None,
    repository: LinkRepository,
    rules: TargetRules = NO_TARGET_RULES,
    clock: Callable[[], datetime] = utc_now,
    key: ApiKey | None = None,
) -> Link:
    """Give a link a new target, expiry, title or tags. An expired link can be revived
    this way.

    Raises NotAuthenticated, NotAuthorized, MissingScope, LinkNotFound, LinkGone or
    InvalidInput.
    """
    _, manager = _owned_link(short_id, token, key, Scope.LINKS_WRITE, repository)
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
    title = check_title(changes.title)
    tags = check_tags(changes.tags) if changes.tags is not None else None
    changed = repository.update(
        short_id,
        **manager,
        url=url,
        expires_at=expires_at,
        remove_expiry=changes.remove_expiry,
        title=title,
        remove_title=changes.remove_title or (changes.title is not None and title is None),
        tags=tags,
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
    key: ApiKey | None = None,
) -> None:
    """Delete a link for good: its id answers 410 forever and is never handed out again."""
    _, manager = _owned_link(short_id, token, key, Scope.LINKS_WRITE, repository)
    repository.replace_with_tombstone(short_id, **manager, at=clock())


def managed_link(
    short_id: str, *, token: str | None, repository: LinkRepository, key: ApiKey | None = None
) -> Link:
    """The link, if `token` manages it or `key` (with links:read) is its owner's: what
    only its owner may see starts here.

    Raises NotAuthenticated (neither), MissingScope, LinkNotFound, LinkGone (deleted) or
    NotAuthorized (another link's token, or another owner's key), in that order, as
    changes do.
    """
    link, _ = _owned_link(short_id, token, key, Scope.LINKS_READ, repository)
    return link


def _owned_link(
    short_id: str,
    token: str | None,
    key: ApiKey | None,
    scope: Scope,
    repository: LinkRepository,
) -> tuple[Link, dict[str, str]]:
    """The link and what its stored item must still show for the change to apply (the
    token's hash, or the owner), once `token` or `key` is shown to manage it."""
    if key is not None:
        require_scope(key, scope)
        link = get_link(short_id, repository=repository)
        if link.owner is None or link.owner != key.owner:
            raise NotOwner
        return link, {"expected_owner": key.owner}
    if not token:
        raise NotAuthenticated("a management token is required")
    link = get_link(short_id, repository=repository)  # LinkNotFound, LinkGone (deleted)
    if link.management_token_hash is None or not token_matches(token, link.management_token_hash):
        raise NotAuthorized
    return link, {"expected_token_hash": link.management_token_hash}
