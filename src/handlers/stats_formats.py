"""A link's click report as CSV, and which of JSON or CSV a request asks for.

JSON is the default; `?format=csv`, or an Accept header that prefers `text/csv` to
JSON, asks for the days as CSV (RFC 4180: a header row, CRLF line ends), which a
spreadsheet opens as it is. The breakdowns stay JSON's: they are not days.
"""

from __future__ import annotations

import csv
import io

from domain.click_stats import StatsReport
from domain.errors import InvalidInput

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
FORMATS = ("json", "csv")
CSV_COLUMNS = ("date", "clicks", "visitors")


def wants_csv(format_name: str | None, accept: str | None) -> bool:
    """Whether to answer CSV: `format` says so if given (raising InvalidInput for a
    format there is none of), else Accept does, if it prefers text/csv to JSON."""
    if format_name:
        if format_name not in FORMATS:
            raise InvalidInput("format", f"must be one of {', '.join(FORMATS)}")
        return format_name == "csv"
    accept = accept or "*/*"
    return _quality(accept, "text/csv") > _quality(accept, "application/json")


def report_csv(report: StatsReport) -> str:
    rows = io.StringIO()
    writer = csv.writer(rows)  # RFC 4180's CRLF line ends, quoting only where needed
    writer.writerow(CSV_COLUMNS)
    writer.writerows((day.day.isoformat(), day.clicks, day.visitors) for day in report.days)
    return rows.getvalue()


def csv_attachment(report: StatsReport) -> dict[str, str]:
    """The Content-Disposition that saves the CSV under a name saying what it holds.
    Short ids are A-Z a-z 0-9 - _ only, so the name needs no escaping."""
    name = f"{report.short_id}-clicks-{report.first.isoformat()}-to-{report.last.isoformat()}.csv"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _quality(accept: str, media_type: str) -> float:
    """The q-value Accept gives `media_type`: that of the most specific range matching it
    (type/subtype, then type/*, then */*), 0 if none does (RFC 9110, section 12.5.1)."""
    kind = media_type.partition("/")[0]
    specificity_of = {media_type: 2, f"{kind}/*": 1, "*/*": 0}
    best_specificity, quality = -1, 0.0
    for media_range in accept.split(","):
        name, *parameters = (part.strip() for part in media_range.split(";"))
        specificity = specificity_of.get(name.lower(), -1)
        if specificity > best_specificity:
            best_specificity, quality = specificity, _q(parameters)
    return quality


def _q(parameters: list[str]) -> float:
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(value)
            except ValueError:
                return 0.0
            return q if 0.0 <= q <= 1.0 else 0.0  # NaN too
    return 1.0
