"""Creating short links."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime

from domain.errors import ShortIdsExhausted, ShortIdTaken
from domain.links import Link, utc_now
from domain.ports import LinkRepository
from domain.short_ids import new_short_id
from domain.url_policy import canonical_target_url

# A collision is a one-in-millions event while the table is far from full, so a few
# tries are plenty; past them something is wrong and the client should come back later.
MAX_ID_ATTEMPTS = 5


def shorten_link(
    url: str,
    *,
    repository: LinkRepository,
    own_hosts: Collection[str] = (),
    clock: Callable[[], datetime] = utc_now,
    generate_id: Callable[[], str] = new_short_id,
) -> Link:
    """Store `url` under a fresh short id. Raises InvalidUrl or ShortIdsExhausted."""
    target = canonical_target_url(url, own_hosts=own_hosts)
    for _ in range(MAX_ID_ATTEMPTS):
        link = Link(short_id=generate_id(), url=target, created_at=clock())
        try:
            repository.add(link)
        except ShortIdTaken:
            continue
        return link
    raise ShortIdsExhausted(MAX_ID_ATTEMPTS)
