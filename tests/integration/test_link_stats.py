"""GET /links/{shortId}/stats through the real handler and AWS-shaped events, against moto.

The days are seeded as the aggregator writes them (DynamoDBClickStats.add_clicks with
the domain's Click values); tests/integration/test_click_analytics.py shows real clicks
becoming those days.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from domain.click_stats import OTHER, Click
from domain.link_stats import click_report
from domain.links import Link
from domain.management_tokens import hash_management_token
from domain.visitors import VisitorSketch
from handlers import links, shorten
from repository.client import create_dynamodb_client
from repository.dynamodb_click_stats import DynamoDBClickStats
from repository.dynamodb_links import DynamoDBLinkRepository
from tests.conftest import load_event
from tests.integration.conftest import TABLE_NAME

FIRST, LAST = date(2026, 11, 1), date(2026, 11, 7)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
STRANGERS_TOKEN = "not-this-links-token-0000000000000000000000"
ERROR_HEADERS = {"Content-Type": "application/json", "Cache-Control": "no-store"}


def created_link(context: Any, url: str = "https://example.com/stats") -> dict[str, Any]:
    event = load_event("shorten.json")
    event["body"] = json.dumps({"url": url})
    response = shorten.handler(event, context)
    assert response["statusCode"] == 201, response["body"]
    return dict(json.loads(response["body"]))


@pytest.fixture
def link(dynamodb_calls, lambda_context) -> dict[str, Any]:
    made = created_link(lambda_context)
    dynamodb_calls.operations.clear()
    return made


def stats_of(
    context: Any,
    short_id: str,
    token: str | None,
    query: dict[str, str] | None = None,
    method: str = "GET",
    **headers: str | None,
) -> dict[str, Any]:
    """The handler's answer to METHOD /links/SHORT_ID/stats?QUERY, as API Gateway sends it."""
    event = load_event("link-stats.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{short_id}/stats"
    event["requestContext"]["http"]["method"] = method
    event["pathParameters"] = {"shortId": short_id}
    query = RANGE if query is None else query
    event["rawQueryString"] = "&".join(f"{name}={value}" for name, value in query.items())
    event["queryStringParameters"] = dict(query)
    if not query:
        del event["queryStringParameters"]
    event["headers"]["authorization"] = f"Bearer {token}" if token else None
    event["headers"].update(headers)
    event["headers"] = {name: value for name, value in event["headers"].items() if value}
    return links.handler(event, context)


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def seed(short_id: str, day: date, clicks: list[tuple[str, str, str, str, str, int | None]]):
    """Clicks on `day` as the aggregator counts them: (referrer, country, device,
    browser, os, visitor digest), numbered after the day's last one."""
    store = DynamoDBClickStats(create_dynamodb_client(), TABLE_NAME, retention_days=400)
    counted = store.days(short_id, day, day)
    after = counted[0].applied_through.get(0, 0) if counted else 0
    store.add_clicks(
        short_id,
        day,
        [
            Click(after + n, day, referrer, country, device, browser, os, visitor)
            for n, (referrer, country, device, browser, os, visitor) in enumerate(clicks, 1)
        ],
    )


def clicks_from(referrer: str, times: int, visitor: int | None = None):
    return [(referrer, "DE", "mobile", "Chrome Mobile", "Android", visitor)] * times


def visitor(n: int) -> int:
    """The nth of some distinct visitor digests (register n, rank 1)."""
    return 64 * n + 1


def test_the_owner_gets_every_day_of_the_range_and_where_the_clicks_came_from(
    link, dynamodb_calls, lambda_context
):
    short_id = link["shortId"]
    seed(short_id, date(2026, 11, 2), clicks_from("news.ycombinator.com", 3, visitor(1)))
    seed(
        short_id,
        date(2026, 11, 5),
        clicks_from("news.ycombinator.com", 1, visitor(2))
        + clicks_from("(direct)", 2, visitor(3))
        + [("t.co", "unknown", "desktop", "Firefox", "Linux", None)],
    )
    seed(short_id, date(2026, 11, 8), clicks_from("t.co", 5))  # the day after the range
    dynamodb_calls.operations.clear()

    response = stats_of(lambda_context, short_id, link["managementToken"])

    assert response["statusCode"] == 200
    assert response["headers"] == {"Content-Type": "application/json", "Cache-Control": "no-store"}
    assert body_of(response) == {
        "shortId": short_id,
        "from": "2026-11-01",
        "to": "2026-11-07",
        "clicks": 7,
        "days": [
            {"date": "2026-11-01", "clicks": 0, "visitors": 0},
            {"date": "2026-11-02", "clicks": 3, "visitors": 1},
            {"date": "2026-11-03", "clicks": 0, "visitors": 0},
            {"date": "2026-11-04", "clicks": 0, "visitors": 0},
            {"date": "2026-11-05", "clicks": 4, "visitors": 2},
            {"date": "2026-11-06", "clicks": 0, "visitors": 0},
            {"date": "2026-11-07", "clicks": 0, "visitors": 0},
        ],
        "referrers": [
            {"value": "news.ycombinator.com", "clicks": 4},
            {"value": "(direct)", "clicks": 2},
            {"value": "t.co", "clicks": 1},
        ],
        "countries": [{"value": "DE", "clicks": 6}, {"value": "unknown", "clicks": 1}],
        "devices": [{"value": "mobile", "clicks": 6}, {"value": "desktop", "clicks": 1}],
        "browsers": [{"value": "Chrome Mobile", "clicks": 6}, {"value": "Firefox", "clicks": 1}],
        "os": [{"value": "Android", "clicks": 6}, {"value": "Linux", "clicks": 1}],
        "visitors": 3,
    }
    # The link's own GetItem (its token), then one Query for the days.
    assert dynamodb_calls.operations == ["GetItem", "Query"]


def test_breakdowns_keep_the_top_20_most_first_and_the_rest_as_other(link, lambda_context):
    short_id = link["shortId"]
    # 25 referrers over two days: site-01 has 25 clicks, site-02 24, ... site-25 one.
    sites = {f"site-{n:02}.example": 26 - n for n in range(1, 26)}
    digests = iter(range(1, 400))
    for day, half in ((date(2026, 11, 3), 0), (date(2026, 11, 4), 1)):
        seed(
            short_id,
            day,
            [
                click
                for site, clicks in sites.items()
                for click in clicks_from(site, clicks // 2 + (clicks % 2) * (1 - half))
            ],
        )
    seed(short_id, date(2026, 11, 6), [("t.co", "FR", "tablet", "Safari", "iOS", next(digests))])

    report = body_of(stats_of(lambda_context, short_id, link["managementToken"]))

    top = [{"value": f"site-{n:02}.example", "clicks": 26 - n} for n in range(1, 21)]
    rest = sum(range(1, 6)) + 1  # site-21..25 and t.co, the only one with a single click
    assert report["referrers"] == [*top, {"value": OTHER, "clicks": rest}]
    assert report["clicks"] == sum(sites.values()) + 1
    for name in ("referrers", "countries", "devices", "browsers", "os"):
        entries = report[name]
        assert sum(entry["clicks"] for entry in entries) == report["clicks"], name
        ranked = [entry["clicks"] for entry in entries if entry["value"] != OTHER]
        assert ranked == sorted(ranked, reverse=True), name
    assert sum(day["clicks"] for day in report["days"]) == report["clicks"]
    assert report["visitors"] == sum(day["visitors"] for day in report["days"]) == 1


def test_visitors_are_each_days_estimate_summed(link, lambda_context):
    short_id = link["shortId"]
    monday = [visitor(n) for n in range(1, 9)]
    tuesday = [visitor(n) for n in range(5, 20)]  # some of Monday's come back
    seed(short_id, date(2026, 11, 2), [("(direct)", "DE", "mobile", "B", "O", v) for v in monday])
    seed(short_id, date(2026, 11, 3), [("(direct)", "DE", "mobile", "B", "O", v) for v in tuesday])

    report = body_of(stats_of(lambda_context, short_id, link["managementToken"]))

    expected = [VisitorSketch().merged(digests).estimate() for digests in (monday, tuesday)]
    assert [day["visitors"] for day in report["days"][1:3]] == expected
    assert report["visitors"] == sum(expected)


def test_by_default_the_range_is_the_30_utc_days_ending_today(link, lambda_context, monkeypatch):
    # 01:00 on December 4th at UTC+5 is still December 3rd in UTC.
    now = datetime(2026, 12, 4, 1, 0, tzinfo=timezone(timedelta(hours=5)))
    monkeypatch.setitem(click_report.__kwdefaults__, "clock", lambda: now)
    today = date(2026, 12, 3)
    short_id = link["shortId"]
    seed(short_id, today, clicks_from("t.co", 2))
    seed(short_id, today - timedelta(days=29), clicks_from("t.co", 3))  # the first day
    seed(short_id, today - timedelta(days=30), clicks_from("t.co", 5))  # one day before it
    seed(short_id, today + timedelta(days=1), clicks_from("t.co", 7))  # tomorrow in UTC+5

    report = body_of(stats_of(lambda_context, short_id, link["managementToken"], query={}))

    assert (report["from"], report["to"]) == ("2026-11-04", "2026-12-03")
    assert len(report["days"]) == 30
    assert [day["date"] for day in report["days"]][:1] == ["2026-11-04"]
    assert report["clicks"] == 5


def test_from_alone_runs_to_today_and_to_alone_starts_29_days_before(
    link, lambda_context, monkeypatch
):
    monkeypatch.setitem(
        click_report.__kwdefaults__, "clock", lambda: datetime(2026, 12, 3, 12, tzinfo=UTC)
    )
    token = link["managementToken"]

    since = body_of(stats_of(lambda_context, link["shortId"], token, {"from": "2026-12-01"}))
    until = body_of(stats_of(lambda_context, link["shortId"], token, {"to": "2026-06-30"}))

    assert (since["from"], since["to"], len(since["days"])) == ("2026-12-01", "2026-12-03", 3)
    assert (until["from"], until["to"], len(until["days"])) == ("2026-06-01", "2026-06-30", 30)


def test_a_range_of_366_days_is_answered(link, lambda_context):
    query = {"from": "2025-12-03", "to": "2026-12-03"}

    response = stats_of(lambda_context, link["shortId"], link["managementToken"], query)

    assert response["statusCode"] == 200
    assert len(body_of(response)["days"]) == 366


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ({"from": "2026-11-08", "to": "2026-11-07"}, "from", "must not be after `to`"),
        ({"from": "2025-12-02", "to": "2026-12-03"}, "to", "must be at most 366 days after `from`"),
        ({"from": "2026-13-01", "to": "2026-12-03"}, "from", "must be a date as YYYY-MM-DD"),
        ({"from": "2026-1-1"}, "from", "must be a date as YYYY-MM-DD"),
        ({"to": "2026-02-30"}, "to", "must be a date as YYYY-MM-DD"),
        ({"to": "yesterday"}, "to", "must be a date as YYYY-MM-DD"),
        ({**RANGE, "format": "xml"}, "format", "must be one of json, csv"),
        ({**RANGE, "format": "CSV"}, "format", "must be one of json, csv"),
    ],
    ids=[
        "reversed",
        "367-days",
        "month-13",
        "no-leading-zeros",
        "february-30",
        "not-a-date",
        "unknown-format",
        "format-in-capitals",
    ],
)
def test_a_bad_range_or_format_is_400_naming_the_parameter_before_anything_is_read(
    link, dynamodb_calls, lambda_context, query, field, reason
):
    response = stats_of(lambda_context, link["shortId"], link["managementToken"], query)

    assert response["statusCode"] == 400
    assert response["headers"] == ERROR_HEADERS
    assert body_of(response) == {
        "message": f"{field} {reason}",
        "errors": [{"field": field, "reason": reason}],
    }
    assert dynamodb_calls.operations == []


