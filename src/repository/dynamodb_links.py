"""DynamoDBLinkRepository: the domain's LinkRepository on the single table."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, NoReturn

from botocore.exceptions import ClientError

from domain.click_facts import ClickFacts
from domain.errors import (
    ItemThrottled,
    LinkGone,
    LinkNotFound,
    NotAuthorized,
    ShortIdTaken,
    StorageUnavailable,
)
from domain.host_rules import hostname_of
from domain.links import Link, rfc3339
from repository.keys import link_key, shard_key
from repository.link_items import (
    CLICK_ATTRIBUTE,
    click_to_attribute,
    link_from_item,
    link_to_item,
    owner_entry_item,
)
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from mypy_boto3_dynamodb import DynamoDBClient

# `url`, `ttl` and `owner` are DynamoDB reserved words: expressions name them indirectly.
_NAMES = {"#url": "url", "#ttl": "ttl", "#owner": "owner"}
# The same rule as Link.why_gone, written as a condition so the redirect's single
# UpdateItem both checks and counts (keep the two in step).
_REDIRECTS = (
    "attribute_not_exists(deletedAt) AND attribute_not_exists(disabledAt)"
    " AND (attribute_not_exists(expiresAt) OR expiresAt > :now)"
)
# What a click shard copies of its link: what a click on it reads.
_SHARD_COPY = ("url", "createdAt", "clicks", "expiresAt")
# A change by its owner: the token's hash, or the owner's id, still the one checked.
_MANAGEABLE = "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND {manager} = :manager"
# What DynamoDB answers when an item is written faster than it allows (botocore has
# retried each already): the error codes of DynamoDB's throttling, on-demand or not.
_THROTTLING = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}
)
_TRANSACTION_ATTEMPTS = 3  # a hot link's transaction cancelled for throttling or a rival: again
# BatchGetItem hands back what it could not read now (throttled): asked again, in all
# this many times, before a listing gives up with a 503.
_BATCH_ATTEMPTS = 5
_jitter = random.Random()  # noqa: S311  # nosec B311 # spaces out retries, guards no secret


class DynamoDBLinkRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    @raises_storage_unavailable("creating a link")
    def add(self, link: Link) -> None:
        item = link_to_item(link)
        if link.owner is not None:
            self._add_owned(link, item)
            return
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

    def _add_owned(self, link: Link, item: dict[str, Any]) -> None:
        """An owned link and its entry in its owner's listing, together or not at all."""
        puts: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": written,
                    "ConditionExpression": "attribute_not_exists(PK)",
                    "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                }
            }
            for written in (item, owner_entry_item(link))
        ]
        old = self._transact(puts, "creating a link")
        if old is not None and not _is_this_write(item, old):
            raise ShortIdTaken(link.short_id)
        # (An entry left by a link deleted long ago cannot exist: ids are never reused.)

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
        counted = self._count_click(short_id, link_key(short_id), at, click)
        if counted is None:
            raise LinkNotFound(short_id)
        return link_from_item(counted)

    @raises_storage_unavailable("counting a click")
    def record_shard_click(
        self, short_id: str, shard: int, at: datetime, click: ClickFacts | None = None
    ) -> Link | None:
        """record_click on one of a hot link's click shards (its `clicks` is the shard's
        own count); None if the link has no such shard."""
        counted = self._count_click(short_id, shard_key(short_id, shard), at, click)
        return None if counted is None else link_from_item(counted, short_id=short_id)

    def _count_click(
        self, short_id: str, key: dict[str, Any], at: datetime, click: ClickFacts | None
    ) -> dict[str, Any] | None:
        sets = "lastClickedAt = :now"
        values: dict[str, Any] = {":one": {"N": "1"}, ":now": {"S": rfc3339(at)}}
        if click is not None:
            sets += f", {CLICK_ATTRIBUTE} = :click"
            values[":click"] = click_to_attribute(click)
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=f"ADD clicks :one SET {sets}",
                ConditionExpression=f"attribute_exists(PK) AND {_REDIRECTS}",
                ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            old: Any = exc.response.get("Item")
            if not old:
                return None
            why = link_from_item(old, short_id=short_id).why_gone(at) or "is not available"
            raise LinkGone(short_id, why) from exc
        except ClientError as exc:
            if _is_throttling(exc):
                raise ItemThrottled("counting a click") from exc
            raise
        return dict(response["Attributes"])

    @raises_storage_unavailable("spreading a link's clicks")
    def spread_clicks(self, link: Link, shards: int) -> int:
        """Make `shards` click shards for the link as `link` shows it, each with a copy of
        its target and expiry, and mark the link as spread, in one transaction; returns
        how many shards the link has now (0 if it changed meanwhile: read it again)."""
        # Made only from the link as it is now: no owner's change since `link` was read
        # (the redirect's role may not name the target on a link item, so the check is
        # on the link's count of changes, not on its target).
        if link.changes:
            unchanged, counted = "changes = :changes", {":changes": {"N": str(link.changes)}}
        else:
            unchanged, counted = "attribute_not_exists(changes)", {}
        # A copy of what a click reads, and nothing else: not the token, and not the
        # listings' index keys, which would list every shard as a link.
        whole = link_to_item(replace(link, clicks=0, last_clicked_at=None))
        copy = {name: whole[name] for name in _SHARD_COPY if name in whole}
        mark = {
            "Update": {
                "TableName": self._table,
                "Key": link_key(link.short_id),
                "UpdateExpression": "SET shards = :shards",
                "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(shards)"
                f" AND attribute_not_exists(deletedAt) AND {unchanged}",
                "ExpressionAttributeValues": {":shards": {"N": str(shards)}, **counted},
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
            }
        }
        puts = [
            {
                "Put": {
                    "TableName": self._table,
                    "Item": {**copy, **shard_key(link.short_id, shard)},
                    "ConditionExpression": "attribute_not_exists(PK)",  # never overwrite
                }
            }
            for shard in range(1, shards + 1)
        ]
        old = self._transact([mark, *puts], "spreading a link's clicks")
        if old is None:
            return shards
        return int(old["shards"]["N"]) if "shards" in old else 0

    @raises_storage_unavailable("reading listed links")
    def get_many(self, short_ids: list[str]) -> dict[str, Link]:
        """The links of those ids that exist, in the order named, each with its click
        shards' clicks (one more request per viral link): one BatchGetItem of up to 100."""
        # BatchGetItem refuses a key named twice (a link reported twice is).
        short_ids = list(dict.fromkeys(short_ids))
        read: dict[str, Link] = {}
        pending: dict[str, Any] = {}
        if short_ids:
            pending = {self._table: {"Keys": [link_key(short_id) for short_id in short_ids]}}
        for _ in range(_BATCH_ATTEMPTS):
            if not pending:
                break
            response = self._client.batch_get_item(RequestItems=pending)
            for item in response["Responses"].get(self._table, []):
                link = link_from_item(item)
                read[link.short_id] = link
            pending = dict(response.get("UnprocessedKeys") or {})
        if pending:
            raise StorageUnavailable("reading listed links")
        found = [read[short_id] for short_id in short_ids if short_id in read]
        return {
            link.short_id: replace(link, clicks=self.total_clicks(link)) if link.shards else link
            for link in found
        }

    @raises_storage_unavailable("reading a link's clicks")
    def total_clicks(self, link: Link) -> int:
        """The link's clicks, its shards' included: one more request for a hot link."""
        if not link.shards:
            return link.clicks
        keys = [shard_key(link.short_id, shard) for shard in range(1, link.shards + 1)]
        total = link.clicks
        request: dict[str, Any] = {
            self._table: {"Keys": keys, "ProjectionExpression": "clicks", "ConsistentRead": True}
        }
        for _ in range(_TRANSACTION_ATTEMPTS):
            response = self._client.batch_get_item(RequestItems=request)
            total += sum(
                int(item["clicks"]["N"]) for item in response["Responses"].get(self._table, [])
            )
            request = dict(response.get("UnprocessedKeys") or {})
            if not request:
                return total
        raise StorageUnavailable("reading a link's clicks")

    @raises_storage_unavailable("changing a link")
    def update(
        self,
        short_id: str,
        *,
        expected_token_hash: str | None = None,
        expected_owner: str | None = None,
        url: str | None = None,
        expires_at: datetime | None = None,
        remove_expiry: bool = False,
        title: str | None = None,
        remove_title: bool = False,
        tags: tuple[str, ...] | None = None,
    ) -> Link:
        manager = _manager(expected_token_hash, expected_owner)
        # What changes on the link, and on each click shard's copy if it went viral.
        sets, shard_sets = [f"{manager[0]} = :manager"], []  # a no-op keeps it valid
        # Links written when an expiry set the table's TTL still carry it: each change
        # drops it, so that DynamoDB never deletes the link and frees its id.
        removes, shard_removes = ["#ttl"], []
        values: dict[str, Any] = {}
        if url is not None:
            sets += ["#url = :url", "host = :host"]
            shard_sets.append("#url = :url")
            values[":url"] = {"S": url}
            values[":host"] = {"S": hostname_of(url)}
        if title is not None:
            sets.append("title = :title")
            values[":title"] = {"S": title}
        elif remove_title:
            removes.append("title")
        if tags:
            sets.append("tags = :tags")
            values[":tags"] = {"L": [{"S": tag} for tag in tags]}
        elif tags is not None:
            removes.append("tags")
        if expires_at is not None:
            sets.append("expiresAt = :expires")
            shard_sets.append("expiresAt = :expires")
            values[":expires"] = {"S": rfc3339(expires_at)}
        elif remove_expiry:
            removes.append("expiresAt")
            shard_removes.append("expiresAt")
        change = _Change(_expression(sets, removes) + " ADD changes :one", values)
        shard_change = _Change(_expression(shard_sets, shard_removes), values)
        managed = self._manage(short_id, manager, change, shard_change)
        if managed.refused is not None:
            _refuse_management(short_id, managed.refused)
        # One request for nearly every link; a viral link's transaction returns nothing.
        return link_from_item(managed.item) if managed.item else self.get(short_id)

    @raises_storage_unavailable("deleting a link")
    def replace_with_tombstone(
        self,
        short_id: str,
        *,
        expected_token_hash: str | None = None,
        expected_owner: str | None = None,
        at: datetime,
    ) -> None:
        # A tombstone keeps the key (so the id is never handed out again) and when it
        # was deleted; the target (its host too), the token, the labels and the TTL go,
        # so it stays forever, and so does its place in the operators' listing, which
        # shows it deleted, and in its owner's, which skips it. A viral link's
        # click shards become tombstones too: no click counts any more.
        when = {":now": {"S": rfc3339(at)}}
        old = self._manage(
            short_id,
            _manager(expected_token_hash, expected_owner),
            _Change(
                "SET deletedAt = :now"
                " REMOVE #url, expiresAt, #ttl, tokenHash, host, title, tags ADD changes :one",
                when,
            ),
            _Change("SET deletedAt = :now REMOVE #url, expiresAt", when),
        ).refused
        if old is not None and old.get("deletedAt") != {"S": rfc3339(at)}:
            _refuse_management(short_id, old)
        # (Otherwise our own tombstone: the answer was lost and the client retried.)

    def _manage(
        self, short_id: str, manager: tuple[str, str], change: _Change, shard_change: _Change
    ) -> _Managed:
        """Apply an owner's change to the link, and to its click shards if it has any, in
        one transaction then, so that no redirect serves the old target once this
        returns."""
        manageable = _MANAGEABLE.format(manager=manager[0])
        link_update = {
            "TableName": self._table,
            "Key": link_key(short_id),
            "UpdateExpression": change.expression,
            **_naming(change.expression + manageable),
            "ExpressionAttributeValues": {
                **change.values,
                ":manager": {"S": manager[1]},
                ":one": {"N": "1"},
            },
            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
        }
        try:  # nearly every link: one UpdateItem
            response = self._client.update_item(
                **link_update,
                ConditionExpression=f"{manageable} AND attribute_not_exists(shards)",
                ReturnValues="ALL_NEW",
            )
            return _Managed(item=dict(response["Attributes"]))
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            stored: Any = exc.response.get("Item") or {}
        old = dict(stored)
        if "shards" not in old:
            return _Managed(refused=old)
        shards = old["shards"]
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    **link_update,
                    "ConditionExpression": f"{manageable} AND shards = :shards",
                    "ExpressionAttributeValues": {
                        **link_update["ExpressionAttributeValues"],
                        ":shards": shards,
                    },
                }
            }
        ]
        if shard_change.expression:
            items += [
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": shard_key(short_id, shard),
                        "UpdateExpression": shard_change.expression,
                        **_naming(shard_change.expression),
                        "ConditionExpression": "attribute_exists(PK)",
                        **shard_change.valuing(),
                    }
                }
                for shard in range(1, int(shards["N"]) + 1)
            ]
        return _Managed(refused=self._transact(items, "changing a hot link"))

    def _transact(self, items: list[dict[str, Any]], operation: str) -> dict[str, Any] | None:
        """Run a transaction whose first item is the link's conditional update: None once
        done, or the link's item as it was if its condition failed.

        botocore does not retry a cancelled transaction, and a hot link's is cancelled
        for the reasons that make it hot: its item written past its limit (spreading it),
        or another transaction on the same items (a change while it is being spread),
        both over within moments. So it goes again shortly, jittered, 50 to 200 ms in all.
        """
        for attempt in range(_TRANSACTION_ATTEMPTS):
            try:
                self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
                return None
            except self._client.exceptions.TransactionCanceledException as exc:
                reasons = exc.response.get("CancellationReasons") or []
                codes = {reason.get("Code") for reason in reasons}
                if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                    return dict(reasons[0].get("Item") or {})
                if not codes & {"ThrottlingError", "TransactionConflict"}:
                    raise
                if attempt + 1 == _TRANSACTION_ATTEMPTS:
                    if "ThrottlingError" in codes:
                        raise ItemThrottled(operation) from exc
                    raise StorageUnavailable(f"{operation} (its items kept changing)") from exc
                time.sleep(0.05 * (attempt + 1) * (0.5 + _jitter.random()))
        raise AssertionError("unreachable: the last attempt returns or raises")


