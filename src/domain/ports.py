"""What the domain needs from storage. The repository package implements it for DynamoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.links import Link
from domain.rate_limits import Admission, RollingLimit


class LinkRepository(Protocol):
    def add(self, link: Link) -> None:
        """Store a new link. Raises ShortIdTaken if anything has that id: never overwrites."""
        ...

    def get(self, short_id: str) -> Link:
        """The stored link, tombstones included, without counting. Raises LinkNotFound."""
        ...

    def record_click(self, short_id: str, at: datetime) -> Link:
        """Count one click atomically if the link redirects at `at`; return it as stored.

        Raises LinkNotFound, or LinkGone (nothing counted) for an expired or deleted link.
        """
        ...

    def update(
        self,
        short_id: str,
        *,
        expected_token_hash: str,
        url: str | None = None,
        expires_at: datetime | None = None,
        remove_expiry: bool = False,
    ) -> Link:
        """Change only what is given (a new target, a new expiry, or no expiry), if the
        link's token is still the one checked and it is not deleted; return the link.
        Raises LinkNotFound, LinkGone or NotAuthorized."""
        ...

    def replace_with_tombstone(
        self, short_id: str, *, expected_token_hash: str, at: datetime
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
