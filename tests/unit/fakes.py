"""In-memory stand-ins that keep the real repository's promises.

No overwrite on add; a click counts only while the link redirects; changes and
deletes only with the right token hash; a deleted link leaves a tombstone; a creation
counts only if its scope's rolling window admits it. Times are kept as DynamoDB keeps
them: in UTC, to the millisecond. tests/repository runs these through the same suite as
the DynamoDB implementations, so any other difference shows there.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import overload

from domain.click_facts import ClickFacts
from domain.errors import LinkGone, LinkNotFound, NotAuthorized, ShortIdTaken
from domain.links import Link, rfc3339
from domain.rate_limits import Admission, RollingCounts, RollingLimit


class FakeLinkRepository:
    def __init__(self, *links: Link) -> None:
        self.links: dict[str, Link] = {link.short_id: _as_stored(link) for link in links}
        self.writes = 0
        # What each counted click brought for the analytics, in order.
        self.clicks_recorded: list[tuple[str, datetime, ClickFacts | None]] = []
        self.shard_clicks: dict[tuple[str, int], int] = {}  # (short id, shard) -> clicks

    def add(self, link: Link) -> None:
        self.writes += 1
        link = _as_stored(link)
        if link.short_id in self.links:
            # The same creation again (a retry of a write whose answer was lost): the
            # token's hash belongs to one creation only, so it is no clash.
            stored_hash = self.links[link.short_id].management_token_hash
            if stored_hash is not None and stored_hash == link.management_token_hash:
                return
            raise ShortIdTaken(link.short_id)
        self.links[link.short_id] = link

    def get(self, short_id: str) -> Link:
        try:
            return self.links[short_id]
        except KeyError:
            raise LinkNotFound(short_id) from None

    def record_click(self, short_id: str, at: datetime, click: ClickFacts | None = None) -> Link:
        at = _stored_moment(at)
        link = self.get(short_id)
        if why := link.why_gone(at):
            raise LinkGone(short_id, why)
        self.writes += 1
        self.clicks_recorded.append((short_id, at, click))
        self.links[short_id] = replace(link, clicks=link.clicks + 1, last_clicked_at=at)
        return self.links[short_id]

    def record_shard_click(
        self, short_id: str, shard: int, at: datetime, click: ClickFacts | None = None
    ) -> Link | None:
        at = _stored_moment(at)
        link = self.get(short_id)
        if not 1 <= shard <= link.shards:
            return None
        if why := link.why_gone(at):
            raise LinkGone(short_id, why)
        self.writes += 1
        self.clicks_recorded.append((short_id, at, click))
        self.shard_clicks[short_id, shard] = self.shard_clicks.get((short_id, shard), 0) + 1
        return replace(link, clicks=self.shard_clicks[short_id, shard], last_clicked_at=at)

    def spread_clicks(self, link: Link, shards: int) -> int:
        stored = self.get(link.short_id)
        if stored.shards:
            return stored.shards
        if stored.changes != link.changes or stored.deleted_at is not None:
            return 0  # changed since `link` was read
        self.writes += shards + 1
        self.links[link.short_id] = replace(stored, shards=shards)
        return shards

    def total_clicks(self, link: Link) -> int:
        return link.clicks + sum(
            count for (short_id, _), count in self.shard_clicks.items() if short_id == link.short_id
        )

    def update(
        self,
        short_id: str,
        *,
        expected_token_hash: str | None = None,
        expected_owner: str | None = None,
        url: str | None = None,
        expires_at: datetime | None = None,
        remove_expiry: bool = False,
        title: str | None = None,
        remove_title: bool = False,
        tags: tuple[str, ...] | None = None,
    ) -> Link:
        self._check_manageable(short_id, expected_token_hash, expected_owner)
        self.writes += 1
        stored = self.links[short_id]
        if url is not None:
            stored = replace(stored, url=url)
        if expires_at is not None or remove_expiry:
            stored = replace(stored, expires_at=_stored_moment(expires_at))
        if title is not None or remove_title:
            stored = replace(stored, title=title)
        if tags is not None:
            stored = replace(stored, tags=tags)
        self.links[short_id] = stored = replace(stored, changes=stored.changes + 1)
        return stored

    def replace_with_tombstone(
        self,
        short_id: str,
        *,
        expected_token_hash: str | None = None,
        expected_owner: str | None = None,
        at: datetime,
    ) -> None:
        at = _stored_moment(at)
        if self.get(short_id).deleted_at == at:
            return  # the same delete again: a retry of one whose answer was lost
        self._check_manageable(short_id, expected_token_hash, expected_owner)
        self.writes += 1
        stored = self.links[short_id]
        # The target, the token and the expiry go; the id, the counts and dates stay.
        self.links[short_id] = replace(
            stored,
            url="",
            expires_at=None,
            management_token_hash=None,
            deleted_at=at,
            changes=stored.changes + 1,
        )

    def _check_manageable(
        self, short_id: str, expected_token_hash: str | None, expected_owner: str | None
    ) -> None:
        link = self.get(short_id)
        if link.deleted_at is not None:
            raise LinkGone(short_id, "was deleted")
        if expected_owner is not None:
            if link.owner != expected_owner:
                raise NotAuthorized
        elif link.management_token_hash != expected_token_hash:
            raise NotAuthorized


@overload
def _stored_moment(moment: datetime) -> datetime: ...
@overload
def _stored_moment(moment: None) -> None: ...
def _stored_moment(moment: datetime | None) -> datetime | None:
    """A time as it reads back from storage: RFC 3339 text, UTC, milliseconds."""
    return None if moment is None else datetime.fromisoformat(rfc3339(moment))


def _as_stored(link: Link) -> Link:
    return replace(
        link,
        created_at=_stored_moment(link.created_at),
        last_clicked_at=_stored_moment(link.last_clicked_at),
        expires_at=_stored_moment(link.expires_at),
        deleted_at=_stored_moment(link.deleted_at),
    )


class FakeCreationCounter:
    """Counts as the DynamoDB counter does, one scope and window layout at a time:
    rolling sub-window counts, a refused attempt not counted."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], RollingCounts] = {}
        self.calls: list[str] = []  # the scopes asked, in order

    def count_creation(self, scope: str, limit: RollingLimit, now: datetime) -> Admission:
        self.calls.append(scope)
        current = limit.sub_window_of(now)
        stored = self.counts.get((scope, limit.grid))
        seen = (stored or RollingCounts.none_yet(current, limit.sub_windows)).rolled_to(current)
        if not limit.admits(seen):
            return Admission(counted=False, counts=seen)
        self.counts[scope, limit.grid] = seen.plus_one()
        return Admission(counted=True, counts=seen.plus_one())

    def give_back(self, scope: str, limit: RollingLimit, counted: Admission) -> None:
        self.calls.append(f"give back {scope}")
        stored = self.counts.get((scope, limit.grid))
        if stored is None:
            return  # nothing counted there (or its item expired): nothing to take back
        if stored.newest == counted.counts.newest and stored.counts[-1] > 0:
            *older, newest = stored.counts
            self.counts[scope, limit.grid] = RollingCounts(stored.newest, (*older, newest - 1))

    def total(self, scope: str) -> int:
        """Creations counted in `scope` (under any window), wherever they are by now."""
        return sum(counts.total for (name, _), counts in self.counts.items() if name == scope)
