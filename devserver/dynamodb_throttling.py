"""DynamoDB's per-item throughput limits, which DynamoDB Local and moto do not enforce.

DynamoDB serves at most 1,000 write units and 3,000 read units a second to one
partition, so to one item, on-demand or not; past that it refuses requests with
`ProvisionedThroughputExceededException` (a transaction: `TransactionCanceledException`,
reason `ThrottlingError`) and applies nothing. `ThrottlingModel` decides, request by
request, what DynamoDB would refuse: one token bucket per item (table and full key) for
writes and one for reads, filled at the item's rate and holding at most one second of it;
or one pair per declared key prefix, which stands for one partition holding every item
whose partition key starts with it.

Pure: no I/O, the clock is injected (a fake one steps simulated time), and the tables'
key schemas come from a callable the caller supplies. `devserver.dynamodb_throttling_proxy`
puts it in front of a local DynamoDB over HTTP.

What a request costs (AWS's rules; the approximations are marked):
- PutItem, UpdateItem, DeleteItem: 1 write unit per started KB of the item, the larger of
  its size before and after. The size before is the last size the model saw for that item
  (from a PutItem, or an answer carrying the whole item: GetItem, or ReturnValues ALL_NEW);
  the size after is the PutItem's item, or for UpdateItem and DeleteItem what the request
  carries (key, values, names): an approximation, the model never reads the stored item.
- TransactWriteItems: twice that per item (a transaction writes each item twice), on each
  item's own bucket; ConditionCheck counts as a write. Refused whole if any item lacks it.
- BatchWriteItem: per item; items over budget go back in UnprocessedItems, and only when
  none can be written is the request refused (as DynamoDB does).
- GetItem: 1 read unit per started 4 KB if strongly consistent, half that if eventually
  consistent; TransactGetItems twice the strong cost; BatchGetItem per key, over-budget
  keys in UnprocessedKeys. An item whose size the model has not seen counts as under 4 KB.
- Query, Scan and everything else: counted, never refused (not how hot keys are reached).
A request costing more than one second of its bucket passes once the bucket is full,
and empties it (DynamoDB's 400 KB items always fit its 1,000 units a second).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_ITEM_WRITES_PER_SECOND = 1_000.0  # DynamoDB's per-partition limits
DEFAULT_ITEM_READS_PER_SECOND = 3_000.0
WRITE_UNIT_BYTES = 1024
READ_UNIT_BYTES = 4096
TRANSACTION_COST_FACTOR = 2  # a transaction prepares and commits: two writes (reads) per item
ERROR_TYPE_PREFIX = "com.amazonaws.dynamodb.v20120810#"
WRITE_REASON = "TableWriteKeyRangeThroughputExceeded"
READ_REASON = "TableReadKeyRangeThroughputExceeded"
# Buckets and item sizes are forgotten past these many (a full bucket is as good as none).
_SWEEP_EVERY = 10_000
_MAX_KNOWN_SIZES = 100_000
# Refill arithmetic in floats: 0.02 s at 50 a second must make a whole unit.
_EPSILON = 1e-9

_THROUGHPUT_MESSAGE = (
    "Throughput exceeds the current capacity of your table or index. DynamoDB is "
    "automatically scaling your table or index so please try again shortly. If exceptions "
    "persist, check if you have a hot key."
)


@dataclass(frozen=True)
class ThrottlingLimits:
    """What one item (or one declared partition) may take a second."""

    item_writes_per_second: float = DEFAULT_ITEM_WRITES_PER_SECOND
    item_reads_per_second: float = DEFAULT_ITEM_READS_PER_SECOND
    # Each prefix is one partition: every item whose partition key starts with it shares
    # one write bucket and one read bucket (the longest matching prefix wins).
    partition_prefixes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.item_writes_per_second <= 0 or self.item_reads_per_second <= 0:
            raise ValueError("item limits must be above 0 units a second")
        if any(not prefix for prefix in self.partition_prefixes):
            raise ValueError("a partition prefix cannot be empty")

    def describe(self) -> str:
        text = (
            f"at most {self.item_writes_per_second:g} write units and "
            f"{self.item_reads_per_second:g} read units a second per item"
        )
        if self.partition_prefixes:
            text += ", and per partition " + ", ".join(
                f"{prefix}*" for prefix in self.partition_prefixes
            )
        return text


@dataclass(frozen=True)
class TableInfo:
    """What the model must know of a table: its key attributes (partition key first) and
    its ARN, which DynamoDB names in ThrottlingReasons."""

    key_names: tuple[str, ...]
    arn: str


class UnknownTableError(LookupError):
    """The table lookup does not know the table: the request goes on unmodelled, and
    DynamoDB answers it (ResourceNotFoundException, most likely)."""


TableLookup = Callable[[str], TableInfo]


@dataclass(frozen=True)
class ItemKey:
    table: str
    key: tuple[tuple[str, str], ...]  # (attribute name, value as text), partition key first

    @property
    def partition_key(self) -> str:
        return self.key[0][1]

    def __str__(self) -> str:
        return " ".join([self.table, *(f"{name}={value}" for name, value in self.key)])


@dataclass(frozen=True)
class Forward:
    """Send the request on: as it came (request None) or rewritten without the batch
    entries held back, which then go into the answer under `unprocessed`."""

    operation: str
    request: dict[str, Any] | None = None
    unprocessed: tuple[str, dict[str, Any]] | None = None  # ("UnprocessedKeys", {table: ...})
    # The answer tells the model an item's size (see ThrottlingModel.answered).
    learns_from_answer: bool = False

    @property
    def needs_answer(self) -> bool:
        return self.unprocessed is not None or self.learns_from_answer


@dataclass(frozen=True)
class Refuse:
    """Answer this instead of DynamoDB: nothing was applied."""

    status: int
    body: dict[str, Any]

    @property
    def error_type(self) -> str:
        return str(self.body["__type"]).removeprefix(ERROR_TYPE_PREFIX)


Decision = Forward | Refuse


@dataclass
class ItemCounts:
    writes: int = 0
    writes_refused: int = 0
    write_units: float = 0.0
    reads: int = 0
    reads_refused: int = 0
    read_units: float = 0.0


@dataclass(frozen=True)
class ThrottlingReport:
    requests: int
    refused: int
    operations: dict[str, tuple[int, int]]  # operation -> (requests, refused)
    items: dict[str, ItemCounts]  # str(ItemKey) -> what it was asked and refused

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "refused": self.refused,
            "operations": {
                name: {"requests": seen, "refused": refused}
                for name, (seen, refused) in sorted(self.operations.items())
            },
            "items": {key: vars(counts) for key, counts in sorted(self.items.items())},
        }

    def summary(self) -> str:
        text = f"{self.requests} DynamoDB requests, {self.refused} refused as throttled"
        hottest = sorted(
            ((c.writes_refused + c.reads_refused, key) for key, c in self.items.items()),
            reverse=True,
        )[:3]
        refused_items = [f"{key} ({count})" for count, key in hottest if count]
        if refused_items:
            text += "; most refused: " + ", ".join(refused_items)
        return text


# (direction, table, partition): partition is ("prefix", p) or ("item", key).
_BucketId = tuple[str, str, tuple[str, Any]]


@dataclass(frozen=True)
class _Charge:
    item: ItemKey
    writes: bool
    units: float


@dataclass
class _Bucket:
    level: float
    updated: float


@dataclass
class _Counters:
    requests: int = 0
    refused: int = 0
    operations: dict[str, list[int]] = field(default_factory=dict)
    items: dict[ItemKey, ItemCounts] = field(default_factory=dict)


class ThrottlingModel:
    """DynamoDB's per-item (per-partition) throughput limits, thread-safe.

    `admit` says what to do with each request before it reaches DynamoDB; `answered`
    completes a forwarded request's answer (batch entries held back) and learns item sizes
    from it; `report` counts what was asked and refused.
    """

    def __init__(
        self,
        limits: ThrottlingLimits,
        tables: TableLookup,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._tables = tables
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[_BucketId, _Bucket] = {}
        self._sizes: dict[ItemKey, int] = {}  # last seen size of an item, in bytes
        self._counters = _Counters()
        self._decisions = 0

    # --- deciding -------------------------------------------------------------------

    def admit(self, operation: str, request: Mapping[str, Any]) -> Decision:
        try:
            return self._admit(operation, request)
        except (LookupError, TypeError, AttributeError, ValueError):
            # A malformed request (or one naming a table the lookup does not know:
            # UnknownTableError) is DynamoDB's to refuse, with its own ValidationException
            # or ResourceNotFoundException.
            with self._lock:
                self._count_request(operation, refused=False)
            return Forward(operation)

    def _admit(self, operation: str, request: Mapping[str, Any]) -> Decision:
        if operation in _SINGLE_ITEM_OPERATIONS:
            charge = _SINGLE_ITEM_OPERATIONS[operation](self, request)
            short = self._take(operation, [charge])
            if short:
                return _throughput_exceeded(operation, [charge], self._arn)
            return Forward(operation, learns_from_answer=operation in _LEARNING_OPERATIONS)
        if operation == "TransactWriteItems":
            return self._transaction(operation, request, writes=True)
        if operation == "TransactGetItems":
            return self._transaction(operation, request, writes=False)
        if operation == "BatchGetItem":
            return self._batch_get(operation, request)
        if operation == "BatchWriteItem":
            return self._batch_write(operation, request)
        with self._lock:
            self._count_request(operation, refused=False)
        return Forward(operation)

    def _transaction(self, operation: str, request: Mapping[str, Any], *, writes: bool) -> Decision:
        charges = []
        for entry in request["TransactItems"]:
            (action, details), *_ = entry.items()
            table = details["TableName"]
            if action == "Put":
                item = self._item_key(table, details["Item"])
                units = self._write_units(item, item_size(details["Item"]))
            elif writes:
                item = self._item_key(table, details["Key"])
                units = self._write_units(item, _carried_size(details))
            else:
                item = self._item_key(table, details["Key"])
                units = self._read_units(item, consistent=True)
            charges.append(_Charge(item, writes, TRANSACTION_COST_FACTOR * units))
        short = self._take(operation, charges)
        if not short:
            return Forward(operation)
        reasons: list[dict[str, str]] = [
            {"Code": "ThrottlingError", "Message": _THROUGHPUT_MESSAGE}
            if index in short
            else {"Code": "None"}
            for index in range(len(charges))
        ]
        codes = ", ".join(reason["Code"] for reason in reasons)
        return Refuse(
            400,
            {
                "__type": ERROR_TYPE_PREFIX + "TransactionCanceledException",
                "Message": "Transaction cancelled, please refer cancellation reasons for "
                f"specific reasons [{codes}]",
                "CancellationReasons": reasons,
            },
        )

    def _batch_get(self, operation: str, request: Mapping[str, Any]) -> Decision:
        entries = []
        for table, wanted in request["RequestItems"].items():
            consistent = bool(wanted.get("ConsistentRead", False))
            for key in wanted["Keys"]:
                item = self._item_key(table, key)
                entries.append(
                    (table, key, _Charge(item, False, self._read_units(item, consistent)))
                )
        held_back = self._take_each(operation, [charge for _, _, charge in entries])
        if not held_back:
            return Forward(operation)
        if len(held_back) == len(entries):
            return _throughput_exceeded(operation, [c for _, _, c in entries], self._arn)
        sent: dict[str, Any] = {}
        unprocessed: dict[str, Any] = {}
        for index, (table, key, _) in enumerate(entries):
            target = unprocessed if index in held_back else sent
            wanted = request["RequestItems"][table]  # with its projection and consistency
            target.setdefault(table, {**wanted, "Keys": []})["Keys"].append(key)
        return Forward(
            operation,
            request={**request, "RequestItems": sent},
            unprocessed=("UnprocessedKeys", unprocessed),
        )

    def _batch_write(self, operation: str, request: Mapping[str, Any]) -> Decision:
        entries = []
        for table, writes in request["RequestItems"].items():
            for entry in writes:
                if "PutRequest" in entry:
                    attributes = entry["PutRequest"]["Item"]
                    size = item_size(attributes)
                else:
                    attributes = entry["DeleteRequest"]["Key"]
                    size = item_size(attributes)
                item = self._item_key(table, attributes)
                entries.append((table, entry, _Charge(item, True, self._write_units(item, size))))
        held_back = self._take_each(operation, [charge for _, _, charge in entries])
        if not held_back:
            return Forward(operation)
        if len(held_back) == len(entries):
            return _throughput_exceeded(operation, [c for _, _, c in entries], self._arn)
        sent: dict[str, list[Any]] = {}
        unprocessed: dict[str, list[Any]] = {}
        for index, (table, entry, _) in enumerate(entries):
            (unprocessed if index in held_back else sent).setdefault(table, []).append(entry)
        return Forward(
            operation,
            request={**request, "RequestItems": sent},
            unprocessed=("UnprocessedItems", unprocessed),
        )

    # --- answers --------------------------------------------------------------------

    def answered(
        self, decision: Forward, request: Mapping[str, Any], answer: dict[str, Any]
    ) -> dict[str, Any] | None:
        """A forwarded request's successful answer: returns it completed with the batch
        entries held back (None: send it as it is), and learns item sizes from it."""
        # An answer of a shape the model does not know teaches it nothing.
        with contextlib.suppress(LookupError, TypeError, AttributeError, ValueError):
            self._learn(decision.operation, request, answer)
        if decision.unprocessed is None:
            return None
        name, held_back = decision.unprocessed
        merged = dict(answer.get(name) or {})
        for table, entries in held_back.items():
            if name == "UnprocessedKeys":
                if table in merged:
                    keys = [*merged[table]["Keys"], *entries["Keys"]]
                    merged[table] = {**merged[table], "Keys": keys}
                else:
                    merged[table] = entries
            else:
                merged[table] = [*merged.get(table, []), *entries]
        return {**answer, name: merged}

    def _learn(self, operation: str, request: Mapping[str, Any], answer: Mapping[str, Any]) -> None:
        table = request["TableName"]
        if operation == "PutItem":
            self._remember(self._item_key(table, request["Item"]), item_size(request["Item"]))
        elif operation == "GetItem":
            item = self._item_key(table, request["Key"])
            if "Item" in answer:
                self._remember(item, item_size(answer["Item"]))
            else:
                self._forget(item)
        elif operation == "UpdateItem" and request.get("ReturnValues") == "ALL_NEW":
            self._remember(self._item_key(table, request["Key"]), item_size(answer["Attributes"]))
        elif operation == "DeleteItem":
            self._forget(self._item_key(table, request["Key"]))

    def _remember(self, item: ItemKey, size: int) -> None:
        with self._lock:
            self._sizes.pop(item, None)  # to the end: the oldest go first when there are many
            self._sizes[item] = size
            if len(self._sizes) > _MAX_KNOWN_SIZES:
                for stale in list(self._sizes)[: _MAX_KNOWN_SIZES // 2]:
                    del self._sizes[stale]

    def _forget(self, item: ItemKey) -> None:
        with self._lock:
            self._sizes.pop(item, None)

    # --- reporting ------------------------------------------------------------------

    def report(self) -> ThrottlingReport:
        with self._lock:
            counters = self._counters
            return ThrottlingReport(
                requests=counters.requests,
                refused=counters.refused,
                operations={name: (c[0], c[1]) for name, c in counters.operations.items()},
                items={str(item): ItemCounts(**vars(c)) for item, c in counters.items.items()},
            )

    # --- costs ----------------------------------------------------------------------

    def _item_key(self, table: str, attributes: Mapping[str, Any]) -> ItemKey:
        info = self._tables(table_name(table))
        return ItemKey(
            table_name(table), tuple((name, _key_text(attributes[name])) for name in info.key_names)
        )

    def _arn(self, item: ItemKey) -> str:
        return self._tables(item.table).arn

    def _write_units(self, item: ItemKey, size_after: int) -> float:
        with self._lock:
            size_before = self._sizes.get(item, 0)
        return float(max(1, math.ceil(max(size_before, size_after) / WRITE_UNIT_BYTES)))

    def _read_units(self, item: ItemKey, consistent: bool) -> float:
        with self._lock:
            size = self._sizes.get(item, 0)
        units = max(1, math.ceil(size / READ_UNIT_BYTES))
        return float(units) if consistent else units / 2

    def _put_item(self, request: Mapping[str, Any]) -> _Charge:
        item = self._item_key(request["TableName"], request["Item"])
        return _Charge(item, True, self._write_units(item, item_size(request["Item"])))

    def _update_or_delete_item(self, request: Mapping[str, Any]) -> _Charge:
        item = self._item_key(request["TableName"], request["Key"])
        return _Charge(item, True, self._write_units(item, _carried_size(request)))

    def _get_item(self, request: Mapping[str, Any]) -> _Charge:
        item = self._item_key(request["TableName"], request["Key"])
        consistent = bool(request.get("ConsistentRead", False))
        return _Charge(item, False, self._read_units(item, consistent))

    # --- buckets --------------------------------------------------------------------

    def _take(self, operation: str, charges: Sequence[_Charge]) -> set[int]:
        """Take every charge, or none: returns the indexes of the charges whose bucket
        lacks the units (empty: all taken)."""
        with self._lock:
            now = self._clock()
            demand: dict[_BucketId, float] = {}
            for charge in charges:
                bucket = self._bucket_id(charge)
                demand[bucket] = demand.get(bucket, 0.0) + charge.units
            short_buckets = {
                bucket for bucket, units in demand.items() if not self._has(bucket, units, now)
            }
            short = {
                index
                for index, charge in enumerate(charges)
                if self._bucket_id(charge) in short_buckets
            }
            if not short:
                for bucket, units in demand.items():
                    self._drain(bucket, units)
            self._count(operation, charges, short, refused=bool(short))
            return short

    def _take_each(self, operation: str, charges: Sequence[_Charge]) -> set[int]:
        """Take each charge that its bucket allows, in order: returns those held back."""
        with self._lock:
            now = self._clock()
            held_back = set()
            for index, charge in enumerate(charges):
                bucket = self._bucket_id(charge)
                if self._has(bucket, charge.units, now):
                    self._drain(bucket, charge.units)
                else:
                    held_back.add(index)
            self._count(operation, charges, held_back, refused=len(held_back) == len(charges))
            return held_back

    def _bucket_id(self, charge: _Charge) -> _BucketId:
        direction = "write" if charge.writes else "read"
        prefixes = [
            p for p in self.limits.partition_prefixes if charge.item.partition_key.startswith(p)
        ]
        if prefixes:
            return direction, charge.item.table, ("prefix", max(prefixes, key=len))
        return direction, charge.item.table, ("item", charge.item.key)

    def _capacity(self, bucket: _BucketId) -> float:
        if bucket[0] == "write":
            return self.limits.item_writes_per_second
        return self.limits.item_reads_per_second

    def _has(self, bucket_id: _BucketId, units: float, now: float) -> bool:
        """Refill the bucket to `now` and say whether it holds `units` (capped at what it
        can ever hold)."""
        capacity = self._capacity(bucket_id)
        bucket = self._buckets.get(bucket_id)
        if bucket is None:
            bucket = self._buckets[bucket_id] = _Bucket(capacity, now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.level = min(capacity, bucket.level + elapsed * capacity)
        bucket.updated = now
        return bucket.level + _EPSILON >= min(units, capacity)

    def _drain(self, bucket_id: _BucketId, units: float) -> None:
        bucket = self._buckets[bucket_id]
        bucket.level = max(0.0, bucket.level - min(units, self._capacity(bucket_id)))

    def _count(
        self, operation: str, charges: Sequence[_Charge], short: set[int], *, refused: bool
    ) -> None:
        self._count_request(operation, refused=refused)
        for index, charge in enumerate(charges):
            counts = self._counters.items.setdefault(charge.item, ItemCounts())
            # A refused request applies nothing: its items over budget count as refused,
            # the others (in a cancelled transaction) as neither done nor refused.
            throttled = index in short
            done = not refused and not throttled
            if charge.writes:
                counts.writes += done
                counts.writes_refused += throttled
                counts.write_units += charge.units if done else 0.0
            else:
                counts.reads += done
                counts.reads_refused += throttled
                counts.read_units += charge.units if done else 0.0
        self._decisions += 1
        if self._decisions % _SWEEP_EVERY == 0:
            self._sweep(self._clock())

    def _count_request(self, operation: str, *, refused: bool) -> None:
        self._counters.requests += 1
        self._counters.refused += refused
        counts = self._counters.operations.setdefault(operation, [0, 0])
        counts[0] += 1
        counts[1] += refused

    def _sweep(self, now: float) -> None:
        """Forget buckets that have been idle long enough to be full again."""
        for bucket_id, bucket in list(self._buckets.items()):
            if now - bucket.updated >= 1.0:
                del self._buckets[bucket_id]


_SINGLE_ITEM_OPERATIONS: dict[str, Callable[[ThrottlingModel, Mapping[str, Any]], _Charge]] = {
    "PutItem": ThrottlingModel._put_item,
    "UpdateItem": ThrottlingModel._update_or_delete_item,
    "DeleteItem": ThrottlingModel._update_or_delete_item,
    "GetItem": ThrottlingModel._get_item,
}
# Their answers can tell an item's size (ThrottlingModel._learn).
_LEARNING_OPERATIONS = frozenset({"PutItem", "GetItem", "UpdateItem", "DeleteItem"})


def _throughput_exceeded(
    operation: str, charges: Iterable[_Charge], arn_of: Callable[[ItemKey], str]
) -> Refuse:
    reasons: list[dict[str, str]] = []
    for charge in charges:
        reason = {
            "reason": WRITE_REASON if charge.writes else READ_REASON,
            "resource": arn_of(charge.item),
        }
        if reason not in reasons:
            reasons.append(reason)
    items = sorted({str(charge.item) for charge in charges})
    return Refuse(
        400,
        {
            "__type": ERROR_TYPE_PREFIX + "ProvisionedThroughputExceededException",
            "message": f"{_THROUGHPUT_MESSAGE} (devserver's model: {operation} on "
            f"{', '.join(items)} is over its item's throughput)",
            "ThrottlingReasons": reasons,
        },
    )


def table_name(name_or_arn: str) -> str:
    """DynamoDB takes a table's ARN wherever it takes its name."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn.rpartition(":table/")[2].split("/", 1)[0]
    return name_or_arn


