"""API keys in the single table: one item per key under PK `APIKEYS`, SK its id.

Attributes: `name`, `owner`, `scopes` (a list), `secretHash` (SHA-256 of the key's
secret: the key itself is never stored), `createdAt`, `lastUsedAt`, `revokedAt`. A
revoked key stays, so that its id is never reused and the audit can name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.api_keys import ApiKey, Scope
from domain.links import rfc3339
from repository.keys import API_KEY_PARTITION, api_key_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class ApiKeyExists(Exception):
    """A new key's id is taken (64 random bits: practically never); issue another."""


class DynamoDBApiKeys:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @raises_storage_unavailable("reading an API key")
    def get(self, key_id: str) -> ApiKey | None:
        # Eventually consistent: a key is trusted for a minute anyway (domain/api_keys.py).
        response = self._client.get_item(TableName=self._table, Key=api_key_key(key_id))
        return key_from_item(response["Item"]) if "Item" in response else None

    @raises_storage_unavailable("recording an API key's use")
    def touch(self, key_id: str, at: datetime) -> None:
        """Stamp the key's last use (at most hourly: domain/api_keys.py ApiKeyCache)."""
        try:
            self._client.update_item(
                TableName=self._table,
                Key=api_key_key(key_id),
                UpdateExpression="SET lastUsedAt = :at",
                # Never creates a key item, and never moves the stamp back.
                ConditionExpression="attribute_exists(PK) AND"
                " (attribute_not_exists(lastUsedAt) OR lastUsedAt < :at)",
                ExpressionAttributeValues={":at": {"S": rfc3339(at)}},
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return

    def put_request(self, key: ApiKey) -> dict[str, Any]:
        """The transaction item that stores a new key (with its audit entry, by the caller)."""
        return {
            "Put": {
                "TableName": self._table,
                "Item": key_to_item(key),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    @raises_storage_unavailable("storing an API key")
    def add(self, key: ApiKey) -> None:
        """Store a new key on its own (the operator's bootstrap: make admin-key)."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item=key_to_item(key),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            raise ApiKeyExists(key.key_id) from exc

    @raises_storage_unavailable("listing API keys")
    def list(self) -> list[ApiKey]:
        """Every key, revoked ones too, in order of id."""
        keys: list[ApiKey] = []
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :keys",
            "ExpressionAttributeValues": {":keys": {"S": API_KEY_PARTITION}},
        }
        while True:
            response = self._client.query(**request)
            keys += [key_from_item(item) for item in response.get("Items", [])]
            if "LastEvaluatedKey" not in response:
                return keys
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def key_to_item(key: ApiKey) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **api_key_key(key.key_id),
        "name": {"S": key.name},
        "owner": {"S": key.owner},
        "scopes": {"L": [{"S": scope.value} for scope in sorted(key.scopes)]},
        "secretHash": {"S": key.secret_hash},
        "createdAt": {"S": rfc3339(key.created_at)},
    }
    if key.last_used_at is not None:
        item["lastUsedAt"] = {"S": rfc3339(key.last_used_at)}
    if key.revoked_at is not None:
        item["revokedAt"] = {"S": rfc3339(key.revoked_at)}
    return item


def key_from_item(item: Mapping[str, AttributeValueTypeDef]) -> ApiKey:
    return ApiKey(
        key_id=item["SK"]["S"],
        name=item["name"]["S"],
        owner=item["owner"]["S"],
        scopes=frozenset(Scope(scope["S"]) for scope in item["scopes"]["L"]),
        created_at=datetime.fromisoformat(item["createdAt"]["S"]),
        secret_hash=item["secretHash"]["S"],
        last_used_at=_moment(item, "lastUsedAt"),
        revoked_at=_moment(item, "revokedAt"),
    )


def _moment(item: Mapping[str, AttributeValueTypeDef], name: str) -> datetime | None:
    return datetime.fromisoformat(item[name]["S"]) if name in item else None
