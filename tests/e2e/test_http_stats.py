"""GET /links/{shortId}/stats over real HTTP against the local stack: clicks on a short
link reach its owner's stats through the table's stream, as the devserver runs the
aggregator the way Lambda's event source mapping would."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.dynamodb_servers import dynamodb_local_or_skip
from tests.e2e.conftest import UNLIMITED, Answer, LocalStack, start_local_stack, stop

# The template's window is a minute; a stack of its own with a one-second window shows
# the whole path within seconds.
WINDOW_SECONDS = 1
STATS_WITHIN_SECONDS = 15


@pytest.fixture(scope="module", params=["local", "moto"], ids=["dynamodb-local", "moto"])
def quick_stack(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[LocalStack]:
    if request.param == "local":
        dynamodb_local_or_skip()
    process, stack = start_local_stack(
        request.param,
        tmp_path_factory.mktemp(f"stats-{request.param}"),
        UNLIMITED,
        arguments=("--parameter-overrides", f"ClickStatsWindowSeconds={WINDOW_SECONDS}"),
    )
    yield stack
    stop(process)


def new_link(stack: LocalStack) -> Any:
    answer = stack.shorten({"url": "https://example.com/counted"})
    assert answer.status == 201, answer.body
    return answer.json()


def stats(stack: LocalStack, link: Any, query: str = "", **headers: str) -> Answer:
    return stack.request(
        "GET",
        f"/links/{link['shortId']}/stats{query}",
        headers={"Authorization": f"Bearer {link['managementToken']}", **headers},
    )


def stats_once_counted(stack: LocalStack, link: Any, clicks: int) -> Any:
    """The owner's report once it shows `clicks` clicks, polled for a few seconds."""
    deadline = time.monotonic() + STATS_WITHIN_SECONDS
    while True:
        answer = stats(stack, link)
        assert answer.status == 200, answer.body
        report = answer.json()
        if report["clicks"] >= clicks or time.monotonic() > deadline:
            return report
        time.sleep(0.5)


def utc_today() -> date:
    return datetime.now(UTC).date()


def test_clicks_reach_the_owners_stats_within_seconds(quick_stack):
    link = new_link(quick_stack)
    first_day = utc_today()
    for referer in ("https://www.news.example/item?id=1", "https://news.example/", None):
        headers = {"Referer": referer} if referer else {}
        assert quick_stack.request("GET", f"/{link['shortId']}", headers=headers).status == 302
    # Not clicks: they stay out of every figure.
    assert quick_stack.request("HEAD", f"/{link['shortId']}").status == 302
    robot = {"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)"}
    assert quick_stack.request("GET", f"/{link['shortId']}", headers=robot).status == 302

    report = stats_once_counted(quick_stack, link, 3)

    assert report["clicks"] == 3, report
    details = quick_stack.request("GET", f"/links/{link['shortId']}").json()
    assert details["clicks"] == 3  # exactly what the counter gained
    assert sum(day["clicks"] for day in report["days"]) == 3
    assert report["referrers"] == [
        {"value": "news.example", "clicks": 2},
        {"value": "(direct)", "clicks": 1},
    ]
    assert report["countries"] == [{"value": "unknown", "clicks": 3}]  # no CloudFront here
    assert report["devices"] == [{"value": "desktop", "clicks": 3}]
    assert report["browsers"] == [{"value": "Chrome", "clicks": 3}]
    assert report["os"] == [{"value": "Linux", "clicks": 3}]
    if utc_today() == first_day:  # one address and browser, on one day: one visitor
        assert report["visitors"] == 1
        assert report["days"][-1] == {"date": first_day.isoformat(), "clicks": 3, "visitors": 1}


def test_the_days_as_csv_for_a_client_that_asks_for_it(quick_stack):
    link = new_link(quick_stack)
    assert quick_stack.request("GET", f"/{link['shortId']}").status == 302
    stats_once_counted(quick_stack, link, 1)
    today = utc_today().isoformat()

    answer = stats(quick_stack, link, f"?from={today}&to={today}", Accept="text/csv")

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{link["shortId"]}-clicks-{today}-to-{today}.csv"'
    )
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.body.decode() == f"date,clicks,visitors\r\n{today},1,1\r\n"


def test_only_the_owner_sees_the_stats(local_stack):
    link, other = new_link(local_stack), new_link(local_stack)
    path = f"/links/{link['shortId']}/stats"

    anonymous = local_stack.request("GET", path)
    stranger = local_stack.request(
        "GET", path, headers={"Authorization": f"Bearer {other['managementToken']}"}
    )
    unknown = local_stack.request(
        "GET", "/links/nope1234/stats", headers={"Authorization": "Bearer whatever"}
    )

    assert anonymous.status == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="links"'
    assert stranger.status == 403
    assert stranger.json() == {"message": "This token does not manage this link"}
    assert unknown.status == 404
    for answer in (anonymous, stranger, unknown):
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.headers["Cache-Control"] == "no-store"


def test_a_bad_range_is_400_naming_the_parameter(local_stack):
    link = new_link(local_stack)

    answer = stats(local_stack, link, "?from=2026-12-03&to=2026-12-01")

    assert answer.status == 400
    assert answer.json()["errors"] == [{"field": "from", "reason": "must not be after `to`"}]


def test_a_deleted_links_stats_are_gone(local_stack):
    link = new_link(local_stack)
    bearer = {"Authorization": f"Bearer {link['managementToken']}"}
    assert local_stack.request("DELETE", f"/links/{link['shortId']}", headers=bearer).status == 204

    assert stats(local_stack, link).status == 410
