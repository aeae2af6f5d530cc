"""DynamoDBLinkRepository: the domain's LinkRepository on the single table."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from domain.click_facts import ClickFacts
from domain.errors import LinkGone, LinkNotFound, NotAuthorized, ShortIdTaken
from domain.links import Link, rfc3339
from repository.keys import link_key
from repository.link_items import (
    CLICK_ATTRIBUTE,
    click_to_attribute,
    link_from_item,
    link_to_item,
)
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

# Both `url` and `ttl` are DynamoDB reserved words: expressions name them indirectly.
_NAMES = {"#url": "url", "#ttl": "ttl"}
# The same rule as Link.why_gone, written as a condition so the redirect's single
# UpdateItem both checks and counts (keep the two in step).
_REDIRECTS = (
    "attribute_not_exists(deletedAt) AND (attribute_not_exists(expiresAt) OR expiresAt > :now)"
)
_MANAGEABLE = "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND tokenHash = :hash"


class DynamoDBLinkRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @raises_storage_unavailable("creating a link")
    def add(self, link: Link) -> None:
        item = link_to_item(link)
        try:
            self._client.put_item(
                TableName=self._table,
                Item=item,
                # The only guard against overwriting: an id that exists (a tombstone
                # included) is never reused.
                ConditionExpression="attribute_not_exists(PK)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            old: Any = exc.response.get("Item")
            if not _is_this_write(item, old):
                raise ShortIdTaken(link.short_id) from exc
            # Our own write: it landed, its answer was lost (a timeout, a dropped
            # connection) and the client sent it again. The link is stored as asked.

    @raises_storage_unavailable("reading a link")
    def get(self, short_id: str) -> Link:
        # Strongly consistent: "GET /links/<id>" right after creating it must find it.
        response = self._client.get_item(
            TableName=self._table, Key=link_key(short_id), ConsistentRead=True
        )
        if "Item" not in response:
            raise LinkNotFound(short_id)
        return link_from_item(response["Item"])

    @raises_storage_unavailable("counting a click")
    def record_click(self, short_id: str, at: datetime, click: ClickFacts | None = None) -> Link:
        # One round trip counts the click and returns the target. The condition keeps
        # an unknown id from creating a stray item, and expired or deleted links from
        # counting; on failure DynamoDB returns the item as it was, which tells a 404
        # from a 410 without a second request. (An ADD cannot tell a retry from a new
        # click: if DynamoDB applied a click whose answer was lost, the retry counts it
        # again. Rare, and only ever one click too many, in the analytics as well.)
        # `click` rides along for the analytics: the table's stream carries the new
        # item, with its click number (`clicks`), to the aggregator.
        sets = "lastClickedAt = :now"
        values: dict[str, Any] = {":one": {"N": "1"}, ":now": {"S": rfc3339(at)}}
        if click is not None:
            sets += f", {CLICK_ATTRIBUTE} = :click"
            values[":click"] = click_to_attribute(click)
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=link_key(short_id),
                UpdateExpression=f"ADD clicks :one SET {sets}",
                ConditionExpression=f"attribute_exists(PK) AND {_REDIRECTS}",
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            old: Any = exc.response.get("Item")
            if not old:
                raise LinkNotFound(short_id) from exc
            why = link_from_item(old).why_gone(at) or "is not available"
            raise LinkGone(short_id, why) from exc
        return link_from_item(response["Attributes"])

    @raises_storage_unavailable("changing a link")
    def update(
        self,
        short_id: str,
        *,
        expected_token_hash: str,
        url: str | None = None,
        expires_at: datetime | None = None,
        remove_expiry: bool = False,
    ) -> Link:
        sets = ["tokenHash = :hash"]  # a no-op that keeps the expression valid
        # Links written when an expiry set the table's TTL still carry it: each change
        # drops it, so that DynamoDB never deletes the link and frees its id.
        removes = ["#ttl"]
        values: dict[str, Any] = {":hash": {"S": expected_token_hash}}
        if url is not None:
            sets.append("#url = :url")
            values[":url"] = {"S": url}
        if expires_at is not None:
            sets.append("expiresAt = :expires")
            values[":expires"] = {"S": rfc3339(expires_at)}
        elif remove_expiry:
            removes.append("expiresAt")
        expression = "SET " + ", ".join(sets) + " REMOVE " + ", ".join(removes)
        # DynamoDB refuses an empty ExpressionAttributeNames (moto lets it pass).
        names = {name: value for name, value in _NAMES.items() if name in expression}
        naming: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=link_key(short_id),
                UpdateExpression=expression,
                ConditionExpression=_MANAGEABLE,
                **naming,
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            _refuse_management(short_id, exc.response.get("Item"), exc)
        return link_from_item(response["Attributes"])

    @raises_storage_unavailable("deleting a link")
    def replace_with_tombstone(
        self, short_id: str, *, expected_token_hash: str, at: datetime
    ) -> None:
        # A tombstone keeps the key (so the id is never handed out again) and when it
        # was deleted; the target, the token and the TTL go, so it stays forever.
        try:
            self._client.update_item(
                TableName=self._table,
                Key=link_key(short_id),
                UpdateExpression="SET deletedAt = :now REMOVE #url, expiresAt, #ttl, tokenHash",
                ConditionExpression=_MANAGEABLE,
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":now": {"S": rfc3339(at)},
                    ":hash": {"S": expected_token_hash},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            old: Any = exc.response.get("Item")
            if old and old.get("deletedAt") == {"S": rfc3339(at)}:
                return  # our own tombstone: the answer was lost and the client retried
            _refuse_management(short_id, old, exc)


def _is_this_write(item: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    """Whether the item already stored is the one being written, from an earlier attempt.

    The management token's hash is unique to one creation (the token is 256 random
    bits), so a stored item with the same hash can only be this very write.
    """
    return old is not None and "tokenHash" in item and old.get("tokenHash") == item["tokenHash"]


def _refuse_management(short_id: str, old: Any, cause: Exception) -> NoReturn:
    """Why a conditional management write failed, from the item as it was."""
    if not old:
        raise LinkNotFound(short_id) from cause
    if "deletedAt" in old:
        raise LinkGone(short_id, "was deleted") from cause
    raise NotAuthorized from cause
