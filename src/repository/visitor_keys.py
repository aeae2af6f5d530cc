"""The day's visitor key: one random secret per UTC day, shared by every execution
environment of the redirect, forgotten when the day is over.

Kept in the table (PK `VISITORKEY`, SK the day) because every environment must hash a
visitor the same way for the day's count to be right, and a secret derived from a
long-lived one would let whoever holds that recompute any past day's digests. Each
environment asks once a day, on its first counted click of the day: one UpdateItem that
makes the key if nobody has yet (`if_not_exists`, so racing environments agree on the
first one written) and returns the key either way. That is the one DynamoDB request a
redirect makes besides its click, once per environment and day.

Forgetting: ClickStatsFunction runs on a schedule a few minutes after every UTC midnight
and deletes every key of a day before the new one (`forget_before`); each key also
carries the table's TTL, one hour past its day, should that run fail. Environments drop
an old day's key from memory when the day changes.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from repository.keys import TTL_ATTRIBUTE, VISITOR_KEY_PARTITION, visitor_key_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

KEY_BYTES = 32
_GRACE = timedelta(hours=1)  # past its day: clicks in flight at midnight still find it


class DynamoDBVisitorKeys:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name
        self._day: date | None = None
        self._key = b""

    def key_for(self, day: date) -> bytes:
        if day != self._day:
            self._key = self._fetch(day)
            self._day = day  # and the previous day's key is gone from memory
        return self._key

    @raises_storage_unavailable("reading the day's visitor key")
    def _fetch(self, day: date) -> bytes:
        mine = secrets.token_bytes(KEY_BYTES)
        expires = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC) + _GRACE
        response = self._client.update_item(
            TableName=self._table,
            Key=visitor_key_key(day),
            UpdateExpression="SET secret = if_not_exists(secret, :mine), "
            "#ttl = if_not_exists(#ttl, :expires)",
            ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
            ExpressionAttributeValues={
                ":mine": {"B": mine},
                ":expires": {"N": str(int(expires.timestamp()))},
            },
            ReturnValues="ALL_NEW",
        )
        key: bytes = response["Attributes"]["secret"]["B"]
        return key

    @raises_storage_unavailable("deleting past visitor keys")
    def forget_before(self, day: date) -> int:
        """Delete the key of every day before `day`; return how many there were."""
        pages = self._client.get_paginator("query").paginate(
            TableName=self._table,
            KeyConditionExpression="PK = :pk AND SK < :day",
            ExpressionAttributeValues={
                ":pk": {"S": VISITOR_KEY_PARTITION},
                ":day": {"S": day.isoformat()},
            },
            ProjectionExpression="PK, SK",
        )
        forgotten = 0
        for item in (item for page in pages for item in page.get("Items", [])):
            self._client.delete_item(
                TableName=self._table, Key={"PK": item["PK"], "SK": item["SK"]}
            )
            forgotten += 1
        return forgotten
