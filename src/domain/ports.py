"""What the domain needs from storage. The repository package implements it for DynamoDB."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

from domain.click_facts import ClickFacts
from domain.click_stats import Click, DayStats
from domain.links import Link
from domain.rate_limits import Admission, RollingLimit


class LinkRepository(Protocol):
    def add(self, link: Link) -> None:
        """Store a new link. Raises ShortIdTaken if anything has that id: never overwrites."""
        ...

    def get(self, short_id: str) -> Link:
        """The stored link, tombstones included, without counting. Raises LinkNotFound."""
        ...

    def record_click(self, short_id: str, at: datetime, click: ClickFacts | None = None) -> Link:
        """Count one click atomically if the link redirects at `at`, and keep `click` with
        it for the analytics; return the link as stored (its `clicks` numbers this click).

        Raises LinkNotFound, or LinkGone (nothing counted) for an expired or deleted link,
        or ItemThrottled if DynamoDB refused the write for the link's rate.
        """
        ...

    def record_shard_click(
        self, short_id: str, shard: int, at: datetime, click: ClickFacts | None = None
    ) -> Link | None:
        """record_click on one of a viral link's click shards, which carries a copy of the
        link's target, expiry and deletion: the link as the shard holds it, its `clicks`
        the shard's own count; None if the link has no such shard. Raises LinkGone."""
        ...

    def spread_clicks(self, link: Link, shards: int) -> int:
        """Give the link, as `link` shows it, `shards` click shards, unless it has some
        already; returns how many it has now (0: it changed meanwhile, read it again)."""
        ...

    def total_clicks(self, link: Link) -> int:
        """The link's clicks, its click shards' included."""
        ...

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
        """Change only what is given (a new target, expiry or title, no expiry or title,
        other tags), if the link's token (or its owner: exactly one is given) is still
        the one checked and it is not deleted; return the link.
        Raises LinkNotFound, LinkGone or NotAuthorized."""
        ...

    def replace_with_tombstone(
        self,
        short_id: str,
        *,
        expected_token_hash: str | None = None,
        expected_owner: str | None = None,
        at: datetime,
    ) -> None:
        """Turn a link into a tombstone that keeps its id forever, with its dates and
        click count but no target, token or expiry. A repeat at the same `at` is the
        same delete (a retry whose answer was lost). Raises LinkNotFound, LinkGone or
        NotAuthorized, as update does."""
        ...


class CreationCounter(Protocol):
    def count_creation(self, scope: str, limit: RollingLimit, now: datetime) -> Admission:
        """Count one creation in `scope` at `now` if `limit` admits it: if fewer than
        limit.max_creations are counted in now's sub-window and the ones before it that
        share a span with it (RollingCounts.rolled_to). Atomic: concurrent creations are
        never lost nor admitted past the limit. A refused attempt is not counted.

        Raises StorageUnavailable if the store fails, or keeps changing under every one
        of a bounded number of attempts."""
        ...

    def give_back(self, scope: str, limit: RollingLimit, counted: Admission) -> None:
        """Take back one creation `count_creation` counted (`counted`), if its sub-window
        is still the newest in `scope`; else leave it to age out. Raises
        StorageUnavailable if the store fails."""
        ...


class VisitorKeys(Protocol):
    def key_for(self, day: date) -> bytes:
        """The secret that hashes visitors on `day` (UTC), the same in every execution
        environment; made on first use, deleted once the day is over. Raises
        StorageUnavailable if it cannot be had."""
        ...


class ClickStatsStore(Protocol):
    def add_clicks(self, short_id: str, day: date, clicks: Iterable[Click]) -> None:
        """Count those of `clicks` (all on `day`) that are not counted yet, atomically:
        a click already counted, or given twice, changes nothing. Raises
        StorageUnavailable; a retry after any failure is always safe."""
        ...

    def days(self, short_id: str, first: date, last: date) -> list[DayStats]:
        """The stored days of first..last (inclusive) that had clicks, oldest first."""
        ...
