"""Local tables are made from the template's table definitions, once, with TTL on and the
template's stream."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from devserver.dynamodb_tables import ensure_table
from sam_template.tables import TableDefinition

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# As sam_template.tables defines them from a template (tests/sam_template/test_tables.py).
LINKS = TableDefinition(
    logical_id="LinksTable",
    create_table_arguments={
        "TableName": "LinksTable",
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    },
    ttl_attribute="ttl",
)
EVENTS = TableDefinition(
    logical_id="NamedTable",
    create_table_arguments={
        "TableName": "dev-events",
        "AttributeDefinitions": [
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "owner", "AttributeType": "S"},
        ],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PROVISIONED",
        "ProvisionedThroughput": {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3},
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-owner",
                "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            }
        ],
    },
)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


def test_tables_are_created_as_defined_with_ttl_on(client: DynamoDBClient) -> None:
    assert ensure_table(client, LINKS) is True
    assert ensure_table(client, EVENTS) is True

    links = client.describe_table(TableName="LinksTable")["Table"]
    assert links["KeySchema"] == LINKS.create_table_arguments["KeySchema"]
    assert links["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName="LinksTable")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    named = client.describe_table(TableName="dev-events")["Table"]
    assert [index["IndexName"] for index in named["GlobalSecondaryIndexes"]] == ["by-owner"]


def test_an_existing_table_and_its_items_are_kept(client: DynamoDBClient) -> None:
    ensure_table(client, LINKS)
    item = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    client.put_item(TableName="LinksTable", Item=item)

    created_again = ensure_table(client, LINKS)

    assert created_again is False
    assert client.get_item(TableName="LinksTable", Key=item)["Item"] == item


def with_stream(table: TableDefinition, view_type: str | None) -> TableDefinition:
    arguments = {
        key: value
        for key, value in table.create_table_arguments.items()
        if key != "StreamSpecification"
    }
    if view_type is not None:
        arguments["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view_type}
    return replace(table, create_table_arguments=arguments)


@pytest.fixture
def server_client(dynamodb_endpoint: str) -> DynamoDBClient:
    """A client of moto's server or DynamoDB Local, the second keeping tables on disk."""
    from tests.dynamodb_servers import admin_client

    return admin_client(dynamodb_endpoint)  # type: ignore[no-any-return]


def fresh(table: TableDefinition) -> TableDefinition:
    arguments = {**table.create_table_arguments, "TableName": f"links-{uuid.uuid4().hex[:12]}"}
    return replace(table, create_table_arguments=arguments)


def test_a_table_made_before_the_template_had_a_stream_gets_it(
    server_client: DynamoDBClient,
) -> None:
    # Given a table an earlier run made when the template declared no stream, with an item
    before = fresh(with_stream(LINKS, None))
    ensure_table(server_client, before)
    item = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    server_client.put_item(TableName=before.table_name, Item=item)

    # When the template now declares one
    created = ensure_table(server_client, with_stream(before, "NEW_IMAGE"))

    # Then the table is kept, items and all, and streams the template's view
    assert created is False
    described = server_client.describe_table(TableName=before.table_name)["Table"]
    assert described["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_IMAGE",
    }
    assert described["LatestStreamArn"]
    assert server_client.get_item(TableName=before.table_name, Key=item)["Item"] == item


def test_a_stream_of_another_view_is_replaced_and_the_same_one_kept(
    dynamodb_local_endpoint: str,
) -> None:
    # DynamoDB Local only: moto (5.2) refuses to enable a stream on a table that ever had
    # one ("Cannot enable stream"), where DynamoDB and DynamoDB Local make a new stream. A
    # moto table never outlives the devserver that made it, so never meets a changed view.
    from tests.dynamodb_servers import admin_client

    server_client: DynamoDBClient = admin_client(dynamodb_local_endpoint)
    old = fresh(with_stream(LINKS, "KEYS_ONLY"))
    ensure_table(server_client, old)
    old_arn = server_client.describe_table(TableName=old.table_name)["Table"]["LatestStreamArn"]

    ensure_table(server_client, with_stream(old, "NEW_IMAGE"))

    described = server_client.describe_table(TableName=old.table_name)["Table"]
    assert described["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"
    new_arn = described["LatestStreamArn"]
    assert new_arn != old_arn
    # And an unchanged template leaves the stream as it is
    ensure_table(server_client, with_stream(old, "NEW_IMAGE"))
    assert (
        server_client.describe_table(TableName=old.table_name)["Table"]["LatestStreamArn"]
        == new_arn
    )
