"""DynamoDBCreationCounter: the domain's CreationCounter on the single table.

One item per scope and window (repository/keys.py rate_key), whatever its traffic:
    subWindow           the newest sub-window counted (RollingLimit.sub_window_of)
    count0 .. countK    the counts of the K + 1 sub-windows up to subWindow, as a ring:
                        sub-window s in count<s mod (K + 1)>; an absent one is 0
    total               their sum
    ttl                 when they have all left every span, plus a grace: DynamoDB
                        deletes an idle counter by itself
so it never grows (a few hundred bytes at most). K is RollingLimit.sub_windows.

Each creation is one conditional UpdateItem in the common case:
  count       add 1 to the current sub-window's count and to total, if subWindow is
              the current sub-window and total is below the limit, or if there is no
              item yet (if_not_exists creates it)
and when that condition fails, DynamoDB hands back the item as it was
(ReturnValuesOnConditionCheckFailure), which tells, without a read:
  - over the limit: refused, nothing written (a refused attempt counts for nothing);
  - from an earlier sub-window: roll over, one write that sets every count as seen
    from now plus this creation, if the item is still exactly as read: subWindow only
    moves forward and total only grows within a sub-window, so the pair names one
    state, and of two concurrent roll-overs only one lands (the other sees its result
    and counts, or refuses, on top of it).
Every write is conditional on the state it was computed from, so concurrent creations
are never lost nor admitted past the limit. At most _MAX_WRITES writes per scope: the
count, a roll-over, and a count after losing the roll-over to another container.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from domain.errors import StorageUnavailable
from domain.rate_limits import Admission, RollingCounts, RollingLimit
from repository.keys import TTL_ATTRIBUTE, rate_key
from repository.store_failures import raises_storage_unavailable

if TYPE_CHECKING:  # stubs are a dev dependency; Lambda never imports them
    from datetime import datetime

    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# Counters outlive their last span a little, so clock skew between containers cannot
# have DynamoDB delete a counter another container still counts in.
_GRACE = timedelta(minutes=5)
_MAX_WRITES = 3
_NEWEST = "subWindow"
_TOTAL = "total"
_NAMES = {"#newest": _NEWEST, "#total": _TOTAL, "#ttl": TTL_ATTRIBUTE}


class _Stored(NamedTuple):
    """A counter's item as it was when a write's condition failed."""

    counts: RollingCounts
    total: int  # the stored attribute, which roll-overs are conditioned on


class DynamoDBCreationCounter:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # Not idempotent: a write whose answer was lost, retried by the client, counts
    # twice (a count adds again; a roll-over finds its own result and counts on top).
    # That errs towards refusing early, the safe side for a rate limit, and only in a
    # failure.
    @raises_storage_unavailable("counting a creation")
    def count_creation(self, scope: str, limit: RollingLimit, now: datetime) -> Admission:
        key = rate_key(scope, limit.grid)
        current = limit.sub_window_of(now)
        outcome = self._count(key, limit, current)
        writes = 1
        while not isinstance(outcome, Admission):
            seen = outcome.counts.rolled_to(current)
            if not limit.admits(seen):
                return Admission(counted=False, counts=seen)
            if writes == _MAX_WRITES:
                # Changed under every write: containers whose clocks disagree on the
                # sub-window, racing over one counter at its turn. The client may retry.
                raise StorageUnavailable("counting a creation (the counter kept changing)")
            writes += 1
            if outcome.counts.newest >= current:
                # Rolled over by now (by another container, or by a clock ahead of ours,
                # whose sub-window it then is): count in that sub-window.
                outcome = self._count(key, limit, outcome.counts.newest)
            else:
                outcome = self._roll_over(key, limit, outcome, seen.plus_one())
        return outcome

    @raises_storage_unavailable("giving a creation back")
    def give_back(self, scope: str, limit: RollingLimit, counted: Admission) -> None:
        # Only within the sub-window it was counted in, where every change is one more
        # or one less in that sub-window's count and in total: the (subWindow, total)
        # pair a roll-over is conditioned on still names exactly one state.
        sub_window = counted.counts.newest
        try:
            self._client.update_item(
                TableName=self._table,
                Key=rate_key(scope, limit.grid),
                UpdateExpression="SET #slot = #slot - :one, #total = #total - :one",
                ConditionExpression="#newest = :newest AND #slot > :zero",
                ExpressionAttributeNames={
                    "#slot": _slot_name(sub_window, limit),
                    "#newest": _NEWEST,
                    "#total": _TOTAL,
                },
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":zero": {"N": "0"},
                    ":newest": {"N": str(sub_window)},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return  # rolled over since: the creation ages out with its sub-window

    def _count(
        self, key: dict[str, AttributeValueTypeDef], limit: RollingLimit, sub_window: int
    ) -> Admission | _Stored:
        """One more creation in `sub_window`, if the item is at it and below the limit
        (or missing); else the item as it was."""
        slot = _slot_name(sub_window, limit)
        try:
            response = self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression=(
                    "SET #slot = if_not_exists(#slot, :zero) + :one,"
                    " #total = if_not_exists(#total, :zero) + :one,"
                    " #newest = :newest, #ttl = :ttl"
                ),
                ConditionExpression=(
                    "attribute_not_exists(#total) OR (#newest = :newest AND #total < :limit)"
                ),
                ExpressionAttributeNames={**_NAMES, "#slot": slot},
                ExpressionAttributeValues={
                    ":zero": {"N": "0"},
                    ":one": {"N": "1"},
                    ":newest": {"N": str(sub_window)},
                    ":limit": {"N": str(limit.max_creations)},
                    ":ttl": _ttl(limit, sub_window),
                },
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            return _stored(exc.response.get("Item"), limit, sub_window)
        counted = _stored(response["Attributes"], limit, sub_window).counts
        return Admission(counted=True, counts=counted)

    def _roll_over(
        self,
        key: dict[str, AttributeValueTypeDef],
        limit: RollingLimit,
        was: _Stored,
        rolled: RollingCounts,
    ) -> Admission | _Stored:
        """Write `rolled` (the counts as of a later sub-window, this creation included)
        if the item is still `was`; else the item as it is."""
        oldest = rolled.newest - limit.sub_windows
        slots = {
            _slot_name(sub_window, limit): count
            for sub_window, count in enumerate(rolled.counts, start=oldest)
        }
        names = {f"#s{n}": slot for n, slot in enumerate(slots)}
        values: dict[str, AttributeValueTypeDef] = {
            f":s{n}": {"N": str(count)} for n, count in enumerate(slots.values())
        }
        try:
            self._client.update_item(
                TableName=self._table,
                Key=key,
                UpdateExpression="SET "
                + ", ".join(f"{name} = :{name[1:]}" for name in names)
                + ", #newest = :newest, #total = :total, #ttl = :ttl",
                ConditionExpression="#newest = :was_newest AND #total = :was_total",
                ExpressionAttributeNames={**_NAMES, **names},
                ExpressionAttributeValues={
                    **values,
                    ":newest": {"N": str(rolled.newest)},
                    ":total": {"N": str(rolled.total)},
                    ":ttl": _ttl(limit, rolled.newest),
                    ":was_newest": {"N": str(was.counts.newest)},
                    ":was_total": {"N": str(was.total)},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except self._client.exceptions.ConditionalCheckFailedException as exc:
            return _stored(exc.response.get("Item"), limit, rolled.newest)
        return Admission(counted=True, counts=rolled)


def _slot_name(sub_window: int, limit: RollingLimit) -> str:
    return f"count{sub_window % (limit.sub_windows + 1)}"


def _ttl(limit: RollingLimit, sub_window: int) -> AttributeValueTypeDef:
    return {"N": str(int((limit.counted_until(sub_window) + _GRACE).timestamp()))}


def _stored(item: Any, limit: RollingLimit, sub_window: int) -> _Stored:
    """The counts an item holds; no item (deleted by its TTL meanwhile) holds none, as
    of `sub_window`."""
    if not item:
        return _Stored(RollingCounts.none_yet(sub_window, limit.sub_windows), 0)
    newest = int(item[_NEWEST]["N"])
    counts = tuple(
        int(item.get(_slot_name(sub_window, limit), {"N": "0"})["N"])
        for sub_window in range(newest - limit.sub_windows, newest + 1)
    )
    return _Stored(RollingCounts(newest, counts), int(item[_TOTAL]["N"]))
