"""Listings a page at a time: how many per page, and where the next page starts.

Every listing (the admin's links, reports and audit trail) answers
{"<things>": [...], "cursor": "..." or null}: the cursor is opaque to clients (the
repository makes it from the last item's key, repository/cursors.py), null once there
is nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from domain.errors import InvalidInput

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    # Where the next page starts; None when this one is the last.
    cursor: str | None = None


def page_size(limit: str | None) -> int:
    """The `limit` query parameter as a page size: 1 to MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE
    if absent. Raises InvalidInput naming `limit`."""
    if limit is None:
        return DEFAULT_PAGE_SIZE
    if not (limit.isascii() and limit.isdigit()) or not 1 <= int(limit) <= MAX_PAGE_SIZE:
        raise InvalidInput("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return int(limit)
