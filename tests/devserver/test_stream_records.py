"""What a stream event source does to each record before any function sees it: the filter
Lambda applies, the record as Lambda sends it, and the tumbling window it falls in."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from devserver.stream_pollers import (
    DYNAMODB_LOCAL_REGION,
    RecordFilter,
    lambda_record,
    window_of,
    window_timestamp,
)

# template.yaml's filter for ClickStatsFunction (issue 12): a MODIFY of a link item whose
# new image carries a click's User-Agent.
CLICK_FILTER = (
    '{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"SK": {"S": ["META"]}, '
    '"click": {"M": {"u": {"S": [{"exists": true}]}}}}}}'
)
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/links/stream/2026-12-03T12:00:00.000"


def record(
    event_name: str = "MODIFY", new_image: dict[str, Any] | None = None, **dynamodb: Any
) -> dict[str, Any]:
    """A record as Lambda sends it, shaped as AWS's sample (sam local generate-event)."""
    image = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}} if new_image is None else new_image
    return {
        "eventID": "c81e728d9d4c2f636f067f89cc14862c",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1796310334,
            "Keys": {key: image[key] for key in ("PK", "SK") if key in image},
            "NewImage": image,
            "SequenceNumber": "4421584500000000017450439092",
            "SizeBytes": 59,
            "StreamViewType": "NEW_IMAGE",
            **dynamodb,
        },
        "eventSourceARN": STREAM_ARN,
    }


def clicked(**click: Any) -> dict[str, Any]:
    return {
        "PK": {"S": "LINK#abc"},
        "SK": {"S": "META"},
        "clicks": {"N": "3"},
        "click": {"M": click},
    }


CLICK = {"u": {"S": "Mozilla/5.0"}, "r": {"S": "news.ycombinator.com"}}


# --- the filter ---------------------------------------------------------------------


def test_a_click_on_a_link_item_passes_the_click_filter() -> None:
    assert RecordFilter((CLICK_FILTER,)).matches(record("MODIFY", clicked(**CLICK)))


NEVER_CLICKED = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}, "clicks": {"N": "0"}}


@pytest.mark.parametrize(
    ("why", "unmatched"),
    [
        ("a creation: eventName INSERT", record("INSERT", clicked(**CLICK))),
        ("a deletion: REMOVE, no new image", record("REMOVE", {})),
        ("another item: SK not META", record("MODIFY", {**clicked(**CLICK), "SK": {"S": "DAY"}})),
        ("a link never clicked: no click map", record("MODIFY", NEVER_CLICKED)),
        ("a click without its User-Agent", record("MODIFY", clicked(r=CLICK["r"]))),
        ("click.u of another type: N, not S", record("MODIFY", clicked(u={"N": "1"}))),
        ("SK of another type than S", record("MODIFY", {**clicked(**CLICK), "SK": {"N": "1"}})),
    ],
)
def test_what_is_not_a_click_is_filtered_out(why: str, unmatched: dict[str, Any]) -> None:
    assert not RecordFilter((CLICK_FILTER,)).matches(unmatched), why


def test_a_record_passes_if_it_matches_any_filter() -> None:
    either = RecordFilter(('{"eventName": ["INSERT"]}', '{"eventName": ["REMOVE"]}'))

    assert either.matches(record("INSERT"))
    assert either.matches(record("REMOVE", {}))
    assert not either.matches(record("MODIFY"))


def test_without_filters_every_record_passes() -> None:
    assert RecordFilter(()).matches(record("REMOVE", {}))


def test_matching_is_exact_text_as_in_eventbridge() -> None:
    # "Lambda uses exact character-by-character matching without case-folding"
    assert not RecordFilter(('{"eventName": ["modify"]}',)).matches(record("MODIFY"))
    # and "exists" tests a leaf only: the click map itself is no leaf
    assert not RecordFilter(('{"dynamodb": {"NewImage": {"click": [{"exists": true}]}}}',)).matches(
        record("MODIFY", clicked(**CLICK))
    )


def test_a_pattern_lambda_would_refuse_is_refused() -> None:
    with pytest.raises(ValueError, match="eventName"):
        RecordFilter(('{"eventName": "MODIFY"}',))  # a value must be a list


# --- the record ---------------------------------------------------------------------


