"""Local tables are defined by the template's own tables: keys, billing, indexes, TTL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sam_template.document import load_template
from sam_template.intrinsics import LocalStack, Resolver
from sam_template.tables import tables_from_template

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


def test_a_table_with_a_stream_is_created_with_it(tmp_path: Path) -> None:
    path = tmp_path / "template.yaml"
    path.write_text(
        """
Resources:
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamViewType: NEW_IMAGE}
""",
        encoding="utf-8",
    )
    template = load_template(path)

    (links,) = tables_from_template(template, Resolver(template, LocalStack(region="us-east-1")))

    # CloudFormation's StreamSpecification has only the view type; CreateTable's says so.
    assert links.create_table_arguments["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_IMAGE",
    }