def _key_text(value: Mapping[str, Any]) -> str:
    (kind, text), *_ = value.items()  # a key attribute is one of S, N, B
    if not isinstance(text, str):
        raise TypeError(f"a key attribute of type {kind} holds {type(text).__name__}")
    return text


def _carried_size(request: Mapping[str, Any]) -> int:
    """What an update or delete writes, as far as the request tells: its key, values and
    attribute names (the stored item may be bigger; the model does not read it)."""
    size = item_size(request["Key"])
    for value in (request.get("ExpressionAttributeValues") or {}).values():
        size += attribute_value_size(value)
    for name in (request.get("ExpressionAttributeNames") or {}).values():
        size += len(name.encode())
    for name, update in (request.get("AttributeUpdates") or {}).items():  # the legacy form
        size += len(name.encode()) + attribute_value_size(update.get("Value") or {"NULL": True})
    return size


def item_size(attributes: Mapping[str, Any]) -> int:
    """An item's size in bytes as DynamoDB counts it: each attribute's name and value."""
    return sum(
        len(name.encode()) + attribute_value_size(value) for name, value in attributes.items()
    )


def attribute_value_size(value: Mapping[str, Any]) -> int:
    """One attribute value's size, by AWS's documented rules: strings in UTF-8, numbers
    about one byte per two significant digits plus one, binary raw, booleans and null one
    byte, lists and maps 3 bytes plus one per element."""
    (kind, content), *_ = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return _number_size(content)
    if kind == "B":
        return _binary_size(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(text.encode()) for text in content)
    if kind == "NS":
        return sum(_number_size(number) for number in content)
    if kind == "BS":
        return sum(_binary_size(blob) for blob in content)
    if kind == "L":
        return 3 + sum(1 + attribute_value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(
            1 + len(name.encode()) + attribute_value_size(element)
            for name, element in content.items()
        )
    raise ValueError(f"unknown attribute value type {kind}")


def _number_size(number: str) -> int:
    digits = number.lstrip("+-").lower().split("e", 1)[0].replace(".", "").strip("0")
    return math.ceil(max(1, len(digits)) / 2) + 1


def _binary_size(encoded: str) -> int:
    try:
        return len(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        return len(encoded) * 3 // 4
