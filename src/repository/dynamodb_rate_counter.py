"""DynamoDBCreationCounter: the domain's CreationCounter on the single table."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from repository.keys import rate_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

# Counters outlive their window a little, so clock skew between containers cannot
# have one container start a window another has already deleted.
_GRACE = timedelta(minutes=5)


class DynamoDBCreationCounter:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # Not idempotent: a retry after a lost answer counts twice. That errs towards
    # refusing early, the safe side for a rate limit, and only in a failure.
    @raises_storage_unavailable("counting a creation")
    def count_creation(self, client: str, window_start: datetime, window_end: datetime) -> int:
        # One atomic write: ADD creates the counter on a window's first creation, and
        # the TTL lets DynamoDB delete it afterwards, so counters cost nothing to clean.
        response = self._client.update_item(
            TableName=self._table,
            Key=rate_key(client, window_start),
            UpdateExpression="ADD creations :one SET #ttl = :ttl",
            ExpressionAttributeNames={"#ttl": "ttl"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":ttl": {"N": str(int((window_end + _GRACE).timestamp()))},
            },
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["creations"]["N"])
