"""Following and inspecting short links.

Kept apart from shortening.py so the redirect function's cold start does not pay
for importing the URL policy or the id generator.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from domain.click_facts import ClickFacts
from domain.errors import LinkGone, LinkNotFound
from domain.host_rules import hostname_of, is_denied_host
from domain.links import Link, is_plausible_short_id, utc_now
from domain.ports import LinkRepository


def follow_link(
    short_id: str,
    *,
    count_click: bool,
    repository: LinkRepository,
    denied_hosts: frozenset[str] = frozenset(),
    clock: Callable[[], datetime] = utc_now,
    describe_click: Callable[[datetime], ClickFacts] | None = None,
) -> Link:
    """Where a short link goes now; a real click is counted on the way (one round trip),
    with what `describe_click` says of it at that moment for the analytics.

    Raises LinkNotFound, or LinkGone for a link that expired, was deleted, or points
    at a host denied since it was created.
    """
    _refuse_impossible(short_id)
    now = clock()
    if count_click:
        click = describe_click(now) if describe_click is not None else None
        link = repository.record_click(short_id, at=now, click=click)
    else:
        link = repository.get(short_id)
        if why := link.why_gone(now):
            raise LinkGone(short_id, why)
    # Checked after the fact (the click is already counted) because the denylist can
    # grow after a link was made; stored URLs are canonical, so this is a string test.
    if denied_hosts and is_denied_host(hostname_of(link.url), denied_hosts):
        raise LinkGone(short_id, "points to a blocked host")
    return link


def get_link(short_id: str, *, repository: LinkRepository) -> Link:
    """A link's details, counting nothing. Raises LinkNotFound, or LinkGone once deleted."""
    _refuse_impossible(short_id)
    link = repository.get(short_id)
    if link.deleted_at is not None:
        raise LinkGone(short_id, "was deleted")
    return link


def _refuse_impossible(short_id: str) -> None:
    # Scanners probe paths like /wp-login.php; no stored link can have such an id,
    # so answer them without spending a DynamoDB request.
    if not is_plausible_short_id(short_id):
        raise LinkNotFound(short_id)
