"""The link entity: what the shortener stores and hands back."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

# What a short id may look like in a path: generated ids (7 characters of
# shortuuid's alphabet) and custom aliases (domain/aliases.py) both fit in it.
# Anything else can never name a link, so lookups refuse it without a database call.
_PLAUSIBLE_SHORT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


# Why a disabled link answers 410: the same words whatever the operator noted.
DISABLED = "was disabled for abuse"


@dataclass(frozen=True, slots=True)
class Link:
    short_id: str
    # Empty on a tombstone: a deleted link keeps its id (never reused), not its target.
    url: str
    created_at: datetime
    clicks: int = 0
    last_clicked_at: datetime | None = None
    expires_at: datetime | None = None
    deleted_at: datetime | None = None
    # SHA-256 of the management token handed out at creation; None for links that
    # predate management, which therefore nobody can change or delete.
    management_token_hash: str | None = None
    # How many click shards the link's clicks are spread over since it went viral
    # (domain/hot_links.py); 0 for nearly every link. `clicks` counts only the item it
    # came from then: the link's total adds its shards' (LinkRepository.total_clicks).
    shards: int = 0
    # How many times its owner has changed it: a copy made from it (a click shard's)
    # is made only if no change came in between.
    changes: int = 0
    # Who owns it: the owner of the API key it was created with (domain/api_keys.py),
    # whose keys manage it as its token does. None for a link made without a key.
    owner: str | None = None
    # What its creator calls it and files it under (domain/link_labels.py).
    title: str | None = None
    tags: tuple[str, ...] = ()
    # An operator took it down (domain/moderation.py): it answers 410 until enabled.
    # The reason is the operator's own note, never shown to visitors.
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    # What kind of address created it ("ipv4", "ipv6") or "api-key": for moderators,
    # who never see the address itself.
    creator_class: str | None = None

    def why_gone(self, now: datetime) -> str | None:
        """Why this link no longer redirects at `now`, or None while it does."""
        if self.deleted_at is not None:
            return "was deleted"
        if self.disabled_at is not None:
            return DISABLED
        if self.expires_at is not None and self.expires_at <= now:
            return "has expired"
        return None


def is_plausible_short_id(candidate: str) -> bool:
    return _PLAUSIBLE_SHORT_ID.fullmatch(candidate) is not None


def rfc3339(moment: datetime) -> str:
    """How timestamps are written everywhere (API and storage): UTC, milliseconds, a Z."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utc_now() -> datetime:
    """The clock services use by default; tests pass their own."""
    return datetime.now(UTC)
