"""A link's title and tags: what its creator calls it and files it under.

Tags are lower-case words (1 to 32 of a-z 0-9 -), at most MAX_TAGS to a link, kept in
the order given without repeats; a title is up to MAX_TITLE printable characters. Both
are optional, set at creation or by PATCH, and only ever shown to the link's owner.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from domain.errors import InvalidInput

MAX_TAGS = 10
MAX_TITLE = 200
TAG_PATTERN = r"[a-z0-9-]{1,32}"
_TAG = re.compile(TAG_PATTERN)


def check_title(title: str | None) -> str | None:
    """The title as stored (blanks around it dropped; empty means none)."""
    if title is None:
        return None
    title = title.strip()
    if len(title) > MAX_TITLE or not title.isprintable():
        raise InvalidInput("title", f"must be at most {MAX_TITLE} printable characters")
    return title or None


def check_tags(tags: Iterable[str] | None) -> tuple[str, ...]:
    if tags is None:
        return ()
    kept: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not _TAG.fullmatch(tag):
            raise InvalidInput("tags", "each must be 1 to 32 of a-z 0-9 -")
        if tag not in kept:
            kept.append(tag)
    if len(kept) > MAX_TAGS:
        raise InvalidInput("tags", f"at most {MAX_TAGS}")
    return tuple(kept)


def check_tag(tag: str) -> str:
    """One tag to filter by (a query parameter)."""
    if not _TAG.fullmatch(tag):
        raise InvalidInput("tag", "must be 1 to 32 of a-z 0-9 -")
    return tag
