"""Changing and deleting links, for whoever holds the link's management token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import NotAuthenticated, NotAuthorized
from domain.expiry import expiry_from
from domain.links import Link, utc_now
from domain.lookup import get_link
from domain.management_tokens import token_matches
from domain.ports import LinkRepository
from domain.shortening import TargetRules
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
    rules: TargetRules = TargetRules(),  # noqa: B008 (immutable)
    clock: Callable[[], datetime] = utc_now,
) -> Link:
    """Give a link a new target and/or expiry. An expired link can be revived this way.

    Raises NotAuthenticated, NotAuthorized, LinkNotFound, LinkGone or InvalidInput.
    """
    link, token_hash = _owned_link(short_id, token, repository)
    now = clock()
    url = link.url
    if changes.url is not None:
        url = canonical_target_url(
            changes.url, own_hosts=rules.own_hosts, denied_hosts=rules.denied_hosts
        )
    expires_at = link.expires_at
    if changes.remove_expiry:
        expires_at = None
    elif changes.expires_at is not None or changes.expires_in is not None:
        expires_at = expiry_from(
            expires_at=changes.expires_at, expires_in=changes.expires_in, now=now
        )
    return repository.update(
        replace(link, url=url, expires_at=expires_at), expected_token_hash=token_hash
    )


def delete_link(
    short_id: str,
    *,
    token: str | None,
    repository: LinkRepository,
    clock: Callable[[], datetime] = utc_now,
) -> None:
    """Delete a link for good: its id answers 410 forever and is never handed out again."""
    _, token_hash = _owned_link(short_id, token, repository)
    repository.bury(short_id, expected_token_hash=token_hash, at=clock())


def _owned_link(short_id: str, token: str | None, repository: LinkRepository) -> tuple[Link, str]:
    """The link and its token hash, once `token` is shown to be the link's own."""
    if not token:
        raise NotAuthenticated("a management token is required")
    link = get_link(short_id, repository=repository)  # LinkNotFound, LinkGone (deleted)
    if link.management_token_hash is None or not token_matches(token, link.management_token_hash):
        raise NotAuthorized("this token does not manage this link")
    return link, link.management_token_hash
