"""Bulk import: up to MAX_ROWS links in one request, each created on its own.

Rows come as JSON objects or CSV lines with the columns `url,alias,title,tags,expiresAt`
(a header row names them; only `url` is required; `tags` are separated by spaces). An
export (GET /links?format=csv) adds `shortUrl,createdAt,clicks`, which an import
ignores, so an export imports as it is (each alias is then taken, unless imported into
another stack). Each row answers for itself: 201 with the link, or 400, 409, 429 or 503
with the reasons; one row's refusal never stops another.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import (
    AliasTaken,
    CreationCeilingReached,
    InvalidInput,
    RateLimited,
    ShortIdsExhausted,
    StorageUnavailable,
)
from domain.shortening import LinkRequest, ShortenedLink

MAX_ROWS = 1000
IMPORT_COLUMNS = ("url", "alias", "title", "tags", "expiresAt")
# What an export adds to the import's columns; an import skips them.
EXPORT_ONLY_COLUMNS = ("shortUrl", "createdAt", "clicks")
_TAG_SEPARATORS = str.maketrans(",;", "  ")
_OVER_LIMIT = (("row", "over the rate limit for this API key; send it again later"),)


@dataclass(frozen=True, slots=True)
class ImportRow:
    """One row as read: the request it makes, or why it cannot make one."""

    number: int  # 1-based, data rows only (a CSV header is not a row)
    request: LinkRequest | None
    problems: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RowOutcome:
    number: int
    status: int
    created: ShortenedLink | None = None
    problems: tuple[tuple[str, str], ...] = field(default=())


def rows_from_json(body: Any) -> list[ImportRow]:
    """Rows from `{"links": [{...}, ...]}`. Raises InvalidInput for anything else."""
    if not isinstance(body, dict) or set(body) != {"links"} or not isinstance(body["links"], list):
        raise InvalidInput("links", 'send {"links": [...]} with one object per link')
    entries = body["links"]
    _check_count(len(entries))
    return [_row(number, entry) for number, entry in enumerate(entries, start=1)]


def rows_from_csv(text: str) -> list[ImportRow]:
    """Rows from CSV with a header row. Raises InvalidInput for a header it cannot use."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))  # a spreadsheet's BOM
    header = next(reader, None)
    if not header or "url" not in header:
        raise InvalidInput("csv", "the first line must name the columns, url among them")
    unknown = [name for name in header if name not in IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS]
    if unknown or len(set(header)) != len(header):
        raise InvalidInput("csv", f"columns must be among {', '.join(IMPORT_COLUMNS)}, each once")
    lines = [line for line in reader if any(cell.strip() for cell in line)]
    _check_count(len(lines))
    rows = []
    for number, line in enumerate(lines, start=1):
        if len(line) != len(header):
            rows.append(
                ImportRow(number, None, (("csv", f"has {len(line)} cells, not {len(header)}"),))
            )
            continue
        cells: dict[str, Any] = {
            name: value
            for name, value in zip(header, line, strict=True)
            if name in IMPORT_COLUMNS and value.strip()
        }
        if "tags" in cells:
            cells["tags"] = cells["tags"].translate(_TAG_SEPARATORS).split()
        rows.append(_row(number, cells))
    return rows


def import_rows(
    rows: list[ImportRow],
    create: Callable[[LinkRequest], ShortenedLink],
    map_rows: Callable[
        [Callable[[ImportRow], RowOutcome], list[ImportRow]], Iterable[RowOutcome]
    ] = map,
) -> list[RowOutcome]:
    """Each row's outcome, in order, creating its link with `create` (shorten_link for the
    caller); `map_rows` may run rows side by side (the builtin map runs them in turn).
    Once the caller's rate limit refuses a row, the rows not yet begun are refused too
    without asking again: the limit will not have moved on within one request."""
    limited = False

    def attempt(row: ImportRow) -> RowOutcome:
        nonlocal limited
        if row.request is None:
            return RowOutcome(row.number, 400, problems=row.problems)
        if limited:
            return RowOutcome(row.number, 429, problems=_OVER_LIMIT)
        outcome = _create(row.number, row.request, create)
        if outcome.status == 429:
            limited = True
        return outcome

    return list(map_rows(attempt, rows))


def _create(
    number: int, request: LinkRequest, create: Callable[[LinkRequest], ShortenedLink]
) -> RowOutcome:
    try:
        return RowOutcome(number, 201, created=create(request))
    except InvalidInput as invalid:
        return RowOutcome(number, 400, problems=((invalid.field, invalid.reason),))
    except AliasTaken:
        return RowOutcome(number, 409, problems=(("alias", "is taken"),))
    except (RateLimited, CreationCeilingReached):
        return RowOutcome(number, 429, problems=_OVER_LIMIT)
    except (StorageUnavailable, ShortIdsExhausted):
        return RowOutcome(number, 503, problems=(("row", "not stored; send it again"),))


def _check_count(rows: int) -> None:
    if not 1 <= rows <= MAX_ROWS:
        raise InvalidInput("links", f"send 1 to {MAX_ROWS} links")


def _row(number: int, entry: Any) -> ImportRow:
    if not isinstance(entry, dict):
        return ImportRow(number, None, (("row", "must be an object"),))
    unknown = sorted(set(entry) - set(IMPORT_COLUMNS))
    if unknown:
        return ImportRow(number, None, ((unknown[0], "is not a column an import takes"),))
    problems = []
    url, alias, title, tags = (entry.get(name) for name in ("url", "alias", "title", "tags"))
    if not isinstance(url, str) or not url:
        problems.append(("url", "is required, as a string"))
    for name, value in (("alias", alias), ("title", title)):
        if value is not None and not isinstance(value, str):
            problems.append((name, "must be a string"))
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.append(("tags", "must be a list of strings"))
    expires_at = _moment(entry.get("expiresAt"), problems)
    if problems or not isinstance(url, str):
        return ImportRow(number, None, tuple(problems))
    request = LinkRequest(
        url=url, alias=alias, expires_at=expires_at, title=title, tags=tuple(tags or ())
    )
    return ImportRow(number, request)


def _moment(value: Any, problems: list[tuple[str, str]]) -> datetime | None:
    if value is None:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        moment = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        problems.append(("expiresAt", "must be an RFC 3339 time with a time zone"))
        return None
    if moment.tzinfo is None:
        problems.append(("expiresAt", "must be an RFC 3339 time with a time zone"))
        return None
    return moment
