"""Local tables are made from the template's table definitions, once, with TTL on."""

from __future__ import annotations

from collections.abc import Iterator
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
