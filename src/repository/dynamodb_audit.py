"""The audit trail in the single table: PK `AUDIT`, SK `<at>#<entryId>` (repository/keys.py).

Attributes: `at`, `actorId`, `actorName`, `action`, `target`, and `before`/`after` as
JSON text (absent when None). No TTL: entries stay. One partition holds them all,
which lists them newest first with one Query; admin actions are rare (a partition
takes 1,000 writes a second).

`audit_put_request` is how any action records itself: its TransactWriteItems item goes
into the action's own transaction, so the entry and the action land together or not at
all. The operator's bootstrap (make admin-key) uses it with the key it stores.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.audit import Actor, AuditEntry
from domain.links import rfc3339
from domain.pages import Page
from repository.cursors import decode_cursor, encode_cursor
from repository.keys import AUDIT_PARTITION, audit_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_KEY_NAMES = ("PK", "SK")


def audit_put_request(table_name: str, entry: AuditEntry) -> dict[str, Any]:
    """The TransactWriteItems item that records `entry`: put it in the same
    transaction as the action it records. Never overwrites an entry."""
    return {
        "Put": {
            "TableName": table_name,
            "Item": audit_to_item(entry),
            "ConditionExpression": "attribute_not_exists(PK)",
        }
    }


class DynamoDBAudit:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def put_request(self, entry: AuditEntry) -> dict[str, Any]:
        return audit_put_request(self._table, entry)

    @raises_storage_unavailable("listing the audit trail")
    def list(self, limit: int, cursor: str | None = None) -> Page[AuditEntry]:
        """Entries newest first, `limit` to a page."""
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :audit",
            "ExpressionAttributeValues": {":audit": {"S": AUDIT_PARTITION}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, _KEY_NAMES, partition=("PK", AUDIT_PARTITION)
            )
        response = self._client.query(**request)
        last = response.get("LastEvaluatedKey")
        return Page(
            [audit_from_item(item) for item in response.get("Items", [])],
            encode_cursor(last, _KEY_NAMES) if last else None,
        )


def audit_to_item(entry: AuditEntry) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **audit_key(entry.at, entry.entry_id),
        "at": {"S": rfc3339(entry.at)},
        "actorId": {"S": entry.actor.actor_id},
        "actorName": {"S": entry.actor.name},
        "action": {"S": entry.action},
        "target": {"S": entry.target},
    }
    for name, snapshot in (("before", entry.before), ("after", entry.after)):
        if snapshot is not None:
            item[name] = {"S": json.dumps(snapshot, sort_keys=True, separators=(",", ":"))}
    return item


def audit_from_item(item: Mapping[str, AttributeValueTypeDef]) -> AuditEntry:
    return AuditEntry(
        entry_id=item["SK"]["S"].rpartition("#")[2],
        at=datetime.fromisoformat(item["at"]["S"]),
        actor=Actor(actor_id=item["actorId"]["S"], name=item["actorName"]["S"]),
        action=item["action"]["S"],
        target=item["target"]["S"],
        before=json.loads(item["before"]["S"]) if "before" in item else None,
        after=json.loads(item["after"]["S"]) if "after" in item else None,
    )
