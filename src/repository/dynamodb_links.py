"""DynamoDBLinkRepository: the domain's LinkRepository on the single table."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

from domain.errors import LinkNotFound, ShortIdTaken
from domain.links import Link, rfc3339
from repository.keys import link_key
from repository.link_items import link_from_item, link_to_item


class DynamoDBLinkRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, link: Link) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item=link_to_item(link),
                # The only guard against overwriting: an id that exists is never reused.
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            raise ShortIdTaken(link.short_id) from exc

    def get(self, short_id: str) -> Link:
        # Strongly consistent: "GET /links/<id>" right after creating it must find it.
        response = self._client.get_item(
            TableName=self._table, Key=link_key(short_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise LinkNotFound(short_id)
        return link_from_item(response["Item"])

    def record_click(self, short_id: str, at: datetime) -> Link:
        # One round trip counts the click and returns the target. The condition keeps
        # an unknown id from creating a stray item with nothing but a click count.
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=link_key(short_id),
                UpdateExpression="ADD clicks :one SET lastClickedAt = :at",
                ConditionExpression="attribute_exists(PK)",
                ExpressionAttributeValues={":one": {"N": "1"}, ":at": {"S": rfc3339(at)}},
                ReturnValues="ALL_NEW",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            raise LinkNotFound(short_id) from exc
        return link_from_item(response["Attributes"])
