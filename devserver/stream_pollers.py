"""Lambda's event source mappings for DynamoDB Streams, run locally.

For each `Type: DynamoDB` event of a function (sam_template.event_sources), a poller reads
the table's stream from the local DynamoDB (DynamoDB Local and moto both implement
DynamoDB Streams' DescribeStream, GetShardIterator and GetRecords) and invokes the function
in its execution environments (devserver.execution_environments, as the HTTP routes do)
with the event Lambda would send. What Lambda does, and where it says so (its developer
guide unless noted; "with-ddb" is "Using AWS Lambda with Amazon DynamoDB"):

- Polling: each shard "at a base rate of 4 times per second" (with-ddb). Every shard is
  read, each in a thread of its own, and a child shard only after its parent is done:
  shards have a lineage (DescribeStream's ParentShardId), and the DynamoDB developer
  guide ("Change data capture for DynamoDB Streams") has a reader process a parent shard
  before its children, so that an item's records come in order.
- Batching: up to BatchSize records; with MaximumBatchingWindowInSeconds, Lambda "continues
  to read records ... until it has gathered a full batch, the batching window expires, or
  the batch reaches the payload limit of 6 MB" (with-ddb); without, it invokes "as soon as
  records are available".
- Filtering ("Lambda event filtering"): a record is sent if it matches any of the
  FilterCriteria's patterns, which follow EventBridge's pattern rules, applied to the
  record as the function would get it (its data key is `dynamodb`). One that matches none
  is dropped, and "the streams iterator advances past this record" (checkpointed, never
  sent). The patterns are matched by moto's implementation of EventBridge's rules, not a
  copy of our own.
- Errors (with-ddb, "Error handling"): a failed batch is retried "until the records in the
  batch expire, exceed the maximum age, or reach the configured retry quota"; with the
  defaults (-1) that is until it succeeds, and the shard waits. BisectBatchOnFunctionError
  splits a failed batch in two, and "splitting a batch does not count towards the retry
  quota". A batch given up on is skipped with a line saying so (Lambda would send it to
  the mapping's on-failure destination, which does not exist locally).
- ReportBatchItemFailures ("Reporting batch item failures", services-ddb-batchfailurereporting):
  an empty or null batchItemFailures, or no response, is a complete success; an
  itemIdentifier that is empty, null or under a wrong key is a complete failure; otherwise
  "Lambda uses the record with the lowest sequence number as the checkpoint" and retries
  from it.
- Tumbling windows ("Time windows", services-ddb-windows): window boundaries come from the
  records' ApproximateCreationDateTime (windows aligned to the clock: a 60-second window
  is a clock minute); each invocation gets `window`, the `state` the previous invocation
  of the window returned (`{}` first), `shardId`, `eventSourceARN`,
  `isFinalInvokeForWindow` and `isWindowTerminatedEarly`; "your Lambda function response
  must contain a state property", or the invocation failed; at the window's end a final
  invocation has `isFinalInvokeForWindow` true, and only after it succeeds does the
  checkpoint move ("After successful invocation, your function checkpoints the sequence
  number"); a state over 1 MB ends the window early; at a shard's end the window closes.

The guide leaves open whether a final invocation also carries records: here it never
does, so a function that adds up its records on every invocation and writes its state
on the final one counts each record once either way.

Not emulated: ParallelizationFactor (a shard's batches run one at a time here, which is
one of the orders Lambda may run them in: an item's records stay in order either way),
and on-failure destinations.

Where each mapping got to is kept per shard (with DynamoDB Local, in a file beside its
data, so a restart resumes where the last run stopped, as a deployed mapping does).
Nothing here can stop the devserver: every failure is one line on stderr, then retried.
"""

from __future__ import annotations

import base64
import contextlib
import json
import math
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import botocore.config
import botocore.exceptions

from devserver.execution_environments import FunctionRunner
from devserver.functions import FunctionError
from sam_template.event_sources import StreamEventSource

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

POLL_INTERVAL_S = 0.25  # "4 times per second"
GET_RECORDS_LIMIT = 1000  # GetRecords' own maximum
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024  # a synchronous invocation's payload limit
MAX_STATE_BYTES = 1024 * 1024  # "Your state can be a maximum of 1 MB per shard"
# A window is over once a GetRecords call started this long after its end has answered:
# by then every record written before the end is in the stream.
WINDOW_END_GRACE_S = 0.2
# How often the stream's shards are listed again (a shard ending lists them at once).
SHARD_DISCOVERY_INTERVAL_S = 5.0
FIRST_RETRY_DELAY_S = 0.5
MAX_RETRY_DELAY_S = 8.0
# Records buffered per shard, read ahead of the batch being processed.
_READ_AHEAD = 10_000

