"""The link entity: what the shortener stores and hands back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# What a short id may look like in a path: generated ids (7 characters of
# shortuuid's alphabet) and, later, custom aliases both fit in it. Anything else
# can never name a link, so lookups refuse it without a database round trip.
_PLAUSIBLE_SHORT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


@dataclass(frozen=True, slots=True)
class Link:
    short_id: str
    url: str
    created_at: datetime
    clicks: int = 0
    last_clicked_at: datetime | None = None


def is_plausible_short_id(candidate: str) -> bool:
    return _PLAUSIBLE_SHORT_ID.fullmatch(candidate) is not None


def rfc3339(moment: datetime) -> str:
    """How timestamps are written everywhere (API and storage): UTC, milliseconds, a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> datetime:
    """The clock services use by default; tests pass their own."""
    return datetime.now(UTC)
