"""`make dev`'s admin key: made once and kept in a file only its owner reads, put back
into a table that is new each start, replaced when revoked; and through the real stack,
printed on every start and accepted by the real functions."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from deploy.key_store import store_new_key
from devserver import local_admin_key
from devserver.dynamodb_tables import ensure_table
from devserver.local_admin_key import ensure_local_admin_key
from domain.api_keys import ApiKeyCache, Scope, parse_api_key
from repository.dynamodb_api_keys import DynamoDBApiKeys
from tests.dynamodb_servers import LINKS_TABLE
from tests.e2e.conftest import start_local_stack, stop

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
KEY = re.compile(r"usk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}")


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    with mock_aws():
        yield boto3.client("dynamodb")


def new_table(client: Any, name: str) -> str:
    ensure_table(
        client,
        replace(
            LINKS_TABLE,
            create_table_arguments={**LINKS_TABLE.create_table_arguments, "TableName": name},
        ),
    )
    return name


def partition(client: Any, table: str, key: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.query(
        TableName=table,
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": key}},
    )["Items"]
    return items


def works(client: Any, table: str, key: str) -> bool:
    checked = ApiKeyCache(DynamoDBApiKeys(client, table).get).authenticate(key, NOW)
    return checked.scopes == {Scope.ADMIN, Scope.LINKS_READ, Scope.LINKS_WRITE}


def test_the_first_start_makes_a_key_only_its_owner_can_read(client, tmp_path: Path) -> None:
    table, key_file = new_table(client, "links"), tmp_path / ".local" / "admin-key"

    key = ensure_local_admin_key(client, table, key_file, NOW)

    assert KEY.fullmatch(key)
    assert key_file.read_text() == key + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert works(client, table, key)
    [entry] = partition(client, table, "AUDIT")
    assert (entry["actorName"], entry["action"]) == ({"S": "make dev"}, {"S": "key.create"})
    assert key.rpartition("_")[2] not in str(client.scan(TableName=table)["Items"])
    assert [path.name for path in key_file.parent.iterdir()] == ["admin-key"]  # no drafts


def test_later_starts_keep_the_key_and_put_it_back_in_a_new_table(client, tmp_path) -> None:
    key_file = tmp_path / "admin-key"
    key = ensure_local_admin_key(client, new_table(client, "first"), key_file, NOW)

    assert ensure_local_admin_key(client, "first", key_file, NOW) == key
    assert len(partition(client, "first", "AUDIT")) == 1  # nothing new to record
    # moto forgets everything between runs: the same key, its record made again.
    assert ensure_local_admin_key(client, new_table(client, "second"), key_file, NOW) == key
    assert works(client, "second", key)
    assert key_file.read_text() == key + "\n"


def test_a_revoked_key_is_replaced(client, tmp_path) -> None:
    table, key_file = new_table(client, "links"), tmp_path / "admin-key"
    old = ensure_local_admin_key(client, table, key_file, NOW)
    key_id, _ = parse_api_key(old)
    client.update_item(
        TableName=table,
        Key={"PK": {"S": "APIKEYS"}, "SK": {"S": key_id}},
        UpdateExpression="SET revokedAt = :now",
        ExpressionAttributeValues={":now": {"S": "2026-12-03T12:00:00.000Z"}},
    )

    new = ensure_local_admin_key(client, table, key_file, NOW)

    assert new != old
    assert key_file.read_text() == new + "\n"
    assert works(client, table, new)


@pytest.mark.parametrize("content", ["", "not a key\n", "usk_0123456789abcdef_short\n"])
def test_a_file_without_a_key_is_replaced(client, tmp_path, content: str) -> None:
    table, key_file = new_table(client, "links"), tmp_path / "admin-key"
    key_file.write_text(content)
    key_file.chmod(0o644)

    key = ensure_local_admin_key(client, table, key_file, NOW)

    assert key_file.read_text() == key + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert works(client, table, key)


def test_a_readable_file_is_made_private(client, tmp_path) -> None:
    table, key_file = new_table(client, "links"), tmp_path / "admin-key"
    key = ensure_local_admin_key(client, table, key_file, NOW)
    key_file.chmod(0o644)

    assert ensure_local_admin_key(client, table, key_file, NOW) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_two_devservers_starting_at_once_share_the_first_key(
    client, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other devserver writes the file between this one's look and its write: this
    one then uses that key, in its own table too, and leaves the file alone."""
    key_file = tmp_path / "admin-key"
    theirs = ensure_local_admin_key(client, new_table(client, "theirs"), tmp_path / "t", NOW)
    issue_ours = store_new_key

    def racing(*arguments: Any, **keywords: Any) -> Any:
        issued = issue_ours(*arguments, **keywords)
        key_file.write_text(theirs + "\n")  # the other devserver, just before us
        key_file.chmod(0o600)
        return issued

    monkeypatch.setattr(local_admin_key, "store_new_key", racing)

    key = ensure_local_admin_key(client, new_table(client, "ours"), key_file, NOW)

    assert key == theirs
    assert key_file.read_text() == theirs + "\n"
    assert works(client, "ours", theirs)


@pytest.mark.slow
def test_make_dev_prints_the_same_working_key_on_every_start(tmp_path: Path) -> None:
    """The real stack on moto, started twice (each start a new, empty table): the key
    printed both times is the file's, and the real functions accept it (its scope
    links:write creates a link; the same key with another secret is refused)."""
    key_file = tmp_path / "local" / "admin-key"
    printed = []
    for run in range(2):
        process, stack = start_local_stack(
            "moto", tmp_path / f"data-{run}", arguments=("--admin-key-file", str(key_file))
        )
        try:
            [line] = [line for line in stack.output if line.startswith("Admin API key: ")]
            key = line.removeprefix("Admin API key: ")
            link = {"url": "https://example.com/"}
            made = stack.shorten(link, Authorization=f"Bearer {key}")
            assert made.status == 201, made.body
            refused = stack.shorten(link, Authorization=f"Bearer {key[:-1]}x")
            assert refused.status == 401, refused.body
        finally:
            stop(process)
        printed.append(key)

    assert printed[0] == printed[1]
    assert KEY.fullmatch(printed[0])
    assert key_file.read_text() == printed[0] + "\n"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
