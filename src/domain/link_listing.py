"""Which of an owner's links a listing shows: a tag, a piece of text (page sizes and
cursors are every listing's: domain/pages.py)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidInput
from domain.host_rules import hostname_of
from domain.link_labels import check_tag
from domain.links import Link

_MAX_TEXT = 100


@dataclass(frozen=True, slots=True)
class LinkFilter:
    """Links with `tag` among their tags, whose alias (short id) or target host holds
    `text` (either case). None: no such condition."""

    tag: str | None = None
    text: str | None = None

    @classmethod
    def of(cls, tag: str | None, text: str | None) -> LinkFilter:
        if text is not None and not (0 < len(text) <= _MAX_TEXT and text.isprintable()):
            raise InvalidInput("q", f"must be 1 to {_MAX_TEXT} printable characters")
        return cls(
            tag=check_tag(tag) if tag is not None else None,
            text=text.casefold() if text is not None else None,
        )

    def keeps(self, link: Link) -> bool:
        if self.tag is not None and self.tag not in link.tags:
            return False
        if self.text is not None:
            where = (link.short_id.casefold(), hostname_of(link.url) if link.url else "")
            return any(self.text in part for part in where)
        return True
