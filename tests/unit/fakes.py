"""An in-memory LinkRepository that keeps the real one's promises (no overwrite, atomic click)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.errors import LinkNotFound, ShortIdTaken
from domain.links import Link


class FakeLinkRepository:
    def __init__(self, *links: Link) -> None:
        self.links: dict[str, Link] = {link.short_id: link for link in links}
        self.writes = 0

    def add(self, link: Link) -> None:
        self.writes += 1
        if link.short_id in self.links:
            raise ShortIdTaken(link.short_id)
        self.links[link.short_id] = link

    def get(self, short_id: str) -> Link:
        try:
            return self.links[short_id]
        except KeyError:
            raise LinkNotFound(short_id) from None

    def record_click(self, short_id: str, at: datetime) -> Link:
        link = self.get(short_id)
        self.links[short_id] = replace(link, clicks=link.clicks + 1, last_clicked_at=at)
        return self.links[short_id]
