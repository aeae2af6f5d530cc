"""The owner's click report: who may read it, what is read first, and its formats."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

import pytest

from domain.click_stats import Click, DayStats
from domain.errors import InvalidInput, LinkGone, LinkNotFound, NotAuthenticated, NotAuthorized
from domain.link_stats import click_report
from domain.links import Link
from domain.management_tokens import hash_management_token
from handlers.stats_formats import csv_attachment, report_csv, wants_csv
from tests.unit.fakes import FakeLinkRepository

NOW = datetime(2026, 12, 3, 23, 59, tzinfo=UTC)
TOKEN = "the-right-token"


class FakeClickStats:
    """Days as the aggregator would have stored them; counts the reads."""

    def __init__(self, *days: DayStats) -> None:
        self.stored = {(stats.short_id, stats.day): stats for stats in days}
        self.reads: list[tuple[str, date, date]] = []

    def add_clicks(self, short_id: str, day: date, clicks: Iterable[Click]) -> None:
        current = self.stored.get((short_id, day), DayStats(short_id=short_id, day=day))
        self.stored[short_id, day] = current.with_clicks(clicks) or current

    def days(self, short_id: str, first: date, last: date) -> list[DayStats]:
        self.reads.append((short_id, first, last))
        return sorted(
            (
                s
                for (sid, day), s in self.stored.items()
                if sid == short_id and first <= day <= last
            ),
            key=lambda stats: stats.day,
        )


def day_with(short_id: str, day: date, clicks: int) -> DayStats:
    made = DayStats(short_id=short_id, day=day).with_clicks(
        Click(n, day, "t.co", "DE", "mobile", "Chrome", "Android", None)
        for n in range(1, clicks + 1)
    )
    assert made is not None
    return made


@pytest.fixture
def links() -> FakeLinkRepository:
    return FakeLinkRepository(
        Link(
            "7cp2Xhz",
            "https://example.com/",
            NOW,
            management_token_hash=hash_management_token(TOKEN),
        )
    )


def report(links: FakeLinkRepository, stats: FakeClickStats, **changes: object):
    arguments: dict[str, object] = {
        "first": None,
        "last": None,
        "token": TOKEN,
        "links": links,
        "stats": stats,
        "clock": lambda: NOW,
        **changes,
    }
    short_id = str(arguments.pop("short_id", "7cp2Xhz"))
    return click_report(short_id, **arguments)  # type: ignore[arg-type]


def test_the_owner_reads_the_days_of_the_range(links):
    stats = FakeClickStats(
        day_with("7cp2Xhz", date(2026, 12, 1), 2), day_with("other12", date(2026, 12, 1), 9)
    )

    read = report(links, stats, first="2026-11-30", last="2026-12-02")

    assert [(figures.day.day, figures.clicks) for figures in read.days] == [(30, 0), (1, 2), (2, 0)]
    assert read.clicks == 2
    assert stats.reads == [("7cp2Xhz", date(2026, 11, 30), date(2026, 12, 2))]


def test_by_default_the_30_days_ending_today_in_utc(links):
    read = report(links, FakeClickStats())

    assert (read.first, read.last) == (date(2026, 11, 4), date(2026, 12, 3))


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"token": None}, NotAuthenticated),
        ({"token": ""}, NotAuthenticated),
        ({"token": "someone-elses"}, NotAuthorized),
        ({"short_id": "nope123"}, LinkNotFound),
        ({"short_id": "wp-login.php"}, LinkNotFound),
    ],
)
def test_only_the_holder_of_the_links_token_reads_it(links, changes, error):
    stats = FakeClickStats()

    with pytest.raises(error):
        report(links, stats, **changes)
    assert stats.reads == []


def test_a_deleted_link_is_gone(links):
    links.replace_with_tombstone(
        "7cp2Xhz", expected_token_hash=hash_management_token(TOKEN), at=NOW
    )

    with pytest.raises(LinkGone):
        report(links, FakeClickStats())


def test_a_bad_range_is_refused_before_the_token_is_looked_at(links):
    # Reading the request costs nothing; the token costs a storage request.
    with pytest.raises(InvalidInput) as refused:
        report(links, FakeClickStats(), first="2026-12-04", last="2026-12-03", token=None)

    assert refused.value.field == "from"


@pytest.mark.parametrize(
    ("format_name", "accept", "csv"),
    [
        (None, None, False),
        ("", "text/csv", True),  # an empty parameter is no parameter
        ("csv", None, True),
        ("json", "text/csv", False),
        (None, "TEXT/CSV", True),
        (None, "text/csv; charset=utf-8", True),
        (None, "text/csv;q=0.5, application/json;q=0.4", True),
        (None, "text/csv;q=0.4, application/json;q=0.5", False),
        (None, "text/csv;q=0.5, */*", False),
        (None, "text/*;q=0.9, application/*;q=0.1", True),
        (None, "text/csv;q=nan", False),
        (None, "text/csv;q=2", False),  # out of range: not acceptable
        (None, "text/csv;q=x", False),
        (None, "image/png", False),  # neither: JSON, as every refusal is
        (None, ",,;", False),
    ],
)
def test_which_format_a_request_asks_for(format_name, accept, csv):
    assert wants_csv(format_name, accept) is csv


@pytest.mark.parametrize("format_name", ["xml", "CSV", "csv ", "text/csv"])
def test_an_unknown_format_names_the_parameter(format_name):
    with pytest.raises(InvalidInput) as refused:
        wants_csv(format_name, None)

    assert (refused.value.field, refused.value.reason) == ("format", "must be one of json, csv")


def test_the_csv_has_a_header_row_and_one_row_a_day(links):
    stats = FakeClickStats(day_with("7cp2Xhz", date(2026, 12, 2), 4))
    read = report(links, stats, first="2026-12-01", last="2026-12-02")

    assert report_csv(read) == "date,clicks,visitors\r\n2026-12-01,0,0\r\n2026-12-02,4,0\r\n"
    assert csv_attachment(read) == {
        "Content-Disposition": 'attachment; filename="7cp2Xhz-clicks-2026-12-01-to-2026-12-02.csv"'
    }
