"""What a link's owner reads of its clicks: the report for a range of UTC days.

The per-day figures come from the aggregator (domain/click_stats.py); this is the
owner's door to them, behind the same management token that changes or deletes the
link (domain/management.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from domain.api_keys import ApiKey
from domain.click_stats import StatsReport, stats_range, stats_report
from domain.links import utc_now
from domain.management import managed_link
from domain.ports import ClickStatsStore, LinkRepository


def click_report(
    short_id: str,
    *,
    first: str | None,
    last: str | None,
    token: str | None,
    links: LinkRepository,
    stats: ClickStatsStore,
    clock: Callable[[], datetime] = utc_now,
    key: ApiKey | None = None,
) -> StatsReport:
    """The clicks on `short_id` from day `first` to day `last` (YYYY-MM-DD, UTC, both
    included; by default the 30 days ending today), for whoever holds its token or an API
    key (links:read) of its owner.

    The range is read first, so a malformed one costs no storage request: InvalidInput.
    Then NotAuthenticated, LinkNotFound, LinkGone (deleted) or NotAuthorized, as for
    changes. An expired link still has its report: its owner may revive it.
    """
    start, end = stats_range(first, last, today=clock().astimezone(UTC).date())
    link = managed_link(short_id, token=token, key=key, repository=links)
    return stats_report(link.short_id, start, end, stats.days(link.short_id, start, end))