@dataclass(frozen=True)
class _Managed:
    item: dict[str, Any] | None = None  # the link as changed, when one request did it
    refused: dict[str, Any] | None = None  # the item as it was, if it could not be changed


@dataclass(frozen=True)
class _Change:
    expression: str
    values: dict[str, Any]

    def valuing(self) -> dict[str, Any]:
        # DynamoDB refuses a value the expression does not use, and an empty map.
        used = {name: v for name, v in self.values.items() if name in self.expression}
        return {"ExpressionAttributeValues": used} if used else {}


def _manager(token_hash: str | None, owner: str | None) -> tuple[str, str]:
    """The attribute and value that show who may change a link: exactly one is given."""
    if (token_hash is None) == (owner is None):
        raise TypeError("give expected_token_hash or expected_owner, not both or neither")
    return ("tokenHash", token_hash) if token_hash is not None else ("#owner", owner or "")


def _expression(sets: list[str], removes: list[str]) -> str:
    return " ".join(
        f"{verb} {', '.join(parts)}"
        for verb, parts in (("SET", sets), ("REMOVE", removes))
        if parts
    )


def _naming(expression: str) -> dict[str, Any]:
    # DynamoDB refuses an empty ExpressionAttributeNames (moto lets it pass).
    names = {name: value for name, value in _NAMES.items() if name in expression}
    return {"ExpressionAttributeNames": names} if names else {}


def _is_throttling(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in _THROTTLING


def _is_this_write(item: Mapping[str, Any], old: Mapping[str, Any] | None) -> bool:
    """Whether the item already stored is the one being written, from an earlier attempt.

    The management token's hash is unique to one creation (the token is 256 random
    bits), so a stored item with the same hash can only be this very write.
    """
    return old is not None and "tokenHash" in item and old.get("tokenHash") == item["tokenHash"]


def _refuse_management(short_id: str, old: Mapping[str, Any]) -> NoReturn:
    """Why a conditional management write failed, from the item as it was."""
    if not old:
        raise LinkNotFound(short_id)
    if "deletedAt" in old:
        raise LinkGone(short_id, "was deleted")
    raise NotAuthorized
