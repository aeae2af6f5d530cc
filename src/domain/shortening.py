"""Creating short links."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.aliases import check_alias
from domain.errors import (
    AliasTaken,
    CreationCeilingReached,
    RateLimited,
    ShortIdsExhausted,
    ShortIdTaken,
    StorageUnavailable,
)
from domain.expiry import expiry_from
from domain.link_labels import check_tags, check_title
from domain.links import Link, utc_now
from domain.management_tokens import hash_management_token, new_management_token
from domain.ports import CreationCounter, LinkRepository
from domain.rate_limits import Admission, CreationRateLimits, RateScope
from domain.short_ids import new_short_id
from domain.target_rules import NO_TARGET_RULES, TargetRules
from domain.url_policy import canonical_target_url

# A collision is a one-in-millions event while the table is far from full, so a few
# tries are plenty; past them something is wrong and the client should come back later.
MAX_ID_ATTEMPTS = 5


@dataclass(frozen=True, slots=True)
class LinkRequest:
    """What a client asks for."""

    url: str
    alias: str | None = None
    expires_at: datetime | None = None
    expires_in: int | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Creator:
    """Who asks: counted against `client` (rate_limits.client_of an address, or
    key_client of a key); `owner` owns what they create (an API key's owner) or None;
    `address_class` is all moderators learn of them ("ipv4", "ipv6", "api-key")."""

    client: str
    owner: str | None = None
    address_class: str | None = None


@dataclass(frozen=True, slots=True)
class ShortenedLink:
    link: Link
    # Handed to the creator once; the link keeps only its hash.
    management_token: str


def shorten_link(
    request: LinkRequest,
    *,
    client: str | Creator,
    repository: LinkRepository,
    counter: CreationCounter,
    rate_limits: CreationRateLimits,
    rules: TargetRules = NO_TARGET_RULES,
    clock: Callable[[], datetime] = utc_now,
    generate_id: Callable[[], str] = new_short_id,
    generate_token: Callable[[], str] = new_management_token,
) -> ShortenedLink:
    """Store a new link for `client` (client_of its address, or a Creator). Raises
    InvalidInput, RateLimited, CreationCeilingReached, AliasTaken or ShortIdsExhausted."""
    creator = client if isinstance(client, Creator) else Creator(client)
    now = clock()
    url = canonical_target_url(
        request.url, own_hosts=rules.own_hosts, denied_hosts=rules.denied_hosts
    )
    alias = check_alias(request.alias) if request.alias is not None else None
    expires_at = expiry_from(expires_at=request.expires_at, expires_in=request.expires_in, now=now)
    title, tags = check_title(request.title), check_tags(request.tags)
    _count_against_rate_limits(creator.client, now, counter, rate_limits)

    token = generate_token()

    def new_link(short_id: str) -> Link:
        return Link(
            short_id=short_id,
            url=url,
            created_at=now,
            expires_at=expires_at,
            management_token_hash=hash_management_token(token),
            owner=creator.owner,
            title=title,
            tags=tags,
            creator_class=creator.address_class,
        )

    if alias is not None:
        try:
            repository.add(link := new_link(alias))
        except ShortIdTaken as exc:
            raise AliasTaken(alias) from exc
        return ShortenedLink(link, token)
    for _ in range(MAX_ID_ATTEMPTS):
        try:
            repository.add(link := new_link(generate_id()))
        except ShortIdTaken:
            continue
        return ShortenedLink(link, token)
    raise ShortIdsExhausted(MAX_ID_ATTEMPTS)


def _count_against_rate_limits(
    client: str, now: datetime, counter: CreationCounter, rate_limits: CreationRateLimits
) -> None:
    # Narrowest scope first, the stack-wide ceiling last: a client refused by its own
    # limit never spends the ceiling everyone shares. When a later scope refuses, the
    # earlier ones give back what they counted: a flood past the ceiling must not spend
    # the own quota of every client that waits for it to pass.
    counted: list[tuple[RateScope, Admission]] = []
    for scope in rate_limits.scopes_of(client):
        admission = counter.count_creation(scope.name, scope.limit, now)
        if admission.counted:
            counted.append((scope, admission))
            continue
        for earlier, taken in counted:
            try:
                counter.give_back(earlier.name, earlier.limit, taken)
            except StorageUnavailable:
                # The refusal stands; the count stays and ages out with its sub-window.
                break
        seconds = scope.limit.retry_after(admission.counts, now)
        if scope.ceiling:
            raise CreationCeilingReached(retry_after_seconds=seconds)
        raise RateLimited(retry_after_seconds=seconds)
