"""DynamoDBClickStats, the visitor keys, and the click a link item carries, on moto and
DynamoDB Local: exact under lost answers and retries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from domain.click_facts import ClickFacts
from domain.click_stats import Click
from domain.errors import StorageUnavailable
from domain.links import Link
from repository.click_stream import streamed_click
from repository.dynamodb_click_stats import DynamoDBClickStats
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.visitor_keys import DynamoDBVisitorKeys
from tests.dynamodb_faults import FAULTS, LOST_ANSWER

pytestmark = pytest.mark.dynamodb_only

DAY = date(2026, 12, 3)


def click(number: int, referrer: str = "t.co", day: date = DAY) -> Click:
    return Click(number, day, referrer, "DE", "mobile", "Chrome Mobile", "Android", 64 * number + 1)


@pytest.fixture
def stats(client: Any, table_name: str) -> DynamoDBClickStats:
    return DynamoDBClickStats(client, table_name, retention_days=400)


def test_clicks_are_stored_by_day_and_read_back_by_range(stats):
    stats.add_clicks("abc", DAY, [click(1), click(2, "(direct)")])
    stats.add_clicks("abc", DAY + timedelta(days=1), [click(3, day=DAY + timedelta(days=1))])
    stats.add_clicks("other", DAY, [click(1)])

    days = stats.days("abc", DAY - timedelta(days=30), DAY + timedelta(days=1))

    assert [(d.day, d.clicks, d.applied_through) for d in days] == [
        (DAY, 2, 2),
        (DAY + timedelta(days=1), 1, 3),
    ]
    assert days[0].referrers == {"t.co": 1, "(direct)": 1}
    assert days[0].visitors.estimate() == 2
    assert stats.days("abc", DAY + timedelta(days=2), DAY + timedelta(days=9)) == []


def test_clicks_given_again_change_nothing(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(n) for n in range(1, 6)])
    before = dynamodb.scan(TableName=table_name)["Items"]

    stats.add_clicks("abc", DAY, [click(n) for n in range(1, 6)])
    stats.add_clicks("abc", DAY, [click(3), click(5)])

    assert dynamodb.scan(TableName=table_name)["Items"] == before


def test_a_write_whose_answer_was_lost_is_not_counted_twice(stats, faults):
    stats.add_clicks("abc", DAY, [click(1)])
    faults.fail(("PutItem", "STATS#"), LOST_ANSWER, times=1)

    # The put lands, its answer is lost, botocore retries it: the condition refuses the
    # second copy, and the store reads the day again and finds nothing left to add.
    stats.add_clicks("abc", DAY, [click(2), click(3)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (3, 3)


@pytest.mark.parametrize("call_site", [("GetItem", "STATS#"), ("PutItem", "STATS#")])
def test_a_failing_store_raises_and_a_retry_completes_exactly(stats, faults, call_site):
    stats.add_clicks("abc", DAY, [click(1)])
    faults.fail(call_site, FAULTS["internal-server-error"])

    with pytest.raises(StorageUnavailable):
        stats.add_clicks("abc", DAY, [click(2), click(3)])
    faults.fail(call_site, FAULTS["internal-server-error"], times=0)
    stats.add_clicks("abc", DAY, [click(2), click(3)])

    [day] = stats.days("abc", DAY, DAY)
    assert (day.clicks, day.applied_through) == (3, 3)


def test_a_day_is_kept_for_the_retention_after_it_ends(stats, dynamodb, table_name):
    stats.add_clicks("abc", DAY, [click(1)])

    [item] = dynamodb.scan(TableName=table_name)["Items"]

    day_ends = datetime(2026, 12, 4, tzinfo=UTC)
    assert int(item["ttl"]["N"]) == int((day_ends + timedelta(days=400)).timestamp())


def test_a_range_of_a_year_is_read_whole(stats):
    first = date(2026, 1, 1)
    for offset in range(0, 365, 4):
        day = first + timedelta(days=offset)
        stats.add_clicks("abc", day, [click(offset + 1, day=day)])

    assert len(stats.days("abc", first, first + timedelta(days=365))) == 92


# --- what a click leaves on its link, and how the stream reads it back -----------------


def test_a_counted_click_leaves_what_the_analytics_needs_on_its_link(client, table_name, dynamodb):
    repository = DynamoDBLinkRepository(client, table_name)
    at = datetime(2026, 12, 3, 12, tzinfo=UTC)
    repository.add(Link(short_id="abc", url="https://example.com/", created_at=at))
    facts = ClickFacts(referrer="t.co", country="DE", user_agent="Mozilla/5.0", visitor=777)

    repository.record_click("abc", at=at, click=facts)
    repository.record_click("abc", at=at + timedelta(seconds=1), click=replace(facts, country=None))

    item = dynamodb.get_item(
        TableName=table_name, Key={"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    )
    streamed = streamed_click({"dynamodb": {"NewImage": item["Item"], "SequenceNumber": "9"}})
    assert streamed is not None
    assert streamed.short_id == "abc"
    assert streamed.number == 2
    assert streamed.facts == replace(facts, country=None)
    assert streamed.at == at + timedelta(seconds=1)


@pytest.mark.parametrize(
    "image",
    [
        {},
        {"PK": {"S": "RATE#all"}, "SK": {"S": "CREATIONS#300/5"}},
        {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}, "clicks": {"N": "3"}},  # no click yet
        {"PK": {"S": "STATS#abc"}, "SK": {"S": "DAY#2026-12-03"}},
    ],
)
def test_records_without_a_click_are_passed_over(image):
    assert streamed_click({"dynamodb": {"NewImage": image}}) is None


# --- the day's visitor key -------------------------------------------------------------


def test_every_environment_gets_the_same_key_for_a_day_and_a_new_one_the_next(client, table_name):
    first, second = DynamoDBVisitorKeys(client, table_name), DynamoDBVisitorKeys(client, table_name)

    key = first.key_for(DAY)

    assert second.key_for(DAY) == key
    assert len(key) == 32
    assert first.key_for(DAY + timedelta(days=1)) not in (key, b"")


def test_an_environment_asks_for_the_key_once_a_day(client, table_name, faults):
    keys = DynamoDBVisitorKeys(client, table_name)
    keys.key_for(DAY)
    faults.attempts.clear()  # count from here

    keys.key_for(DAY)
    keys.key_for(DAY)

    assert faults.attempts == []


def test_past_keys_are_forgotten_and_each_expires_an_hour_after_its_day(
    client, table_name, dynamodb
):
    keys = DynamoDBVisitorKeys(client, table_name)
    for offset in range(3):
        DynamoDBVisitorKeys(client, table_name).key_for(DAY + timedelta(days=offset))
    stored = dynamodb.scan(TableName=table_name)["Items"]
    assert {int(i["ttl"]["N"]) for i in stored} == {
        int(datetime(2026, 12, 4 + offset, 1, tzinfo=UTC).timestamp()) for offset in range(3)
    }

    assert keys.forget_before(DAY + timedelta(days=2)) == 2

    left = dynamodb.scan(TableName=table_name)["Items"]
    assert [item["SK"]["S"] for item in left] == ["2026-12-05"]
