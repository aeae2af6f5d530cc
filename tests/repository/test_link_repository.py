"""DynamoDBLinkRepository against moto and DynamoDB Local, on a table built from template.yaml."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import LinkGone, LinkNotFound, NotAuthorized, ShortIdTaken
from domain.links import Link

CREATED = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)
LATER = CREATED + timedelta(hours=1)
TOKEN_HASH = "a" * 64
OTHER_HASH = "b" * 64


def stored_item(dynamodb, table_name, short_id):
    key = {"PK": {"S": f"LINK#{short_id}"}, "SK": {"S": "META"}}
    return dynamodb.get_item(TableName=table_name, Key=key, ConsistentRead=True).get("Item")


def managed(**fields) -> Link:
    """A link with a management token, as every link created today is."""
    defaults = {"url": "https://example.com/", "management_token_hash": TOKEN_HASH}
    return Link("7cp2Xhz", created_at=CREATED, **{**defaults, **fields})


# --- add -------------------------------------------------------------------------------


def test_a_new_link_is_stored_in_the_single_table_layout(repository, dynamodb, table_name):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))

    assert stored_item(dynamodb, table_name, "7cp2Xhz") == {
        "PK": {"S": "LINK#7cp2Xhz"},
        "SK": {"S": "META"},
        "url": {"S": "https://example.com/"},
        "createdAt": {"S": "2026-11-21T16:42:35.123Z"},
        "clicks": {"N": "0"},
    }


def test_an_expiring_link_never_carries_a_ttl_so_its_id_is_never_freed(
    repository, dynamodb, table_name
):
    repository.add(managed(expires_at=LATER))
    repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, expires_at=LATER + timedelta(1))

    item = stored_item(dynamodb, table_name, "7cp2Xhz")
    assert item["expiresAt"] == {"S": "2026-11-22T17:42:35.123Z"}
    assert "ttl" not in item
    assert item["tokenHash"] == {"S": TOKEN_HASH}


def test_a_change_drops_the_ttl_a_link_was_once_given(repository, dynamodb, table_name):
    repository.add(managed(expires_at=LATER))
    # As links were stored before: the table's TTL 30 days after the expiry.
    dynamodb.update_item(
        TableName=table_name,
        Key={"PK": {"S": "LINK#7cp2Xhz"}, "SK": {"S": "META"}},
        UpdateExpression="SET #ttl = :ttl",
        ExpressionAttributeNames={"#ttl": "ttl"},
        ExpressionAttributeValues={":ttl": {"N": "1800000000"}},
    )

    repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, url="https://example.org/")

    assert "ttl" not in stored_item(dynamodb, table_name, "7cp2Xhz")


def test_adding_an_existing_id_raises_and_keeps_the_first_link(repository):
    first = managed()
    repository.add(first)

    with pytest.raises(ShortIdTaken):
        repository.add(
            Link("7cp2Xhz", "https://second.example/", CREATED, management_token_hash=OTHER_HASH)
        )

    assert repository.get("7cp2Xhz") == first


def test_a_tombstone_keeps_its_id_from_being_reused(repository):
    repository.add(managed())
    repository.bury("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    with pytest.raises(ShortIdTaken):
        repository.add(managed(management_token_hash=OTHER_HASH))


def test_a_link_reads_back_as_it_was_stored(repository):
    link = Link("7cp2Xhz", "https://example.com/x?y=1#z", CREATED, expires_at=LATER)
    repository.add(link)

    assert repository.get("7cp2Xhz") == link


def test_get_of_an_unknown_id_raises_not_found(repository):
    with pytest.raises(LinkNotFound):
        repository.get("nope123")


# --- record_click --------------------------------------------------------------------


def test_record_click_counts_atomically_and_returns_the_updated_link(repository):
    repository.add(Link("7cp2Xhz", "https://example.com/", CREATED))
    first_click = CREATED + timedelta(seconds=1)
    second_click = CREATED + timedelta(seconds=2)

    repository.record_click("7cp2Xhz", at=first_click)
    link = repository.record_click("7cp2Xhz", at=second_click)

    assert link.clicks == 2
    assert link.last_clicked_at == second_click
    assert link.url == "https://example.com/"
    assert repository.get("7cp2Xhz").clicks == 2


def test_record_click_on_an_unknown_id_creates_nothing(repository, dynamodb, table_name):
    with pytest.raises(LinkNotFound):
        repository.record_click("nope123", at=CREATED)

    assert dynamodb.scan(TableName=table_name)["Count"] == 0


def test_an_expired_link_is_gone_and_its_click_is_not_counted(repository):
    repository.add(managed(expires_at=LATER))

    with pytest.raises(LinkGone, match="expired"):
        repository.record_click("7cp2Xhz", at=LATER)

    assert repository.get("7cp2Xhz").clicks == 0


def test_a_deleted_link_is_gone_and_its_click_is_not_counted(repository):
    repository.add(managed())
    repository.bury("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    with pytest.raises(LinkGone, match="deleted"):
        repository.record_click("7cp2Xhz", at=LATER + timedelta(seconds=1))

    assert repository.get("7cp2Xhz").clicks == 0


# --- update and bury -------------------------------------------------------------------


def test_update_changes_only_what_is_given(repository):
    repository.add(managed(expires_at=LATER))

    changed = repository.update(
        "7cp2Xhz", expected_token_hash=TOKEN_HASH, url="https://example.org/new"
    )

    assert changed == replace(managed(expires_at=LATER), url="https://example.org/new")
    assert repository.get("7cp2Xhz") == changed


def test_an_update_that_changes_nothing_is_accepted_and_keeps_the_link(repository):
    # Found by schemathesis on DynamoDB Local: with no attribute name in the expression,
    # an empty ExpressionAttributeNames was sent, which DynamoDB refuses (moto did not).
    repository.add(managed(expires_at=LATER))

    assert repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH) == managed(expires_at=LATER)


def test_update_can_remove_the_expiry_and_its_ttl(repository, dynamodb, table_name):
    repository.add(managed(expires_at=LATER))

    changed = repository.update("7cp2Xhz", expected_token_hash=TOKEN_HASH, remove_expiry=True)

    assert changed.expires_at is None
    assert "ttl" not in stored_item(dynamodb, table_name, "7cp2Xhz")


def test_update_with_another_token_is_refused_and_changes_nothing(repository):
    repository.add(managed())

    with pytest.raises(NotAuthorized):
        repository.update("7cp2Xhz", expected_token_hash=OTHER_HASH, url="https://evil.example/")

    assert repository.get("7cp2Xhz") == managed()


def test_update_of_an_unknown_id_creates_nothing(repository, dynamodb, table_name):
    with pytest.raises(LinkNotFound):
        repository.update("nope123", expected_token_hash=TOKEN_HASH, url="https://example.org/")

    assert dynamodb.scan(TableName=table_name)["Count"] == 0


def test_bury_leaves_a_tombstone_with_nothing_but_its_id_and_dates(
    repository, dynamodb, table_name
):
    repository.add(managed(expires_at=LATER))

    repository.bury("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER)

    item = stored_item(dynamodb, table_name, "7cp2Xhz")
    assert set(item) == {"PK", "SK", "createdAt", "clicks", "deletedAt"}
    with pytest.raises(LinkGone, match="deleted"):
        repository.bury("7cp2Xhz", expected_token_hash=TOKEN_HASH, at=LATER + timedelta(seconds=1))


def test_bury_with_another_token_is_refused_and_keeps_the_link(repository):
    repository.add(managed())

    with pytest.raises(NotAuthorized):
        repository.bury("7cp2Xhz", expected_token_hash=OTHER_HASH, at=LATER)

    assert repository.get("7cp2Xhz").deleted_at is None
