"""A viral link's click shards (domain/hot_links.py), on every backend: each shard counts
and answers like the link's own item, every owner's change reaches every shard before it
returns, and the link's total is its own clicks plus its shards'.

The redirect's single request per click is test_link_repository.py's; here, what
spreading changes.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, HTTPHeaders

from domain.errors import ItemThrottled, LinkGone, NotAuthorized
from domain.links import Link
from repository import dynamodb_links
from tests.dynamodb_faults import FAULTS

CREATED = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
NOW = CREATED + timedelta(minutes=5)
TOKEN_HASH = "a" * 64
SHARDS = 4


def stored(repository, **fields) -> Link:
    link = Link(
        "hot1234", "https://example.com/campaign", CREATED, management_token_hash=TOKEN_HASH
    )
    repository.add(replace(link, **fields))
    added: Link = repository.get("hot1234")
    return added


def spread(repository, **fields) -> Link:
    link = stored(repository, **fields)
    assert repository.spread_clicks(link, SHARDS) == SHARDS
    spread_link: Link = repository.get(link.short_id)
    return spread_link


def test_a_link_is_not_spread_until_asked_and_its_shards_do_not_exist(repository):
    link = stored(repository)

    assert link.shards == 0
    assert repository.record_shard_click(link.short_id, 1, at=NOW) is None
    assert repository.total_clicks(link) == 0


def test_each_shard_counts_its_own_clicks_and_the_total_adds_them_up(repository):
    link = spread(repository)
    repository.record_click(link.short_id, at=NOW)
    counted = [
        repository.record_shard_click(link.short_id, shard, at=NOW) for shard in (1, 2, 2, 4)
    ]

    assert [c.clicks for c in counted if c is not None] == [1, 1, 2, 1]
    assert {c.url for c in counted if c is not None} == {"https://example.com/campaign"}
    assert repository.record_shard_click(link.short_id, SHARDS + 1, at=NOW) is None
    main = repository.get(link.short_id)
    assert (main.clicks, main.shards) == (1, SHARDS)
    assert repository.total_clicks(main) == 5


def test_spreading_twice_keeps_the_first_shards_and_their_clicks(repository):
    link = spread(repository)
    repository.record_shard_click(link.short_id, 3, at=NOW)

    assert repository.spread_clicks(link, SHARDS * 2) == SHARDS
    assert repository.total_clicks(repository.get(link.short_id)) == 1


def test_a_link_changed_since_it_was_read_is_not_spread(repository):
    link = stored(repository)
    repository.update(link.short_id, expected_token_hash=TOKEN_HASH, url="https://example.org/")

    assert repository.spread_clicks(link, SHARDS) == 0
    assert repository.get(link.short_id).shards == 0
    assert repository.record_shard_click(link.short_id, 1, at=NOW) is None


def test_a_change_of_target_reaches_every_shard_before_it_returns(repository):
    link = spread(repository)

    changed = repository.update(
        link.short_id, expected_token_hash=TOKEN_HASH, url="https://example.org/new"
    )

    assert changed.url == "https://example.org/new"
    for shard in range(1, SHARDS + 1):
        counted = repository.record_shard_click(link.short_id, shard, at=NOW)
        assert counted is not None
        assert counted.url == "https://example.org/new"


def test_an_expiry_set_or_removed_reaches_every_shard(repository):
    link = spread(repository)
    repository.update(link.short_id, expected_token_hash=TOKEN_HASH, expires_at=NOW)

    for shard in range(1, SHARDS + 1):
        with pytest.raises(LinkGone, match="expired"):
            repository.record_shard_click(link.short_id, shard, at=NOW)

    repository.update(link.short_id, expected_token_hash=TOKEN_HASH, remove_expiry=True)
    assert repository.record_shard_click(link.short_id, 2, at=NOW) is not None


def test_a_deleted_links_shards_stop_counting(repository):
    link = spread(repository)
    repository.record_shard_click(link.short_id, 1, at=NOW)

    repository.replace_with_tombstone(link.short_id, expected_token_hash=TOKEN_HASH, at=NOW)

    for shard in range(1, SHARDS + 1):
        with pytest.raises(LinkGone, match="deleted"):
            repository.record_shard_click(link.short_id, shard, at=NOW)
    tombstone = repository.get(link.short_id)
    assert tombstone.url == ""
    assert repository.total_clicks(tombstone) == 1
    # The same delete again (a lost answer) is still the same delete.
    repository.replace_with_tombstone(link.short_id, expected_token_hash=TOKEN_HASH, at=NOW)


def test_another_token_changes_no_shard(repository):
    link = spread(repository)

    with pytest.raises(NotAuthorized):
        repository.update(link.short_id, expected_token_hash="b" * 64, url="https://evil.example/")
    with pytest.raises(NotAuthorized):
        repository.replace_with_tombstone(link.short_id, expected_token_hash="b" * 64, at=NOW)

    counted = repository.record_shard_click(link.short_id, 1, at=NOW)
    assert counted is not None
    assert counted.url == "https://example.com/campaign"


@pytest.mark.dynamodb_only
@pytest.mark.parametrize("fault", ["throttled", "throttled-by-the-account"])
def test_a_click_dynamodb_throttles_is_item_throttled_and_counts_nothing(fault, repository, faults):
    link = stored(repository)
    faults.fail(("UpdateItem", "LINK#"), FAULTS[fault])

    with pytest.raises(ItemThrottled):
        repository.record_click(link.short_id, at=NOW)
    assert repository.get(link.short_id).clicks == 0


@pytest.mark.dynamodb_only
def test_the_shards_are_items_of_their_own_with_a_copy_of_the_target(
    repository, dynamodb, table_name
):
    link = spread(repository, expires_at=NOW + timedelta(days=1))

    items = dynamodb.scan(TableName=table_name)["Items"]
    shards = sorted(
        (i for i in items if i["PK"]["S"].startswith("SHARD#")), key=lambda i: i["PK"]["S"]
    )

    assert [i["PK"]["S"] for i in shards] == [f"SHARD#{link.short_id}#{k}" for k in range(1, 5)]
    assert all(i["url"]["S"] == link.url and "tokenHash" not in i for i in shards)
    assert all(i["expiresAt"] == {"S": "2026-12-04T12:05:00.000Z"} for i in shards)


def _cancelled_for_throttling(request: AWSPreparedRequest) -> AWSResponse:
    """What DynamoDB answers a transaction whose item is written past its limit."""
    body = json.dumps(
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "message": "Transaction cancelled, please refer cancellation reasons for specific"
            " reasons [ThrottlingError, None]",
            "CancellationReasons": [{"Code": "ThrottlingError"}, {"Code": "None"}],
        }
    ).encode()
    headers = HTTPHeaders()
    headers["Content-Type"] = "application/x-amz-json-1.0"
    return AWSResponse(request.url, 400, headers, _Body(body))


class _Body(io.BytesIO):
    def stream(self, **_: object) -> Iterator[bytes]:
        yield self.getvalue()


@pytest.mark.dynamodb_only
def test_spreading_a_throttled_link_is_tried_again_shortly(repository, faults, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(dynamodb_links, "time", SimpleNamespace(sleep=waits.append))
    link = stored(repository)
    faults.fail(("TransactWriteItems", ""), _cancelled_for_throttling, times=2)

    assert repository.spread_clicks(link, SHARDS) == SHARDS
    assert faults.attempts_at(("TransactWriteItems", "")) == 3
    assert len(waits) == 2
    assert all(0 < wait <= 0.2 for wait in waits)


@pytest.mark.dynamodb_only
def test_a_link_throttled_through_every_try_is_not_spread(repository, faults, monkeypatch):
    monkeypatch.setattr(dynamodb_links, "time", SimpleNamespace(sleep=lambda _: None))
    link = stored(repository)
    faults.fail(("TransactWriteItems", ""), _cancelled_for_throttling)

    with pytest.raises(ItemThrottled):
        repository.spread_clicks(link, SHARDS)
    assert repository.get(link.short_id).shards == 0
