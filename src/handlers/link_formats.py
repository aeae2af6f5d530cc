"""An owner's links as CSV: what GET /links?format=csv answers, and POST /links/import
takes back (domain/link_import.py): the import's columns first, then what only an
export can say.

A cell that a spreadsheet would run as a formula (it starts with = + - @, or a tab or
carriage return) is written with a leading apostrophe: a title is anybody's text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

from domain.link_import import EXPORT_ONLY_COLUMNS
from domain.links import Link, rfc3339

EXPORT_COLUMNS = ("alias", "url", "title", "tags", "expiresAt", *EXPORT_ONLY_COLUMNS)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def links_csv(links: Iterable[Link], base_url: str) -> str:
    rows = io.StringIO()
    writer = csv.writer(rows)
    writer.writerow(EXPORT_COLUMNS)
    for link in links:
        writer.writerow(
            _cell(value)
            for value in (
                link.short_id,
                link.url,
                link.title or "",
                " ".join(link.tags),
                rfc3339(link.expires_at) if link.expires_at else "",
                f"{base_url}/{link.short_id}",
                rfc3339(link.created_at),
                str(link.clicks),
            )
        )
    return rows.getvalue()


def links_attachment(owner: str) -> dict[str, str]:
    name = _FILENAME_UNSAFE.sub("_", owner)
    return {"Content-Disposition": f'attachment; filename="{name}-links.csv"'}


def _cell(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_START) else value
