"""Following and inspecting short links.

Kept apart from shortening.py so the redirect function's cold start does not pay
for importing the URL policy or the id generator.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import datetime

from domain.click_facts import ClickFacts
from domain.errors import ItemThrottled, LinkGone, LinkNotFound, StorageUnavailable
from domain.host_rules import hostname_of, is_denied_host
from domain.hot_links import CLICK_SHARDS, HotLinks
from domain.links import Link, is_plausible_short_id, utc_now
from domain.ports import LinkRepository


def follow_link(
    short_id: str,
    *,
    count_click: bool,
    repository: LinkRepository,
    denied_hosts: Collection[str] = frozenset(),
    clock: Callable[[], datetime] = utc_now,
    describe_click: Callable[[datetime], ClickFacts] | None = None,
    hot_links: HotLinks | None = None,
) -> Link:
    """Where a short link goes now; a real click is counted on the way (one round trip),
    with what `describe_click` says of it at that moment for the analytics.

    Raises LinkNotFound, or LinkGone for a link that expired, was deleted, or points
    at a host denied since it was created. With `hot_links`, the environment's view of
    which links are viral, a viral link's click goes to one of its click shards.
    """
    _refuse_impossible(short_id)
    now = clock()
    if count_click:
        click = describe_click(now) if describe_click is not None else None
        link = _count_click(short_id, now, click, repository, hot_links)
    else:
        link = repository.get(short_id)
        if why := link.why_gone(now):
            raise LinkGone(short_id, why)
    # Checked after the fact (the click is already counted) because the denylist can
    # grow after a link was made; stored URLs are canonical, so this is a string test.
    # (Only now is `denied_hosts` looked at: a lazy one is read for links that exist.)
    if denied_hosts and is_denied_host(hostname_of(link.url), denied_hosts):
        raise LinkGone(short_id, "points to a blocked host")
    return link


def _count_click(
    short_id: str,
    now: datetime,
    click: ClickFacts | None,
    repository: LinkRepository,
    hot_links: HotLinks | None,
) -> Link:
    """Count the click where it belongs, in one request: the link's item, or while the
    link is hot one of its click shards (domain/hot_links.py)."""
    if hot_links is None:
        return repository.record_click(short_id, at=now, click=click)
    shard = hot_links.shard_for(short_id)
    if shard is not None:
        counted = repository.record_shard_click(short_id, shard, at=now, click=click)
        if counted is not None:
            hot_links.observe(short_id, counter=shard, number=counted.clicks, shards=0)
            return counted
    try:
        link = repository.record_click(short_id, at=now, click=click)
    except ItemThrottled:
        # DynamoDB would not take this click on the link's item: the link is viral. Its
        # clicks go to shards from now on (made now if need be: a read and a transaction,
        # on this click only), this one first.
        hot_links.throttled(short_id)
        shards = _spread(repository.get(short_id), now, repository)
        hot_links.spread(short_id, shards)
        counted = repository.record_shard_click(
            short_id, hot_links.shard_for(short_id) or 1, at=now, click=click
        )
        if counted is None:  # only if the shards vanished, which nothing does
            raise
        return counted
    hot_links.observe(short_id, counter=0, number=link.clicks, shards=link.shards)
    if hot_links.needs_spreading(short_id):
        # Hot before DynamoDB throttled it: spread its clicks now, ahead of the rush. The
        # click is counted already, so a failure here is only a try that comes again.
        try:
            hot_links.spread(short_id, repository.spread_clicks(link, CLICK_SHARDS))
        except StorageUnavailable:
            hot_links.spread(short_id, 0)
    return link


def _spread(link: Link, now: datetime, repository: LinkRepository) -> int:
    """How many click shards the link has, giving it CLICK_SHARDS if it has none."""
    for _ in range(3):  # an owner's change in between: read it again
        if why := link.why_gone(now):
            raise LinkGone(link.short_id, why)
        if link.shards:
            return link.shards
        shards = repository.spread_clicks(link, CLICK_SHARDS)
        if shards:
            return shards
        link = repository.get(link.short_id)
    raise StorageUnavailable("spreading a link's clicks (it kept changing)")


def get_link(short_id: str, *, repository: LinkRepository) -> Link:
    """A link's details, counting nothing, its clicks on every shard included. Raises
    LinkNotFound, or LinkGone once deleted."""
    _refuse_impossible(short_id)
    link = repository.get(short_id)
    if link.deleted_at is not None:
        raise LinkGone(short_id, "was deleted")
    if link.shards:
        link = replace(link, clicks=repository.total_clicks(link))
    return link


def _refuse_impossible(short_id: str) -> None:
    # Scanners probe paths like /wp-login.php; no stored link can have such an id,
    # so answer them without spending a DynamoDB request.
    if not is_plausible_short_id(short_id):
        raise LinkNotFound(short_id)
