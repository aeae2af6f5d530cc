"""How many links one client may create: a fixed window per client address."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


@dataclass(frozen=True, slots=True)
class CreationRateLimit:
    max_creations: int
    window: timedelta

    def window_around(self, now: datetime) -> tuple[datetime, datetime]:
        """The fixed window `now` falls in: [start, end)."""
        seconds = int(self.window.total_seconds())
        start = datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)
        return start, start + self.window