@pytest.mark.parametrize("name", ["from", "to", "format"])
def test_a_repeated_parameter_is_400_naming_it(link, dynamodb_calls, lambda_context, name):
    event = load_event("link-stats.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{link['shortId']}/stats"
    event["pathParameters"] = {"shortId": link["shortId"]}
    event["headers"]["authorization"] = f"Bearer {link['managementToken']}"
    # As API Gateway sends ?NAME=csv&NAME=csv: the raw query, and the values joined.
    event["rawQueryString"] = f"{name}=csv&{name}=csv"
    event["queryStringParameters"] = {name: "csv,csv"}

    response = links.handler(event, lambda_context)

    assert response["statusCode"] == 400
    assert body_of(response) == {
        "message": f"{name} must be given once",
        "errors": [{"field": name, "reason": "must be given once"}],
    }
    assert dynamodb_calls.operations == []


def test_without_a_token_it_is_401(link, lambda_context):
    response = stats_of(lambda_context, link["shortId"], None)

    assert response["statusCode"] == 401
    assert response["headers"] == {
        **ERROR_HEADERS,
        "WWW-Authenticate": 'Bearer realm="links"',
    }
    assert body_of(response) == {
        "message": "Send the link's management token, or an API key of its owner, as"
        " `Authorization: Bearer <token>`"
    }


@pytest.mark.parametrize("authorization", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
def test_an_authorization_without_a_bearer_token_is_401(link, lambda_context, authorization):
    response = stats_of(lambda_context, link["shortId"], None, authorization=authorization)

    assert response["statusCode"] == 401
    assert response["headers"]["WWW-Authenticate"] == 'Bearer realm="links"'


def test_another_links_token_is_403(link, lambda_context):
    other = created_link(lambda_context, "https://example.com/other")

    for token in (other["managementToken"], STRANGERS_TOKEN):
        response = stats_of(lambda_context, link["shortId"], token)

        assert response["statusCode"] == 403
        assert response["headers"] == ERROR_HEADERS
        assert body_of(response) == {"message": "This token does not manage this link"}


def test_an_unknown_link_is_404(dynamodb_calls, lambda_context):
    response = stats_of(lambda_context, "nope123", STRANGERS_TOKEN)

    assert response["statusCode"] == 404
    assert response["headers"] == ERROR_HEADERS
    assert body_of(response) == {"message": "No link with id 'nope123'"}


def test_a_deleted_link_is_410_and_its_days_are_not_shown(link, lambda_context):
    seed(link["shortId"], date(2026, 11, 2), clicks_from("t.co", 3))
    event = load_event("link-delete.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{link['shortId']}"
    event["pathParameters"] = {"shortId": link["shortId"]}
    event["headers"]["authorization"] = f"Bearer {link['managementToken']}"
    assert links.handler(event, lambda_context)["statusCode"] == 204

    response = stats_of(lambda_context, link["shortId"], link["managementToken"])

    assert response["statusCode"] == 410
    assert response["headers"] == ERROR_HEADERS
    assert body_of(response) == {
        "message": f"Link '{link['shortId']}' was deleted",
        "reason": "deleted",
    }


def test_an_expired_link_still_has_its_stats(dynamodb_calls, lambda_context):
    # Its owner may revive it (PATCH), and wants to know whether to.
    token = "the-expired-links-token-000000000000000000"
    now = datetime.now(UTC)
    DynamoDBLinkRepository(create_dynamodb_client(), TABLE_NAME).add(
        Link(
            short_id="expired1",
            url="https://example.com/",
            created_at=now - timedelta(days=10),
            expires_at=now - timedelta(days=1),
            management_token_hash=hash_management_token(token),
        )
    )
    seed("expired1", date(2026, 11, 2), clicks_from("t.co", 3))

    response = stats_of(lambda_context, "expired1", token)

    assert response["statusCode"] == 200
    assert body_of(response)["clicks"] == 3


def test_the_days_come_as_csv_with_format_csv(link, lambda_context):
    short_id = link["shortId"]
    seed(short_id, date(2026, 11, 2), clicks_from("t.co", 3, visitor(1)))

    response = stats_of(
        lambda_context, short_id, link["managementToken"], {**RANGE, "format": "csv"}
    )

    assert response["statusCode"] == 200
    assert response["headers"] == {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": (
            f'attachment; filename="{short_id}-clicks-2026-11-01-to-2026-11-07.csv"'
        ),
        "Cache-Control": "no-store",
    }
    assert response["body"] == (
        "date,clicks,visitors\r\n"
        "2026-11-01,0,0\r\n"
        "2026-11-02,3,1\r\n"
        "2026-11-03,0,0\r\n"
        "2026-11-04,0,0\r\n"
        "2026-11-05,0,0\r\n"
        "2026-11-06,0,0\r\n"
        "2026-11-07,0,0\r\n"
    )


@pytest.mark.parametrize(
    ("accept", "format_name", "media_type"),
    [
        ("text/csv", None, "text/csv; charset=utf-8"),
        ("text/csv;q=0.9, application/json;q=0.5", None, "text/csv; charset=utf-8"),
        ("text/*", None, "text/csv; charset=utf-8"),
        ("application/json, text/csv", None, "application/json"),  # a tie: JSON
        ("text/csv;q=0", None, "application/json"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", None, "application/json"),  # a browser
        (None, None, "application/json"),
        ("text/csv", "json", "application/json"),  # the parameter wins
        ("application/json", "csv", "text/csv; charset=utf-8"),
    ],
)
def test_accept_asks_for_csv_unless_format_says_otherwise(
    link, lambda_context, accept, format_name, media_type
):
    query = {**RANGE, **({"format": format_name} if format_name else {})}

    response = stats_of(
        lambda_context, link["shortId"], link["managementToken"], query, accept=accept
    )

    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"] == media_type
    assert ("Content-Disposition" in response["headers"]) == media_type.startswith("text/csv")


def test_a_refusal_is_json_even_to_a_client_that_asks_for_csv(link, lambda_context):
    response = stats_of(lambda_context, link["shortId"], None, accept="text/csv")

    assert response["statusCode"] == 401
    assert response["headers"]["Content-Type"] == "application/json"


def test_unknown_query_parameters_are_ignored_as_on_every_route(link, lambda_context):
    query = {**RANGE, "utm_source": "newsletter"}

    response = stats_of(lambda_context, link["shortId"], link["managementToken"], query)

    assert response["statusCode"] == 200
    assert body_of(response)["from"] == "2026-11-01"


def test_head_is_answered_as_for_the_links_other_get_routes(link, lambda_context):
    # API Gateway routes HEAD only where the template says so, and it says so for short
    # links alone; the function's resolver answers the same for every /links route.
    stats = stats_of(lambda_context, link["shortId"], link["managementToken"], method="HEAD")
    details = load_event("link-info.json")
    details["requestContext"]["http"]["method"] = "HEAD"
    details["rawPath"] = details["requestContext"]["http"]["path"] = f"/links/{link['shortId']}"
    details["pathParameters"] = {"shortId": link["shortId"]}

    assert stats == links.handler(details, lambda_context)
    assert stats["statusCode"] == 404


def test_the_links_public_details_keep_their_total_and_need_no_token(link, lambda_context):
    seed(link["shortId"], date(2026, 11, 2), clicks_from("t.co", 3))
    event = load_event("link-info.json")
    event["rawPath"] = event["requestContext"]["http"]["path"] = f"/links/{link['shortId']}"
    event["pathParameters"] = {"shortId": link["shortId"]}

    details = body_of(links.handler(event, lambda_context))

    # The total is the link's own counter (the redirect's), not the stats' days.
    assert details["clicks"] == 0
    assert not {"days", "referrers", "visitors"} & set(details)
