"""An owner's links, newest first: a Query on ListIndex's partition OWNER#<owner>, then
one BatchGetItem of the page's links (repository/keys.py).

The index holds each owned link's entry, its keys only, so what a listing shows (clicks,
target, labels) is read from the links themselves, and a filter (tag, text) is applied
to them. A page therefore reads up to a few index pages until it has `limit` links, and
its cursor points just past the last entry it looked at, matched or not: the next page
starts there, never skipping nor repeating a link.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from domain.links import Link
from domain.pages import Page
from repository.cursors import decode_cursor, encode_cursor
from repository.dynamodb_links import DynamoDBLinkRepository
from repository.keys import (
    INDEX_SORT_KEY,
    LIST_INDEX,
    LIST_INDEX_KEY,
    OWNS_PREFIX,
    owner_listing,
)
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# The index entry's key: the table's and the index's, which is what a Query resumes from.
_ENTRY_KEY = ("PK", "SK", LIST_INDEX_KEY, INDEX_SORT_KEY)
# Entries looked at per page at most: a filter that matches little still ends quickly
# (a short page with a cursor), its cost bounded.
_MAX_EXAMINED = 500
_BATCH = 100  # BatchGetItem's limit
# An export answers in one response, which API Gateway caps at 10 MB: 10,000 links of
# up to 2 KB of URL each fit with room to spare.
MAX_EXPORT = 10_000


class DynamoDBLinkListing:
    def __init__(self, client: DynamoDBClient, table_name: str, links: DynamoDBLinkRepository):
        self._client = client
        self._table = table_name
        self._links = links

    @raises_storage_unavailable("listing links")
    def owned_by(
        self,
        owner: str,
        *,
        limit: int,
        cursor: str | None = None,
        keep: Callable[[Link], bool] = lambda link: True,
    ) -> Page[Link]:
        """Up to `limit` of the owner's links that are not deleted and that `keep`
        keeps, newest first, after `cursor`. Raises InvalidInput for a bad cursor."""
        partition = owner_listing(owner)
        start = (
            decode_cursor(cursor, _ENTRY_KEY, partition=(LIST_INDEX_KEY, partition))
            if cursor
            else None
        )
        found: list[Link] = []
        examined = 0
        while True:
            request: dict[str, Any] = {
                "TableName": self._table,
                "IndexName": LIST_INDEX,
                "KeyConditionExpression": f"{LIST_INDEX_KEY} = :listing",
                "ExpressionAttributeValues": {":listing": {"S": partition}},
                "ScanIndexForward": False,
                "Limit": min(_BATCH, max(limit - len(found), 10)),
            }
            if start is not None:
                request["ExclusiveStartKey"] = start
            response = self._client.query(**request)
            entries = response.get("Items", [])
            links = self._links_of(entries)
            for entry in entries:
                examined += 1
                link = links.get(entry["PK"]["S"].removeprefix(OWNS_PREFIX))
                if link is not None and link.deleted_at is None and keep(link):
                    found.append(link)
                if len(found) == limit or examined >= _MAX_EXAMINED:
                    last_of_all = entry is entries[-1] and "LastEvaluatedKey" not in response
                    return Page(found, None if last_of_all else encode_cursor(entry, _ENTRY_KEY))
            if "LastEvaluatedKey" not in response:
                return Page(found, None)
            start = response["LastEvaluatedKey"]

    def every_owned_by(
        self, owner: str, *, keep: Callable[[Link], bool] = lambda link: True
    ) -> list[Link]:
        """All the owner's links that `keep` keeps, newest first (an export), up to
        MAX_EXPORT: a page at a time."""
        links: list[Link] = []
        cursor: str | None = None
        while len(links) < MAX_EXPORT:
            page = self.owned_by(owner, limit=_BATCH, cursor=cursor, keep=keep)
            links += page.items
            if page.cursor is None:
                break
            cursor = page.cursor
        return links[:MAX_EXPORT]

    def _links_of(self, entries: list[dict[str, Any]]) -> dict[str, Link]:
        """The links the entries name, by short id, each with its click shards' clicks."""
        short_ids = [entry["PK"]["S"].removeprefix(OWNS_PREFIX) for entry in entries]
        return self._links.get_many(short_ids)