def stream_record(region: str, created: datetime) -> dict[str, Any]:
    """A record as boto3's GetRecords gives it: a datetime, bytes for binary values."""
    return {
        "eventID": "739b8a8e-22fe-4525-a2a3-d5ab2b9bd17e",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": {
            "ApproximateCreationDateTime": created,
            "Keys": {"PK": {"S": "a"}},
            "NewImage": {"PK": {"S": "a"}, "blob": {"B": b"\x00\xff"}, "set": {"BS": [b"x"]}},
            "SequenceNumber": "000000000000000000001",
            "SizeBytes": 21,
            "StreamViewType": "NEW_IMAGE",
        },
    }


def test_a_record_is_sent_as_json_with_the_stream_arn_and_whole_epoch_seconds() -> None:
    created = datetime(2026, 12, 3, 14, 53, 48, 142000, tzinfo=timezone(timedelta(hours=1)))

    sent = lambda_record(stream_record("us-east-1", created), STREAM_ARN, "us-east-1", (0, 0))

    assert sent["eventSourceARN"] == STREAM_ARN
    # "in UNIX epoch time format and rounded down to the closest second", a JSON number
    assert sent["dynamodb"]["ApproximateCreationDateTime"] == int(created.timestamp())
    assert isinstance(sent["dynamodb"]["ApproximateCreationDateTime"], int)
    # Binary values as the JSON of DynamoDB's API has them: base64
    assert sent["dynamodb"]["NewImage"]["blob"] == {"B": "AP8="}
    assert sent["dynamodb"]["NewImage"]["set"] == {"BS": ["eA=="]}
    assert json.loads(json.dumps(sent)) == sent
    assert [key for key in sent if key != "eventSourceARN"] == list(
        stream_record("us-east-1", created)
    )


def test_dynamodb_locals_minutes_become_the_time_it_was_read_and_its_region_the_stacks() -> None:
    minute = datetime(2026, 12, 3, 14, 53, tzinfo=UTC)  # DynamoDB Local's time: 14:53:00
    written = minute.timestamp() + 41.3  # made at 14:53:41.3, between two reads

    sent = lambda_record(
        stream_record(DYNAMODB_LOCAL_REGION, minute),
        STREAM_ARN,
        "eu-west-1",
        (written - 0.2, written + 0.05),
    )

    assert sent["dynamodb"]["ApproximateCreationDateTime"] == int(minute.timestamp()) + 41
    assert sent["awsRegion"] == "eu-west-1"  # not "ddblocal"


def test_dynamodb_locals_record_read_long_after_stays_in_its_minute() -> None:
    minute = datetime(2026, 12, 3, 14, 53, tzinfo=UTC)
    an_hour_later = minute.timestamp() + 3600

    sent = lambda_record(
        stream_record(DYNAMODB_LOCAL_REGION, minute),
        STREAM_ARN,
        "us-east-1",
        (an_hour_later, an_hour_later),
    )

    assert sent["dynamodb"]["ApproximateCreationDateTime"] == int(minute.timestamp()) + 59


def test_other_records_keep_their_own_time() -> None:
    created = datetime(2026, 12, 3, 14, 53, 48, 900000, tzinfo=UTC)

    sent = lambda_record(stream_record("us-east-1", created), STREAM_ARN, "us-east-1", (0, 1e10))

    assert sent["dynamodb"]["ApproximateCreationDateTime"] == int(created.timestamp())


# --- windows ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("created", "size", "window"),
    [
        ("2026-12-03T14:53:48Z", 60, ("2026-12-03T14:53:00Z", "2026-12-03T14:54:00Z")),
        ("2026-12-03T14:53:00Z", 60, ("2026-12-03T14:53:00Z", "2026-12-03T14:54:00Z")),
        ("2026-12-03T14:53:59Z", 60, ("2026-12-03T14:53:00Z", "2026-12-03T14:54:00Z")),
        ("2026-12-03T14:53:49Z", 2, ("2026-12-03T14:53:48Z", "2026-12-03T14:53:50Z")),
        ("2026-12-03T17:04:10Z", 300, ("2026-12-03T17:00:00Z", "2026-12-03T17:05:00Z")),
        ("2026-12-03T23:59:59Z", 900, ("2026-12-03T23:45:00Z", "2026-12-04T00:00:00Z")),
    ],
)
def test_windows_are_aligned_to_the_clock(created: str, size: int, window: tuple[str, str]) -> None:
    moment = int(datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())

    start, end = window_of(moment, size)

    assert (window_timestamp(start), window_timestamp(end)) == window
    assert start <= moment < end
