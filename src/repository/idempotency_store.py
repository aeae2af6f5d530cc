"""Where Powertools keeps idempotency records: the links table, under their own prefix."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer

from repository.keys import IDEMPOTENCY_PARTITION, TTL_ATTRIBUTE

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient


def idempotency_store(client: DynamoDBClient, table_name: str) -> DynamoDBPersistenceLayer:
    # One static partition for every record: creations are throttled far below the
    # 1,000 writes/s a partition takes. Records expire through the table's own TTL.
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=IDEMPOTENCY_PARTITION,
        expiry_attr=TTL_ATTRIBUTE,
        boto3_client=client,
    )
