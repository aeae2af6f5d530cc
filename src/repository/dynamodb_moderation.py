"""An operator's take-down of a link, and the admin's listing of every link.

Disabling sets `disabledAt` and `disabledReason` on the link's item and on each of its
click shards (a viral link's clicks are counted there: repository/keys.py), and the
audit entry, in one TransactWriteItems: the redirect's own condition refuses an item
with `disabledAt` (repository/dynamodb_links.py _REDIRECTS), so the link stops the
moment this returns, and the redirect reads nothing more for it. The link's write
adds one to `changes`, so a click shard being made from a copy read before
(DynamoDBLinkRepository.spread_clicks) is refused; and it is conditional on the link
being as the service read it (its `changes`, its shards), so the audit's `before` is
exact.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain.audit import AuditEntry
from domain.host_rules import is_denied_host
from domain.links import Link, rfc3339
from domain.pages import Page
from repository.cursors import decode_cursor, encode_cursor
from repository.dynamodb_audit import audit_put_request
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.keys import (
    INDEX_SORT_KEY,
    LINK_PREFIX,
    LIST_INDEX,
    LIST_INDEX_KEY,
    LISTED,
    link_key,
    shard_key,
)
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# An index entry's key (the index's and the table's): what a Query resumes from.
_ENTRY_KEY = ("PK", "SK", LIST_INDEX_KEY, INDEX_SORT_KEY)
_BATCH = 100  # BatchGetItem's limit, and the largest page
# Index entries looked at per page at most, so that a host filter that matches little
# still answers quickly: a short page, with a cursor to go on from.
_MAX_EXAMINED = 1000


class DynamoDBLinkModeration:
    def __init__(self, client: DynamoDBClient, table_name: str, links: DynamoDBLinkRepository):
        self._client = client
        self._table = table_name
        self._links = links

    def get(self, short_id: str) -> Link:
        return self._links.get(short_id)

    @raises_storage_unavailable("disabling or enabling a link")
    def set_disabled(
        self, link: Link, disabled: tuple[datetime, str] | None, audit: AuditEntry
    ) -> bool:
        if disabled is None:
            change, values = "REMOVE disabledAt, disabledReason", {}
        else:
            change = "SET disabledAt = :at, disabledReason = :reason"
            values = {":at": {"S": rfc3339(disabled[0])}, ":reason": {"S": disabled[1]}}
        as_read = "changes = :changes" if link.changes else "attribute_not_exists(changes)"
        shards = "shards = :shards" if link.shards else "attribute_not_exists(shards)"
        link_values: dict[str, Any] = {**values, ":one": {"N": "1"}}
        if link.changes:
            link_values[":changes"] = {"N": str(link.changes)}
        if link.shards:
            link_values[":shards"] = {"N": str(link.shards)}
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._table,
                    "Key": link_key(link.short_id),
                    "UpdateExpression": f"{change} ADD changes :one",
                    "ConditionExpression": "attribute_exists(PK)"
                    f" AND attribute_not_exists(deletedAt) AND {as_read} AND {shards}",
                    "ExpressionAttributeValues": link_values,
                }
            },
            *(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": shard_key(link.short_id, shard),
                        "UpdateExpression": change,
                        "ConditionExpression": "attribute_exists(PK)",
                        **({"ExpressionAttributeValues": values} if values else {}),
                    }
                }
                for shard in range(1, link.shards + 1)
            ),
            audit_put_request(self._table, audit),
        ]
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except self._client.exceptions.TransactionCanceledException as exc:
            reasons = exc.response.get("CancellationReasons") or []
            codes = {reason.get("Code") for reason in reasons}
            # The link changed since it was read (or a rival transaction is on it): the
            # service reads it again and decides anew.
            if codes & {"ConditionalCheckFailed", "TransactionConflict"}:
                return False
            raise
        return True

    @raises_storage_unavailable("listing links")
    def list_links(
        self,
        *,
        limit: int,
        cursor: str | None = None,
        host: str | None = None,
        since: datetime | None = None,
    ) -> Page[Link]:
        """Every link (tombstones included), newest first, created at or after `since`,
        pointing at `host` or a subdomain of it; each with its click shards' clicks.
        Raises InvalidInput for a cursor this listing did not give out."""
        start = (
            decode_cursor(cursor, _ENTRY_KEY, partition=(LIST_INDEX_KEY, LISTED))
            if cursor
            else None
        )
        condition = f"{LIST_INDEX_KEY} = :listed"
        values: dict[str, Any] = {":listed": {"S": LISTED}}
        if since is not None:
            condition += f" AND {INDEX_SORT_KEY} >= :since"
            values[":since"] = {"S": rfc3339(since)}
        # DynamoDB has no ends_with: the filter keeps the host and anything containing
        # ".host", and the exact test (domain/host_rules.py) runs on what comes back.
        extra: dict[str, Any] = {}
        if host is not None:
            extra["FilterExpression"] = "host = :host OR contains(host, :subdomain)"
            values |= {":host": {"S": host}, ":subdomain": {"S": f".{host}"}}
        found: list[dict[str, Any]] = []
        examined = 0
        while True:
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": LIST_INDEX,
                "KeyConditionExpression": condition,
                "ExpressionAttributeValues": values,
                "ScanIndexForward": False,
                "Limit": min(_BATCH, limit - len(found)) if host is None else _BATCH,
                **extra,
            }
            if start is not None:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            examined += int(response.get("ScannedCount", 0))
            for entry in response.get("Items", []):
                if host is None or is_denied_host(entry["host"]["S"], frozenset({host})):
                    found.append(entry)
                if len(found) == limit:
                    more = entry is not response["Items"][-1] or "LastEvaluatedKey" in response
                    return self._page(found, encode_cursor(entry, _ENTRY_KEY) if more else None)
            last = response.get("LastEvaluatedKey")
            if last is None:
                return self._page(found, None)
            if examined >= _MAX_EXAMINED:
                return self._page(found, encode_cursor(last, _ENTRY_KEY))
            start = dict(last)

    def _page(self, entries: list[dict[str, Any]], cursor: str | None) -> Page[Link]:
        links = self.links_named([entry["PK"]["S"].removeprefix(LINK_PREFIX) for entry in entries])
        return Page(list(links.values()), cursor)

    def links_named(self, short_ids: list[str]) -> dict[str, Link]:
        """The links, in the order named, each with its click shards' clicks."""
        return self._links.get_many(short_ids)
