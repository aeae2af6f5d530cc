"""What the domain needs from storage. The repository package implements it for DynamoDB."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.links import Link


class LinkRepository(Protocol):
    def add(self, link: Link) -> None:
        """Store a new link. Raises ShortIdTaken if anything has that id: never overwrites."""
        ...

    def get(self, short_id: str) -> Link:
        """The stored link, without counting a click. Raises LinkNotFound."""
        ...

    def record_click(self, short_id: str, at: datetime) -> Link:
        """Count one click atomically; return the link as stored after it. Raises LinkNotFound."""
        ...
