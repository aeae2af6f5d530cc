"""When links expire: given as a moment (`expiresAt`) or a duration (`expiresIn`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.errors import InvalidInput

# Far enough for any campaign; near enough that DynamoDB's TTL keeps the table tidy.
MAX_EXPIRY_AHEAD = timedelta(days=5 * 365)


def expiry_from(
    *, expires_at: datetime | None, expires_in: int | None, now: datetime
) -> datetime | None:
    """The moment a link expires, or None for never. Raises InvalidInput."""
    if expires_at is not None and expires_in is not None:
        raise InvalidInput("expiresAt", "cannot be given together with expiresIn: send one")
    if expires_in is not None:
        if expires_in < 1:
            raise InvalidInput("expiresIn", "must be a positive number of seconds")
        # Compared as numbers: timedelta() overflows on absurd values (a 500, not a 400).
        if expires_in > MAX_EXPIRY_AHEAD.total_seconds():
            raise InvalidInput("expiresIn", f"must be at most {_max_ahead_text()} ahead")
        return now + timedelta(seconds=expires_in)
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("expiresAt", "must carry a time zone (RFC 3339)")
        if expires_at <= now:
            raise InvalidInput("expiresAt", "must be in the future")
        if expires_at - now > MAX_EXPIRY_AHEAD:
            raise InvalidInput("expiresAt", f"must be at most {_max_ahead_text()} ahead")
        return expires_at
    return None


def _max_ahead_text() -> str:
    return f"{MAX_EXPIRY_AHEAD.days} days"