# DynamoDB Local (3.x) names its region "ddblocal" in every ARN and record, and rounds
# each record's ApproximateCreationDateTime down to the minute (AWS: to the second). A
# window of seconds needs better, so a record of DynamoDB Local is placed when this
# poller first read it, within the minute DynamoDB Local gave (see _creation_time).
DYNAMODB_LOCAL_REGION = "ddblocal"
DYNAMODB_LOCAL_TIME_RESOLUTION_S = 60


def say(line: str) -> None:
    """One line on the devserver's stderr, where its line per request goes too."""
    sys.stderr.write(f"{time.strftime('%H:%M:%S')} {line}\n")
    sys.stderr.flush()


# --- records ------------------------------------------------------------------------


class RecordFilter:
    """A mapping's FilterCriteria: a record passes if it matches any pattern (or there is none).

    The matching is moto's implementation of EventBridge's pattern rules (the rules Lambda's
    filtering uses): equals, prefix, suffix, anything-but, numeric, exists, wildcard, $or.
    """

    def __init__(self, patterns: tuple[str, ...]) -> None:
        """Raises ValueError for a pattern Lambda would refuse (e.g. a value that is not a list)."""
        self._patterns: list[Any] = []
        if not patterns:
            return
        # moto's events module is only needed when there are patterns (it loads requests &c.)
        from moto.events.exceptions import InvalidEventPatternException
        from moto.events.models import EventPattern

        for pattern in patterns:
            try:
                self._patterns.append(EventPattern.load(pattern))
            except InvalidEventPatternException as exc:
                raise ValueError(f"filter pattern {pattern}: {exc.message}") from None

    def matches(self, record: Mapping[str, Any]) -> bool:
        return not self._patterns or any(
            pattern.matches_event(record) for pattern in self._patterns
        )


def lambda_record(
    stream_record: Mapping[str, Any],
    stream_arn: str,
    region: str,
    read_between: tuple[float, float],
) -> dict[str, Any]:
    """A record of GetRecords' answer (as boto3 parses it) as Lambda puts it in the event.

    Lambda sends each record as DynamoDB Streams has it, plus `eventSourceARN`, the stream's
    ARN; in JSON, so the creation time is epoch seconds (boto3 makes it a datetime) and
    binary values are base64 (boto3 makes them bytes). The emulators differ from AWS here:
    - DynamoDB Local says "ddblocal" for the region, and its creation times are minutes
      (see _creation_time); the region is the stack's, as a mapping reads streams of its
      own region only. Its eventIDs are UUIDs with dashes (AWS: 32 hex digits), its
      eventVersion is AWS's "1.1"; both are left as it gives them.
    - moto has creation times to the millisecond (AWS: rounded down to the second, which
      they become here), eventVersion "1.0" (left alone), and SizeBytes of its own
      reckoning.
    read_between: epoch seconds when the read before (which did not see the record) and the
    read that saw it started.
    """
    record: dict[str, Any] = _json_ready(stream_record)
    dynamodb = dict(record["dynamodb"])
    dynamodb["ApproximateCreationDateTime"] = _creation_time(stream_record, read_between)
    record["dynamodb"] = dynamodb
    record["awsRegion"] = region
    record["eventSourceARN"] = stream_arn
    return record


