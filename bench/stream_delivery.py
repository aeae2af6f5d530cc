"""Stream records handed to a function the way Lambda's event source mapping does it with
a tumbling window (Lambda developer guide, "Using AWS Lambda with Amazon DynamoDB" and
its "Time windows" section), in simulated time, without polling.

- A shard's records go in order, in batches of up to BatchSize (and the 6 MB payload).
- Windows are aligned to the clock ([start, start + size) of the records'
  ApproximateCreationDateTime: a 60-second window is a clock minute); a batch never
  spans two windows.
- Each invocation of a window gets the `state` the previous one returned (`{}` first);
  when the window ends, a final invocation (`isFinalInvokeForWindow`, no records here,
  as the devserver does it) gets the state to act on. A state over 1 MB ends the window
  early (`isWindowTerminatedEarly`).
- Each shard has windows and state of its own. DynamoDB gives a table's stream a shard
  per partition, and puts a link's records in its partition's shard; how many there are
  is DynamoDB's business. Here `shards` of them, a link's records in the shard its key
  hashes to.

The batches are full: at 1,000 clicks a second Lambda, which polls a shard four times a
second and invokes as soon as records are there (no MaximumBatchingWindowInSeconds),
would send smaller ones, so more invocations each carrying the state; see the
aggregator part's notes for what that changes.

Each event is handed over as the JSON text Lambda's runtime receives (records stay JSON
from the moment they are made: 60,000 records as dictionaries would take gigabytes).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from devserver.stream_pollers import window_of, window_timestamp

MAX_STATE_BYTES = 1024 * 1024  # "Your state can be a maximum of 1 MB per shard"
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # a synchronous invocation's payload
STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:123456789012:table/LinksTable/stream/2026-11-01T00:00:00.000"
)


@dataclass(frozen=True)
class StreamedRecord:
    created: int  # ApproximateCreationDateTime, epoch seconds
    partition_key: str
    text: str  # the record as JSON, as Lambda sends it


@dataclass(frozen=True)
class Invocation:
    shard: int
    records: int
    final: bool
    terminated_early: bool
    payload_bytes: int
    state_in_bytes: int  # of the state it was given
    state_bytes: int  # of the state it returned, as the runtime serialises it

    @property
    def acted_early(self) -> bool:
        """Not the window's end, yet it returned less than it was given and its records:
        it acted on its state (the aggregator: wrote it) and started again."""
        return not self.final and self.records > 0 and self.state_bytes < self.state_in_bytes


# What the caller does with one event's JSON text: invoke the function, return its answer.
Invoke = Callable[[str], dict[str, Any]]


@dataclass
class Delivery:
    invocations: list[Invocation] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(invocation.records for invocation in self.invocations)

    @property
    def windows(self) -> int:
        return sum(invocation.final for invocation in self.invocations)

    @property
    def terminated_early(self) -> int:
        return sum(invocation.terminated_early for invocation in self.invocations)

    @property
    def acted_early(self) -> int:
        return sum(invocation.acted_early for invocation in self.invocations)


def shard_of(partition_key: str, shards: int) -> int:
    digest = hashlib.md5(partition_key.encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:4], "big") % shards


class _Shard:
    def __init__(
        self, number: int, invoke: Invoke, delivery: Delivery, window_s: int, batch_size: int
    ) -> None:
        self.number = number
        self._invoke = invoke
        self._delivery = delivery
        self._window_s = window_s
        self._batch_size = batch_size
        self._window: tuple[int, int] | None = None
        self._state: dict[str, Any] = {}
        self._batch: list[str] = []
        self._batch_bytes = 0

    def add(self, record: StreamedRecord) -> None:
        window = window_of(record.created, self._window_s)
        if self._window is not None and window != self._window:
            self.close()
        self._window = window
        if self._batch and self._batch_bytes + len(record.text) > MAX_PAYLOAD_BYTES // 2:
            self._send(final=False)  # half the payload for records, the rest for state
        self._batch.append(record.text)
        self._batch_bytes += len(record.text)
        if len(self._batch) >= self._batch_size:
            self._send(final=False)

    def close(self) -> None:
        """The window is over: what is left of it, then its final invocation."""
        if self._window is None:
            return
        if self._batch:
            self._send(final=False)
        self._send(final=True)
        self._window, self._state = None, {}

    def _send(self, *, final: bool, terminated_early: bool = False) -> None:
        assert self._window is not None
        records, self._batch, self._batch_bytes = self._batch, [], 0
        start, end = self._window
        fields = {
            "window": {"start": window_timestamp(start), "end": window_timestamp(end)},
            "state": self._state,
            "shardId": f"shardId-{self.number:08d}",
            "eventSourceARN": STREAM_ARN,
            "isFinalInvokeForWindow": final,
            "isWindowTerminatedEarly": terminated_early,
        }
        state_in_bytes = len(json.dumps(self._state))
        event = '{"Records":[' + ",".join(records) + "]," + json.dumps(fields)[1:]
        if len(event) > MAX_PAYLOAD_BYTES:
            raise RuntimeError(f"an event of {len(event)} bytes: over Lambda's 6 MB")
        answer = self._invoke(event)
        state = answer.get("state")
        if not isinstance(state, dict):
            raise RuntimeError(f"the function returned no state: {answer!r}")
        # As Lambda's Python runtime sends it back: JSON with its default separators
        # (awslambdaric's marshaller), which is what Lambda's 1 MB applies to.
        state_bytes = len(json.dumps(state))
        self._delivery.invocations.append(
            Invocation(
                self.number,
                len(records),
                final,
                terminated_early,
                len(event),
                state_in_bytes,
                state_bytes,
            )
        )
        self._state = {} if final else state
        if not final and state_bytes > MAX_STATE_BYTES:
            # Lambda ends the window here; the rest of it starts with an empty state.
            self._send(final=True, terminated_early=True)
            self._state = {}


def deliver(
    records: Iterable[StreamedRecord],
    invoke: Invoke,
    *,
    window_s: int,
    batch_size: int,
    shards: int = 1,
) -> Delivery:
    """Hand `records` (in the order the stream has them) to `invoke`, window by window."""
    delivery = Delivery()
    lanes = [_Shard(n, invoke, delivery, window_s, batch_size) for n in range(shards)]
    for record in records:
        lanes[shard_of(record.partition_key, shards)].add(record)
    for lane in lanes:
        lane.close()
    return delivery
