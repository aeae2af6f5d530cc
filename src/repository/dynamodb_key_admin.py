"""API keys as an admin changes them: each change with its audit entry, in one transaction.

The keys' items are repository/dynamodb_api_keys.py's; this adds the admin's writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.api_keys import ApiKey
from domain.audit import AuditEntry
from domain.links import rfc3339
from repository.dynamodb_api_keys import ApiKeyExists, DynamoDBApiKeys, key_from_item
from repository.dynamodb_audit import audit_put_request
from repository.keys import api_key_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoDBKeyAdmin:
    def __init__(self, client: DynamoDBClient, table_name: str, keys: DynamoDBApiKeys) -> None:
        self._client = client
        self._table = table_name
        self._keys = keys

    @raises_storage_unavailable("reading an API key")
    def get(self, key_id: str) -> ApiKey | None:
        # Strongly consistent: a key just issued or revoked must read back as it is now.
        response = self._client.get_item(
            TableName=self._table, Key=api_key_key(key_id), ConsistentRead=True
        )
        if "Item" not in response:
            return None
        return key_from_item(response["Item"])

    def every_key(self) -> list[ApiKey]:
        return self._keys.list()

    @raises_storage_unavailable("storing an API key")
    def add(self, key: ApiKey, audit: AuditEntry) -> None:
        if not self._transact([self._keys.put_request(key), audit_put_request(self._table, audit)]):
            raise ApiKeyExists(key.key_id)

    @raises_storage_unavailable("revoking an API key")
    def revoke(self, key: ApiKey, at: datetime, audit: AuditEntry) -> bool:
        revoke = {
            "Update": {
                "TableName": self._table,
                "Key": api_key_key(key.key_id),
                "UpdateExpression": "SET revokedAt = :at",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(revokedAt)",
                "ExpressionAttributeValues": {":at": {"S": rfc3339(at)}},
            }
        }
        return self._transact([revoke, audit_put_request(self._table, audit)])

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        """Run the transaction; False if the key's condition (its first item) failed."""
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True