def _creation_time(stream_record: Mapping[str, Any], read_between: tuple[float, float]) -> int:
    """Epoch seconds, rounded down as AWS rounds them.

    DynamoDB Local's time is only the minute: the record was made in that minute, and
    between the two reads, so it is placed halfway between them, within the minute. While
    the poller keeps up (4 reads a second) that is within a fraction of a second; read long
    after (a restart catching up), the end of that minute is the nearest it can be.
    """
    created: float = stream_record["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    if stream_record.get("awsRegion") == DYNAMODB_LOCAL_REGION:
        earliest, latest = created, created + DYNAMODB_LOCAL_TIME_RESOLUTION_S - 1
        created = min(max(sum(read_between) / 2, earliest), latest)
    return math.floor(created)


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_ready(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    return value


# --- windows ------------------------------------------------------------------------


def window_of(created: int, size_s: int) -> tuple[int, int]:
    """The tumbling window [start, end) a record created at `created` (epoch seconds) is in:
    windows are aligned to the clock (a 60-second one is a clock minute)."""
    start = created - created % size_s
    return start, start + size_s


def window_timestamp(epoch_s: int) -> str:
    """As in AWS's sample events: `2020-07-30T17:00:00Z`."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- checkpoints --------------------------------------------------------------------


class Checkpoints:
    """Where each mapping got to in each shard of its stream: the last sequence number done,
    and which shards are done entirely.

    In a JSON file when given one (beside DynamoDB Local's data, which outlives the
    devserver), else in memory (moto's tables end with the devserver anyway). A stream
    other than the one a mapping's entry names (the table was made again) starts afresh.
    """

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = {}
        if path is not None and path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                say(f"devserver: ignoring unreadable stream checkpoints in {path}: {exc}")
            else:
                if isinstance(loaded, dict):
                    self._data = loaded

    def started(self, mapping_id: str, stream_arn: str) -> bool:
        """Whether the mapping has read this stream before (then no shard starts at LATEST)."""
        with self._lock:
            return self._entry(mapping_id, stream_arn) is not None

    def start(self, mapping_id: str, stream_arn: str) -> None:
        with self._lock:
            if self._entry(mapping_id, stream_arn) is None:
                self._data[mapping_id] = {"streamArn": stream_arn, "shards": {}}
                self._save()

    def position(self, mapping_id: str, stream_arn: str, shard_id: str) -> str | None:
        with self._lock:
            entry = self._entry(mapping_id, stream_arn)
            shard = (entry or {}).get("shards", {}).get(shard_id) or {}
            sequence_number = shard.get("sequenceNumber")
            return sequence_number if isinstance(sequence_number, str) else None

    def finished(self, mapping_id: str, stream_arn: str, shard_id: str) -> bool:
        with self._lock:
            entry = self._entry(mapping_id, stream_arn)
            return bool(((entry or {}).get("shards", {}).get(shard_id) or {}).get("finished"))

    def advance(
        self,
        mapping_id: str,
        stream_arn: str,
        shard_id: str,
        sequence_number: str | None,
        *,
        finished: bool = False,
    ) -> None:
        with self._lock:
            entry = self._entry(mapping_id, stream_arn)
            if entry is None:
                entry = self._data[mapping_id] = {"streamArn": stream_arn, "shards": {}}
            shard = entry["shards"].setdefault(shard_id, {})
            if sequence_number is not None:
                shard["sequenceNumber"] = sequence_number
            if finished:
                shard["finished"] = True
            self._save()

    def _entry(self, mapping_id: str, stream_arn: str) -> dict[str, Any] | None:
        entry = self._data.get(mapping_id)
        if isinstance(entry, dict) and entry.get("streamArn") == stream_arn:
            return entry
        return None

    def _save(self) -> None:
        if self._path is None:
            return
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            staging = self._path.with_name(f".{self._path.name}.{os.getpid()}")
            staging.write_text(json.dumps(self._data, indent=1), encoding="utf-8")
            staging.replace(self._path)  # whole or not at all, even if we are killed
        except OSError as exc:
            say(f"devserver: cannot save stream checkpoints to {self._path}: {exc}")


# --- clients ------------------------------------------------------------------------


@dataclass(frozen=True)
class StreamClients:
    dynamodb: DynamoDBClient
    streams: Any  # boto3's dynamodbstreams client (no type stubs installed for it)

    @classmethod
    def for_endpoint(cls, endpoint_url: str, region: str) -> StreamClients:
        """Clients of the local DynamoDB (credentials from the environment, which the
        devserver has filled with dummies where none were set)."""
        config = botocore.config.Config(
            connect_timeout=2, read_timeout=10, retries={"max_attempts": 2, "mode": "standard"}
        )
        common: dict[str, Any] = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "config": config,
        }
        return cls(
            dynamodb=boto3.client("dynamodb", **common),
            streams=boto3.client("dynamodbstreams", **common),
        )


_AWS_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


def _error_code(exc: Exception) -> str:
    if isinstance(exc, botocore.exceptions.ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


# --- one mapping ----------------------------------------------------------------------


class StreamPoller:
    """One event source mapping: a thread that finds the stream's shards, and a thread per
    shard that reads it and invokes the function."""

    def __init__(
        self,
        source: StreamEventSource,
        runner: FunctionRunner,
        clients: StreamClients,
        region: str,
        checkpoints: Checkpoints,
        *,
        max_state_bytes: int = MAX_STATE_BYTES,
    ) -> None:
        """Raises ValueError if a filter pattern is one Lambda would refuse."""
        self.source = source
        self.runner = runner
        self.clients = clients
        self.region = region
        self.checkpoints = checkpoints
        self.max_state_bytes = max_state_bytes
        self.filter = RecordFilter(source.filter_patterns)
        self.mapping_id = f"{source.function_id}.{source.event_name}"
        self.label = f"{source.table_id} stream -> {source.function_id}"
        self._stop = threading.Event()
        self._shards_changed = threading.Event()
        self._lock = threading.Lock()
        self._workers: dict[str, _ShardWorker] = {}
        self._thread = threading.Thread(
            target=self._run, name=f"{self.mapping_id}-stream", daemon=True
        )
        self._problem: str | None = None

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop reading; an invocation under way ends when its environment is stopped."""
        self._stop.set()
        self._shards_changed.set()

    def join(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        self._thread.join(max(deadline - time.monotonic(), 0))
        with self._lock:
            workers = list(self._workers.values())
        for worker in workers:
            worker.thread.join(max(deadline - time.monotonic(), 0))

    def wait(self, seconds: float) -> bool:
        """Sleep unless stopped; True if stopped."""
        return self._stop.wait(seconds)

    def shard_done(self, worker: _ShardWorker, *, finished: bool) -> None:
        """A shard's thread has ended: the shard is done (its children may start now), or
        it failed (it starts again, from its checkpoint, when the shards are next listed)."""
        with self._lock:
            if self._workers.get(worker.shard_id) is worker:
                del self._workers[worker.shard_id]
        if finished:
            self._shards_changed.set()

    def report(self, problem: str) -> None:
        """A problem with the stream, said once until it changes or goes away."""
        with self._lock:
            new, self._problem = problem != self._problem, problem
        if new:
            say(f"{self.label}: {problem}")

    def recovered(self) -> None:
        """The stream reads again after a problem: said once."""
        with self._lock:
            had_problem, self._problem = self._problem is not None, None
        if had_problem:
            say(f"{self.label}: reading the stream again")

    def _run(self) -> None:
        while not self._stop.is_set():
            self._shards_changed.clear()
            try:
                self._start_ready_shards()
            except _AWS_ERRORS as exc:
                self.report(f"cannot read the stream ({exc}); trying again")
            except Exception as exc:  # noqa: BLE001 (a poller must never take the devserver down)
                self.report(f"stopped by {exc!r}; trying again")
            self._shards_changed.wait(SHARD_DISCOVERY_INTERVAL_S)

    def _start_ready_shards(self) -> None:
        table = self.clients.dynamodb.describe_table(TableName=self.source.table_name)["Table"]
        stream_arn = table.get("LatestStreamArn")
        stream = table.get("StreamSpecification")
        if not stream or not stream.get("StreamEnabled") or not stream_arn:
            self.report(f"table {self.source.table_name} has no stream enabled; waiting for one")
            return
        shards = self._shards(stream_arn)
        first_run = not self.checkpoints.started(self.mapping_id, stream_arn)
        self.checkpoints.start(self.mapping_id, stream_arn)
        self.recovered()
        ids = {shard["ShardId"] for shard in shards}
        for shard in shards:
            shard_id = shard["ShardId"]
            with self._lock:
                running = shard_id in self._workers
            if running or self.checkpoints.finished(self.mapping_id, stream_arn, shard_id):
                continue
            parent = shard.get("ParentShardId")
            if (
                isinstance(parent, str)
                and parent in ids
                and not self.checkpoints.finished(self.mapping_id, stream_arn, parent)
            ):
                continue  # parents first
            ended = "EndingSequenceNumber" in shard.get("SequenceNumberRange", {})
            position = self.checkpoints.position(self.mapping_id, stream_arn, shard_id)
            if position is not None:
                start: dict[str, str] = {
                    "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
                    "SequenceNumber": position,
                }
            elif first_run and self.source.starting_position == "LATEST":
                if ended:  # LATEST: nothing of a shard that has ended
                    self.checkpoints.advance(
                        self.mapping_id, stream_arn, shard_id, None, finished=True
                    )
                    self._shards_changed.set()
                    continue
                start = {"ShardIteratorType": "LATEST"}
            else:
                # TRIM_HORIZON, and every shard found after the mapping started (a child
                # of one it read) from its beginning, or its first records would be lost.
                start = {"ShardIteratorType": "TRIM_HORIZON"}
            worker = _ShardWorker(self, stream_arn, shard_id, start)
            with self._lock:
                self._workers[shard_id] = worker
            worker.thread.start()

    def _shards(self, stream_arn: str) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        arguments: dict[str, Any] = {"StreamArn": stream_arn}
        while True:
            description = self.clients.streams.describe_stream(**arguments)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                return shards
            arguments["ExclusiveStartShardId"] = last


# --- one shard ----------------------------------------------------------------------


@dataclass
class _Pending:
    """A record read from the shard and not yet done with."""

    record: dict[str, Any]  # as the function gets it
    sequence_number: str
    matched: bool  # by the mapping's filter
    created: int  # epoch seconds: which window it is in
    read_at: float  # monotonic: when it was read (for the batching window)
    size: int  # bytes of JSON


@dataclass
class _Window:
    start: int
    end: int
    state: dict[str, Any] = field(default_factory=dict)
    # The last record taken into the window (sent, or filtered out): where the checkpoint
    # moves once the final invocation succeeds.
    consumed: str | None = None
    terminate_early: bool = False


@dataclass
class _Batch:
    taken: list[_Pending]  # from the head of the buffer, filtered-out records included
    records: list[dict[str, Any]]  # what the function gets
    final: bool = False
    terminated_early: bool = False


class _InvocationFailed(Exception):
    """The function's answer is one Lambda counts as a failed invocation."""


class _ShardWorker:
    def __init__(
        self, mapping: StreamPoller, stream_arn: str, shard_id: str, start: dict[str, str]
    ) -> None:
        self.mapping = mapping
        self.source = mapping.source
        self.stream_arn = stream_arn
        self.shard_id = shard_id
        self._start = start
        self._iterator: str | None = None
        self._ended = False
        self._buffer: deque[_Pending] = deque()
        self._last_read: str | None = None
        self._polled_at = 0.0  # epoch s when the last GetRecords that answered started
        self._next_poll = 0.0  # monotonic
        self._window: _Window | None = None
        self._attempts = 0  # failed invocations of the batch at the head, in a row
        self._retry_at = 0.0  # monotonic
        self._batch_cap = self.source.batch_size  # smaller while a failed batch is bisected
        self._finished = False
        self.thread = threading.Thread(
            target=self._run, name=f"{mapping.mapping_id}-{shard_id}", daemon=True
        )

    # --- the loop ---

    def _run(self) -> None:
        try:
            while not self.mapping.stopping and not self._finished:
                if not self._step():
                    self.mapping.wait(POLL_INTERVAL_S)
        except _ShardGone as exc:
            self.mapping.report(str(exc))
        except Exception as exc:  # noqa: BLE001 (a poller must never take the devserver down)
            self.mapping.report(
                f"shard {self.shard_id} stopped by {exc!r}; starting it again from its checkpoint"
            )
        finally:
            self.mapping.shard_done(self, finished=self._finished)

    def _step(self) -> bool:
        """Read and invoke what is due; False when there is nothing to do for now."""
        now = time.monotonic()
        if now < self._retry_at:
            self.mapping.wait(min(self._retry_at - now, POLL_INTERVAL_S))
            return True
        read = self._read_if_due(now)
        batch = self._next_batch(time.time(), time.monotonic())
        if batch is not None:
            self._invoke(batch)
            return True
        if self._ended and not self._buffer and self._window is None:
            # A closed shard, done: its children may start ("When the shard ends, Lambda
            # considers the window closed, and the child shards start their own window").
            self.mapping.checkpoints.advance(
                self.mapping.mapping_id, self.stream_arn, self.shard_id, None, finished=True
            )
            self._finished = True
        return read

    # --- reading ---

    def _read_if_due(self, now: float) -> bool:
        if self._ended or now < self._next_poll or len(self._buffer) >= _READ_AHEAD:
            return False
        started = time.time()
        try:
            if self._iterator is None:
                self._iterator = self._new_iterator()
            answer = self.mapping.clients.streams.get_records(
                ShardIterator=self._iterator, Limit=GET_RECORDS_LIMIT
            )
        except _AWS_ERRORS as exc:
            self._read_failed(exc)
            self._next_poll = time.monotonic() + 1.0
            return False
        self.mapping.recovered()
        read_between = (self._polled_at or started, started)
        self._polled_at = started
        read_at_monotonic = time.monotonic()
        records = answer.get("Records", [])
        for stream_record in records:
            record = lambda_record(
                stream_record, self.stream_arn, self.mapping.region, read_between
            )
            sequence_number = record["dynamodb"]["SequenceNumber"]
            self._buffer.append(
                _Pending(
                    record=record,
                    sequence_number=sequence_number,
                    matched=self.mapping.filter.matches(record),
                    created=record["dynamodb"]["ApproximateCreationDateTime"],
                    read_at=read_at_monotonic,
                    size=len(json.dumps(record)),
                )
            )
            self._last_read = sequence_number
        self._iterator = answer.get("NextShardIterator")
        if self._iterator is None:
            self._ended = True  # a closed shard, read to its end
        # More may be waiting right behind a full answer; otherwise, 4 times a second.
        full = len(records) >= GET_RECORDS_LIMIT
        self._next_poll = read_at_monotonic + (0 if full else POLL_INTERVAL_S)
        return bool(records)

    def _new_iterator(self) -> str:
        streams = self.mapping.clients.streams
        start = (
            {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self._last_read}
            if self._last_read is not None
            else self._start
        )
        try:
            return str(
                streams.get_shard_iterator(
                    StreamArn=self.stream_arn, ShardId=self.shard_id, **start
                )["ShardIterator"]
            )
        except botocore.exceptions.ClientError as exc:
            if _error_code(exc) != "TrimmedDataAccessException":
                raise
            # The position is older than the stream keeps (24 hours): Lambda too goes on
            # from the oldest record left, and what was between is lost.
            self.mapping.report(
                f"shard {self.shard_id}: records after {start.get('SequenceNumber')} are past "
                "the stream's retention; going on from the oldest one left"
            )
            return str(
                streams.get_shard_iterator(
                    StreamArn=self.stream_arn,
                    ShardId=self.shard_id,
                    ShardIteratorType="TRIM_HORIZON",
                )["ShardIterator"]
            )

    def _read_failed(self, exc: Exception) -> None:
        code = _error_code(exc)
        if code in ("ExpiredIteratorException", "TrimmedDataAccessException"):
            self._iterator = None  # a new one, from the last record read
            return
        if code == "ResourceNotFoundException":
            raise _ShardGone(f"the stream {self.stream_arn} is gone ({exc})")
        self.mapping.report(f"cannot read shard {self.shard_id} ({exc}); trying again")

    def _polled_after(self, moment: float) -> bool:
        return self._polled_at >= moment

    # --- batching ---

    def _next_batch(self, now: float, now_monotonic: float) -> _Batch | None:
        self._drop_head(now)
        window = self._window
        if window is not None and window.terminate_early:
            return _Batch([], [], final=True, terminated_early=True)
        if self.source.tumbling_window_s and window is None and self._buffer:
            start, end = window_of(self._buffer[0].created, self.source.tumbling_window_s)
            window = self._window = _Window(start, end)
        if window is not None:
            window_over = self._ended or self._polled_after(window.end + WINDOW_END_GRACE_S)
            taken, records, complete = self._take(until=window.end)
            if not records:  # nothing more of this window: a later one's record, or its end
                later_record = bool(self._buffer)
                return _Batch([], [], final=True) if later_record or window_over else None
            ready = complete or window_over
        else:
            if not self._buffer:
                return None
            taken, records, complete = self._take(until=None)
            ready = complete or self._ended
        waited = now_monotonic - taken[0].read_at
        if ready or waited >= self.source.maximum_batching_window_s:
            return _Batch(taken, records)
        return None

    def _take(self, until: int | None) -> tuple[list[_Pending], list[dict[str, Any]], bool]:
        """The next batch from the head of the buffer: up to the batch size and the payload
        limit, and (in a window) the window's records only. Complete: it cannot grow."""
        taken: list[_Pending] = []
        records: list[dict[str, Any]] = []
        payload = 0
        last_matched = -1
        for pending in self._buffer:
            if pending.matched:
                if until is not None and pending.created >= until:
                    return taken[: last_matched + 1], records, True
                if records and payload + pending.size > MAX_PAYLOAD_BYTES:
                    return taken[: last_matched + 1], records, True
                records.append(pending.record)
                payload += pending.size
                last_matched = len(taken)
            taken.append(pending)
            if len(records) >= self._batch_cap:
                return taken[: last_matched + 1], records, True
        return taken[: last_matched + 1], records, False

    def _drop_head(self, now: float) -> None:
        """Records at the head that are never sent: filtered out, or older than the
        mapping's MaximumRecordAgeInSeconds. Both move the checkpoint past them."""
        dropped: _Pending | None = None
        too_old = 0
        max_age = self.source.maximum_record_age_s
        while self._buffer:
            head = self._buffer[0]
            if head.matched and (max_age < 0 or now - head.created <= max_age):
                break
            too_old += head.matched
            dropped = self._buffer.popleft()
        if too_old:
            say(f"{self.mapping.label}: skipped {too_old} record(s) older than {max_age} s")
        if dropped is not None:
            self._consumed(dropped.sequence_number)

    def _consumed(self, sequence_number: str) -> None:
        """Records up to this one are done with: checkpointed now, or (in a window) when the
        window's final invocation succeeds."""
        if self._window is not None:
            self._window.consumed = sequence_number
        else:
            self.mapping.checkpoints.advance(
                self.mapping.mapping_id, self.stream_arn, self.shard_id, sequence_number
            )

    # --- invoking ---

    def _event(self, batch: _Batch) -> dict[str, Any]:
        event: dict[str, Any] = {"Records": batch.records}
        window = self._window
        if window is None:
            return event
        return {
            **event,
            "window": {
                "start": window_timestamp(window.start),
                "end": window_timestamp(window.end),
            },
            "state": window.state,
            "shardId": self.shard_id,
            "eventSourceARN": self.stream_arn,
            "isFinalInvokeForWindow": batch.final,
            "isWindowTerminatedEarly": batch.terminated_early,
        }

    def _invoke(self, batch: _Batch) -> None:
        started = time.monotonic()
        try:
            result = self.mapping.runner.invoke(self._event(batch))
            retry_from, state = self._judge(batch, result)
        except (FunctionError, _InvocationFailed) as exc:
            if not self.mapping.stopping:  # else it failed because the devserver stops
                self._failed(batch, str(exc))
            return
        took = f"({(time.monotonic() - started) * 1000:.0f} ms)"
        if retry_from is not None:
            self._partly_failed(batch, retry_from, state, took)
            return
        self._attempts, self._retry_at, self._batch_cap = 0, 0.0, self.source.batch_size
        say(f"{self.mapping.label}: {self._describe(batch)} {took}")
        self._done(batch, state)

    def _judge(self, batch: _Batch, result: Any) -> tuple[int | None, dict[str, Any] | None]:
        """(the index of the record to go on from, or None: all done; the window's new state)."""
        state: dict[str, Any] | None = None
        if self._window is not None:
            # "If the response does not contain a state property, Lambda considers this a
            # failed invocation."
            if not isinstance(result, dict) or not isinstance(result.get("state"), dict):
                raise _InvocationFailed(
                    f"{self.source.function_id} returned no state: in a tumbling window it "
                    'must return {"state": {...}}'
                )
            state = result["state"]
        if not self.source.report_batch_item_failures or not batch.records:
            return None, state
        failures = result.get("batchItemFailures") if isinstance(result, dict) else None
        if not failures:  # none, null or [] (or no response): a complete success
            return None, state
        if not isinstance(failures, list):
            raise _InvocationFailed(f"batchItemFailures is not a list: {failures!r}")
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch.records]
        positions = []
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, dict) else None
            if not isinstance(identifier, str) or identifier not in sequence_numbers:
                # Empty, null, under another key, or naming no record of the batch.
                raise _InvocationFailed(f"batchItemFailures has an invalid entry {failure!r}")
            positions.append(sequence_numbers.index(identifier))
        return min(positions), state

    def _done(self, batch: _Batch, state: dict[str, Any] | None) -> None:
        for _ in batch.taken:
            self._buffer.popleft()
        window = self._window
        if window is None:
            if batch.taken:
                self._consumed(batch.taken[-1].sequence_number)
            return
        if batch.taken:
            window.consumed = batch.taken[-1].sequence_number
        if not batch.final:
            window.state = state or {}
            window.terminate_early = len(json.dumps(window.state)) > self.mapping.max_state_bytes
            return
        # The window's results are handled: its records are done with.
        self.mapping.checkpoints.advance(
            self.mapping.mapping_id, self.stream_arn, self.shard_id, window.consumed
        )
        if (
            batch.terminated_early
        ):  # "Subsequent invoke will continue the same window with a fresh state"
            window.state, window.terminate_early = {}, False
        else:
            self._window = None

    def _partly_failed(
        self, batch: _Batch, retry_from: int, state: dict[str, Any] | None, took: str
    ) -> None:
        """Records before the one reported are done (and in the state returned with them);
        the rest is a failed batch of its own. (The guide says which record Lambda goes on
        from, not which state: the state returned with the failure is the one that has
        the records done.) With BisectBatchOnFunctionError too, "the batch is bisected at
        the returned sequence number and Lambda retries only the remaining records"."""
        failed = batch.records[retry_from]["dynamodb"]["SequenceNumber"]
        done = [pending for pending in batch.taken if int(pending.sequence_number) < int(failed)]
        self._done(_Batch(done, batch.records[:retry_from]), state)
        rest = _Batch(batch.taken[len(done) :], batch.records[retry_from:])
        self._failed(rest, f"it reported record {failed} as failed {took}", bisect=False)

    def _failed(self, batch: _Batch, reason: str, *, bisect: bool = True) -> None:
        """Retry the batch (same records, same state) after a pause, or give up on it once
        MaximumRetryAttempts retries have failed."""
        if bisect and self.source.bisect_batch_on_function_error and len(batch.records) > 1:
            # "Splitting a batch does not count towards the retry quota."
            self._batch_cap = math.ceil(len(batch.records) / 2)
            delay = self._retry_delay()
            say(
                f"{self.mapping.label}: failed ({reason}); retrying the first "
                f"{self._batch_cap} of its {len(batch.records)} records in {delay:g} s"
            )
            return
        if 0 <= self.source.maximum_retry_attempts <= self._attempts:
            # Lambda would send the batch's details to the on-failure destination.
            say(
                f"{self.mapping.label}: failed ({reason}); giving up on "
                f"{self._describe(batch)} after {self._attempts} retries "
                f"(MaximumRetryAttempts {self.source.maximum_retry_attempts})"
            )
            self._attempts, self._retry_at, self._batch_cap = 0, 0.0, self.source.batch_size
            self._done(batch, self._window.state if self._window else None)
            return
        self._attempts += 1
        delay = self._retry_delay()
        say(
            f"{self.mapping.label}: failed ({reason}); retrying the same "
            f"{self._describe(batch)} in {delay:g} s"
        )

    def _retry_delay(self) -> float:
        delay: float = min(FIRST_RETRY_DELAY_S * 2 ** max(self._attempts - 1, 0), MAX_RETRY_DELAY_S)
        self._retry_at = time.monotonic() + delay
        return delay

    def _describe(self, batch: _Batch) -> str:
        window = self._window
        if window is None:
            return f"{len(batch.records)} record(s)"
        span = f"{_clock(window.start)}-{_clock(window.end)}"
        if batch.final:
            early = ", terminated early: its state passed 1 MB" if batch.terminated_early else ""
            return f"end of window {span}{early}"
        return f"{len(batch.records)} record(s) of window {span}"


def _clock(epoch_s: int) -> str:
    return time.strftime("%H:%M:%S", time.localtime(epoch_s))


class _ShardGone(Exception):
    """The stream is no more (the table was deleted or its stream switched off)."""


# --- all of them ----------------------------------------------------------------------


def start_stream_pollers(
    sources: list[StreamEventSource],
    runners: Mapping[str, FunctionRunner],
    clients: StreamClients,
    region: str,
    checkpoints: Checkpoints,
    report: Callable[[str], None],
) -> list[StreamPoller]:
    """A started poller for each enabled mapping; report says what each does (or why not)."""
    pollers: list[StreamPoller] = []
    for source in sources:
        if not source.enabled:
            report(f"{source.where}: disabled (Enabled: false), its stream is not read")
            continue
        try:
            poller = StreamPoller(source, runners[source.function_id], clients, region, checkpoints)
        except ValueError as exc:
            report(f"{source.where}: skipped: {exc}")
            continue
        poller.start()
        pollers.append(poller)
    return pollers


def stop_stream_pollers(pollers: list[StreamPoller], timeout: float = 2.0) -> None:
    """Stop them together; an invocation still running ends when the functions stop."""
    for poller in pollers:
        poller.stop()
    deadline = time.monotonic() + timeout
    for poller in pollers:
        with contextlib.suppress(RuntimeError):  # never started
            poller.join(max(deadline - time.monotonic(), 0))
