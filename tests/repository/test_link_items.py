"""What DynamoDBLinkRepository writes: the single-table item of a link, and no TTL ever.

These read DynamoDB's items directly, so they run on moto and DynamoDB Local only; what
any LinkRepository must do is in test_link_repository.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import LinkNotFound
from domain.links import Link
from tests.repository.test_link_repository import CREATED, LATER, TOKEN_HASH, managed

pytestmark = pytest.mark.dynamodb_only


def stored_item(dynamodb, table_name, short_id):
    key = {"PK": {"S": f"LINK#{short_id}"}, "SK": {"S": "META"}}
    return dynamodb.get_item(TableName=table_name, Key=key, ConsistentRead=True).get("Item")


def test_a_new_link_is_stored_in_the_single_table_layout(repository, dynamodb, table_name):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))

    assert stored_item(dynamodb, table_name, "7cp2Xhz") == {
        "PK": {"S": "LINK#7cp2Xhz"},
        "SK": {"S": "META"},
        "url": {"S": "https://example.com/"},
        "createdAt": {"S": "2026-11-21T16:42:35.123Z"},
        "clicks": {"N": "0"},
        # For the listings (repository/keys.py, ListIndex): every link is in the
        # operators', newest first, with its target's host.
        "host": {"S": "example.com"},
        "listed": {"S": "LINK"},
        "created": {"S": "2026-11-21T16:42:35.123Z#7cp2Xhz"},
    }


def test_an_owned_link_is_stored_with_its_labels_and_its_entry_in_its_owners_listing(
    repository, dynamodb, table_name
):
    owned = Link(
        "7cp2Xhz",
        "https://example.com/",
        CREATED,
        owner="team-a",
        title="Launch",
        tags=("q4", "launch"),
        creator_class="api-key",
    )
    repository.add(owned)

    item = stored_item(dynamodb, table_name, "7cp2Xhz")
    assert {name: item[name] for name in ("owner", "title", "tags", "creator")} == {
        "owner": {"S": "team-a"},
        "title": {"S": "Launch"},
        "tags": {"L": [{"S": "q4"}, {"S": "launch"}]},
        "creator": {"S": "api-key"},
    }
    entry = dynamodb.get_item(
        TableName=table_name, Key={"PK": {"S": "OWNS#7cp2Xhz"}, "SK": {"S": "META"}}
    )["Item"]
    assert entry == {
        "PK": {"S": "OWNS#7cp2Xhz"},
        "SK": {"S": "META"},
        "listed": {"S": "OWNER#team-a"},
        "created": {"S": "2026-11-21T16:42:35.123Z#7cp2Xhz"},
    }
    assert repository.get("7cp2Xhz") == owned


def test_an_expiring_link_never_carries_a_ttl_so_its_id_is_never_freed(
    repository, dynamodb, table_name
):
    repository.add(managed(expires_at=LATER))
    repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, expires_at=LATER + timedelta(1))

    item = stored_item(dynamodb, table_name, "7cp2Xhz")
    assert item["expiresAt"] == {"S": "2026-11-22T17:42:35.123Z"}
    assert "ttl" not in item
    assert item["tokenHash"] == {"S": TOKEN_HASH}


@pytest.mark.parametrize(
    "change",
    [{"url": "https://example.org/"}, {"remove_expiry": True}],
    ids=["new-target", "no-expiry"],
)
def test_a_change_drops_the_ttl_a_link_was_once_given(repository, dynamodb, table_name, change):
    repository.add(managed(expires_at=LATER))
    # As links were stored before: the table's TTL 30 days after the expiry.
    dynamodb.update_item(
        TableName=table_name,
        Key={"PK": {"S": "LINK#7cp2Xhz"}, "SK": {"S": "META"}},
        UpdateExpression="SET #ttl = :ttl",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":ttl": {"N": "1800000000"}},
    )

    repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, **change)

    assert "ttl" not in stored_item(dynamodb, table_name, "7cp2Xhz")


def test_a_tombstone_item_holds_its_key_its_counts_and_its_dates_alone(
    repository, dynamodb, table_name
):
    repository.add(managed(expires_at=LATER))
    repository.record_click("7cp2Xhz", at=CREATED + timedelta(seconds=1))

    repository.replace_with_tombstone("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    item = stored_item(dynamodb, table_name, "7cp2Xhz")
    # And how often its owner changed it (the delete too): a click shard is only ever
    # copied from the link as it is (repository/dynamodb_links.py, spread_clicks).
    # Its place in the operators' listing stays; its target's host goes with the target.
    assert set(item) == {
        "PK", "SK", "createdAt", "clicks", "lastClickedAt", "deletedAt", "changes",
        "listed", "created",
    }  # fmt: skip


CALLS_ON_AN_UNKNOWN_ID = {
    "record_click": lambda repository: repository.record_click("nope123", at=CREATED),
    "update": lambda repository: repository.update(
        "nope123", expected_token_hash=TOKEN_HASH, url="https://example.org/"
    ),
    "replace_with_tombstone": lambda repository: repository.replace_with_tombstone(
        "nope123", expected_token_hash=TOKEN_HASH, at=LATER
    ),
}


@pytest.mark.parametrize("call", sorted(CALLS_ON_AN_UNKNOWN_ID))
def test_a_call_on_an_unknown_id_writes_no_item_at_all(repository, dynamodb, table_name, call):
    # Each is an UpdateItem: without its condition it would create an item under any key.
    with pytest.raises(LinkNotFound):
        CALLS_ON_AN_UNKNOWN_ID[call](repository)

    assert dynamodb.scan(TableName=table_name)["Count"] == 0
