"""Local tables are made from the template's own table definitions, once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from devserver.dynamodb_tables import ensure_table, tables_from_template
from sam_template.document import load_template
from sam_template.intrinsics import LocalStack, Resolver

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

TEMPLATE = """
Parameters:
  Stage: {Type: String, Default: dev}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  LinksTable:
    Type: AWS::DynamoDB::Table
    DeletionPolicy: Retain
    Properties:
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      BillingMode: PAY_PER_REQUEST
      SSESpecification: {SSEEnabled: true}
      PointInTimeRecoverySpecification: {PointInTimeRecoveryEnabled: true}
      DeletionProtectionEnabled: true
      TimeToLiveSpecification: {AttributeName: ttl, Enabled: true}
  NamedTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${Stage}-events"
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
        - {AttributeName: owner, AttributeType: S}
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
      GlobalSecondaryIndexes:
        - IndexName: by-owner
          KeySchema: [{AttributeName: owner, KeyType: HASH}]
          Projection: {ProjectionType: KEYS_ONLY}
          ContributorInsightsSpecification: {Enabled: true}
  ProdOnlyTable:
    Type: AWS::DynamoDB::Table
    Condition: IsProd
    Properties:
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
"""


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Any]:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE, encoding="utf-8")
    template = load_template(path)
    definitions = tables_from_template(template, Resolver(template, LocalStack(region="us-east-1")))
    return {table.logical_id: table for table in definitions}


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        yield boto3.client("dynamodb", region_name="us-east-1")


def test_definitions_keep_keys_billing_and_ttl_and_drop_service_only_settings(
    tables: dict[str, Any],
) -> None:
    links = tables["LinksTable"]

    assert links.create_table_arguments == {
        "TableName": "LinksTable",  # no TableName in the template: the logical id
        "AttributeDefinitions": [
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        "KeySchema": [
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
    }
    assert links.ttl_attribute == "ttl"


def test_provisioned_tables_and_indexes_keep_their_throughput(tables: dict[str, Any]) -> None:
    named = tables["NamedTable"].create_table_arguments

    assert named["TableName"] == "dev-events"
    assert named["BillingMode"] == "PROVISIONED"  # CloudFormation's default
    assert named["ProvisionedThroughput"] == {"ReadCapacityUnits": 2, "WriteCapacityUnits": 3}
    assert named["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-owner",
            "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        }
    ]


def test_tables_whose_condition_is_false_are_not_made(tables: dict[str, Any]) -> None:
    assert set(tables) == {"LinksTable", "NamedTable"}


def test_tables_are_created_as_defined_with_ttl_on(
    tables: dict[str, Any], client: DynamoDBClient
) -> None:
    assert ensure_table(client, tables["LinksTable"]) is True
    assert ensure_table(client, tables["NamedTable"]) is True

    links = client.describe_table(TableName="LinksTable")["Table"]
    assert links["KeySchema"] == tables["LinksTable"].create_table_arguments["KeySchema"]
    assert links["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    ttl = client.describe_time_to_live(TableName="LinksTable")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"}
    named = client.describe_table(TableName="dev-events")["Table"]
    assert [index["IndexName"] for index in named["GlobalSecondaryIndexes"]] == ["by-owner"]


def test_an_existing_table_and_its_items_are_kept(
    tables: dict[str, Any], client: DynamoDBClient
) -> None:
    ensure_table(client, tables["LinksTable"])
    item = {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    client.put_item(TableName="LinksTable", Item=item)

    created_again = ensure_table(client, tables["LinksTable"])

    assert created_again is False
    assert client.get_item(TableName="LinksTable", Key=item)["Item"] == item
