"""What DynamoDB bills a client's requests: read and write units, as DynamoDB reports them.

A `before-parameter-build.dynamodb` hook adds `ReturnConsumedCapacity="TOTAL"` to every
request of the operations that take it, and an `after-call.dynamodb` hook adds up the
`ConsumedCapacity` each answer carries (DynamoDB Local 3.x reports it, as DynamoDB does).
Next to DynamoDB's figure the meter keeps what AWS's item-size rules say a write should
cost (bench/item_size.py: a PutItem is billed on its item's size, or the replaced item's
if larger, which never happens here: a day's item only grows), so that the two can be
compared. A conditional write that fails is billed too (at least 1 write unit), and
DynamoDB Local reports nothing for it: those are counted apart.

Thread-safe: the aggregator writes from several threads through one client.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from bench.item_size import item_size, write_units

# The operations whose requests take ReturnConsumedCapacity (DynamoDB API reference).
REPORTING = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
    }
)
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@dataclass
class Consumed:
    """Units and calls, by operation."""

    units: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # reported
    calls: Counter[str] = field(default_factory=Counter)  # answered, successfully or not
    unreported: Counter[str] = field(default_factory=Counter)  # answered without units
    failed_conditions: Counter[str] = field(default_factory=Counter)
    # PutItem only: write units by the item-size rules, from the item each one sent.
    put_units_by_size: int = 0
    put_bytes: list[int] = field(default_factory=list)

    @property
    def write_units(self) -> float:
        return sum(units for name, units in self.units.items() if name in WRITES)

    @property
    def read_units(self) -> float:
        return sum(units for name, units in self.units.items() if name not in WRITES)


class CapacityMeter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.consumed = Consumed()

    def ask_for_capacity(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name not in REPORTING:
            return
        params["ReturnConsumedCapacity"] = "TOTAL"
        if model.name == "PutItem":
            size = item_size(params["Item"])
            with self._lock:
                self.consumed.put_bytes.append(size)
                self.consumed.put_units_by_size += write_units(size)

    def add_up(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if model.name not in REPORTING:
            return
        reported = parsed.get("ConsumedCapacity")
        failed = parsed.get("Error", {}).get("Code") == "ConditionalCheckFailedException"
        with self._lock:
            self.consumed.calls[model.name] += 1
            if failed:
                self.consumed.failed_conditions[model.name] += 1
            if isinstance(reported, dict):
                self.consumed.units[model.name] += float(reported.get("CapacityUnits", 0))
            elif isinstance(reported, list):  # the batch operations: one entry per table
                self.consumed.units[model.name] += sum(
                    float(entry.get("CapacityUnits", 0)) for entry in reported
                )
            else:
                self.consumed.unreported[model.name] += 1


@contextmanager
def metering(client: Any) -> Iterator[CapacityMeter]:
    """Meter `client`'s requests while the block runs (hooks removed afterwards)."""
    meter = CapacityMeter()
    events = client.meta.events
    events.register("before-parameter-build.dynamodb", meter.ask_for_capacity)
    events.register("after-call.dynamodb", meter.add_up)
    try:
        yield meter
    finally:
        events.unregister("before-parameter-build.dynamodb", meter.ask_for_capacity)
        events.unregister("after-call.dynamodb", meter.add_up)
