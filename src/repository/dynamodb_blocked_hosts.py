"""Blocked hosts in the single table: PK `BLOCKEDHOSTS`, SK the host (repository/keys.py),
with `blockedAt` and an optional `reason`.

One partition holds them all, so every execution environment reads the whole list with
one Query a minute (domain/blocked_hosts.py BlockedHostsCache); it stays small (an
operator's list, not a feed). Every change rides in one transaction with its audit entry.
Imported by the redirect at cold start: nothing here loads boto3.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.blocked_hosts import BlockedHost
from domain.links import rfc3339
from repository.keys import BLOCKED_HOST_PARTITION, blocked_host_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    from domain.audit import AuditEntry


class DynamoDBBlockedHosts:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @raises_storage_unavailable("reading the blocked hosts")
    def hosts(self) -> frozenset[str]:
        """Every blocked host: the keys alone (one Query, unless the list outgrows 1 MB)."""
        return frozenset(item["SK"]["S"] for item in self._query(ProjectionExpression="SK"))

    @raises_storage_unavailable("listing the blocked hosts")
    def entries(self) -> list[BlockedHost]:
        """Every blocked host with when and why, in order of host."""
        return [host_from_item(item) for item in self._query()]

    def _query(self, **extra: Any) -> list[dict[str, Any]]:
        request: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :blocked",
            "ExpressionAttributeValues": {":blocked": {"S": BLOCKED_HOST_PARTITION}},
            **extra,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self._client.query(**request)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return items
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    @raises_storage_unavailable("reading a blocked host")
    def get(self, host: str) -> BlockedHost | None:
        response = self._client.get_item(
            TableName=self._table, Key=blocked_host_key(host), ConsistentRead=True
        )
        return host_from_item(response["Item"]) if "Item" in response else None

    @raises_storage_unavailable("blocking a host")
    def put(self, host: BlockedHost, *, expected: BlockedHost | None, audit: AuditEntry) -> bool:
        put = {
            "TableName": self._table,
            "Item": host_to_item(host),
            **_still(expected),
        }
        return self._transact([{"Put": put}, _audited(self._table, audit)])

    @raises_storage_unavailable("unblocking a host")
    def remove(self, host: BlockedHost, audit: AuditEntry) -> bool:
        delete = {"TableName": self._table, "Key": blocked_host_key(host.host), **_still(host)}
        return self._transact([{"Delete": delete}, _audited(self._table, audit)])

    def _transact(self, items: list[dict[str, Any]]) -> bool:
        """Run the transaction; False if its first item's condition failed."""
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True


def _still(host: BlockedHost | None) -> dict[str, Any]:
    """The condition that the stored entry is still `host` as read (None: absent)."""
    if host is None:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    reason = "reason = :reason" if host.reason is not None else "attribute_not_exists(reason)"
    values: dict[str, Any] = {":at": {"S": rfc3339(host.blocked_at)}}
    if host.reason is not None:
        values[":reason"] = {"S": host.reason}
    return {
        "ConditionExpression": f"blockedAt = :at AND {reason}",
        "ExpressionAttributeValues": values,
    }


def host_to_item(host: BlockedHost) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = {
        **blocked_host_key(host.host),
        "blockedAt": {"S": rfc3339(host.blocked_at)},
    }
    if host.reason is not None:
        item["reason"] = {"S": host.reason}
    return item


def host_from_item(item: Mapping[str, AttributeValueTypeDef]) -> BlockedHost:
    return BlockedHost(
        host=item["SK"]["S"],
        blocked_at=datetime.fromisoformat(item["blockedAt"]["S"]),
        reason=item["reason"]["S"] if "reason" in item else None,
    )


def _audited(table: str, audit: AuditEntry) -> dict[str, Any]:
    # Imported here: the redirect reads blocked hosts on its cold start and never writes
    # them, so it never loads the audit's modules (~10 ms).
    from repository.dynamodb_audit import audit_put_request

    return audit_put_request(table, audit)
