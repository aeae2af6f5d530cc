"""A stream event source runs as Lambda runs it: the table's real stream (moto's and DynamoDB
Local's), a real function in its execution environment, and what Lambda promises about
batches, filters, tumbling windows, state, retries and reported failures.

The function records every event it gets, in order, in a file; what it does with a record
comes from the record's item (`fail`: raise, or return no state, or report the record as
failed, each the first time it sees the record only, or always).
"""

from __future__ import annotations

import calendar
import contextlib
import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from devserver.dynamodb_tables import ensure_table
from devserver.execution_environments import FunctionRunner
from devserver.functions import function_environment
from devserver.stream_pollers import (
    MAX_STATE_BYTES,
    Checkpoints,
    StreamClients,
    StreamPoller,
    stop_stream_pollers,
)
from sam_template.application import load_application
from tests.devserver.conftest import REGION, write_project
from tests.dynamodb_servers import admin_client

pytestmark = pytest.mark.usefixtures("sdk_environment")

TEMPLATE = """
Parameters:
  TableName: {Type: String}
  Window: {Type: Number, Default: 0}
  BatchSize: {Type: Number, Default: 100}
  BatchingWindow: {Type: Number, Default: 0}
  Retries: {Type: Number, Default: -1}
  Bisect: {Type: String, Default: "false"}
  Start: {Type: String, Default: TRIM_HORIZON}
Resources:
  RecorderFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code/
      Handler: PKG.recorder.handler
      Timeout: 10
      Events:
        Changes:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt Table.StreamArn
            StartingPosition: !Ref Start
            BatchSize: !Ref BatchSize
            MaximumBatchingWindowInSeconds: !Ref BatchingWindow
            TumblingWindowInSeconds: !Ref Window
            MaximumRetryAttempts: !Ref Retries
            BisectBatchOnFunctionError: !Ref Bisect
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: >-
                    {"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["click"]}}}}
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Ref TableName
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamViewType: NEW_IMAGE}
"""

HANDLERS = {
    "recorder": """
import json
import os


def handler(event, context):
    path = os.environ["RECEIVED"]
    seen = set()
    if os.path.exists(path):
        with open(path) as received:
            for line in received:
                seen.update(record["eventID"] for record in json.loads(line)["Records"])
    with open(path, "a") as received:
        received.write(json.dumps(event) + "\\n")
    windowed = "window" in event
    done = list((event.get("state") or {}).get("done", []))
    for record in event["Records"]:
        fail = record["dynamodb"]["NewImage"].get("fail", {}).get("S")
        if fail == "always" or (fail and record["eventID"] not in seen):
            if fail in ("raise", "always"):
                raise RuntimeError("failure injected")
            if fail == "no-state":
                return {"batchItemFailures": []}
            if fail == "report":
                failure = {"itemIdentifier": record["dynamodb"]["SequenceNumber"]}
                return {"state": {"done": done}, "batchItemFailures": [failure]}
        done.append(record["dynamodb"]["Keys"]["PK"]["S"])
    return {"state": {"done": done}} if windowed else {"batchItemFailures": []}
"""
}


@dataclass
class Stream:
    """A table with a stream, and a poller invoking the recorder function from it."""

    endpoint_url: str
    table_name: str
    received: Path
    start_poller: Callable[[], StreamPoller]

    def put(self, *keys: str, kind: str = "click", fail: str | None = None) -> None:
        """Items in one BatchWriteItem: their records reach the stream together."""
        items = [
            {"PK": {"S": key}, "kind": {"S": kind}, **({"fail": {"S": fail}} if fail else {})}
            for key in keys
        ]
        admin_client(self.endpoint_url).batch_write_item(
            RequestItems={self.table_name: [{"PutRequest": {"Item": item}} for item in items]}
        )

    def events(self) -> list[dict[str, Any]]:
        if not self.received.exists():
            return []
        return [json.loads(line) for line in self.received.read_text().splitlines()]

    def wait_for(
        self, done: Callable[[list[dict[str, Any]]], bool], timeout: float = 20
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events()
            if done(events):
                return events
            time.sleep(0.1)
        pytest.fail(f"not done within {timeout} s: {json.dumps(self.events(), indent=1)}")


@contextlib.contextmanager
def stream(
    tmp_path: Path,
    endpoint_url: str,
    checkpoints: Path | None = None,
    max_state_bytes: int = MAX_STATE_BYTES,
    **settings: str,
) -> Iterator[Stream]:
    table_name = f"stream-{uuid.uuid4().hex[:12]}"
    root = tmp_path / table_name  # a test may run more than one
    fixture = write_project(root, TEMPLATE, HANDLERS)
    application = load_application(fixture.template, REGION, {"TableName": table_name, **settings})
    assert application.problems == []
    (table,) = application.tables
    ensure_table(admin_client(endpoint_url), table)
    (source,) = application.event_sources
    (function,) = application.functions
    received = root / "received.jsonl"
    environment = function_environment(function, {**os.environ, "RECEIVED": str(received)})
    runner = FunctionRunner(function, environment, max_environments=1)
    clients = StreamClients.for_endpoint(endpoint_url, REGION)
    pollers: list[StreamPoller] = []

    def start_poller() -> StreamPoller:
        poller = StreamPoller(
            source,
            runner,
            clients,
            REGION,
            Checkpoints(checkpoints),
            max_state_bytes=max_state_bytes,
        )
        poller.start()
        pollers.append(poller)
        return poller

    try:
        yield Stream(endpoint_url, table_name, received, start_poller)
    finally:
        stop_stream_pollers(pollers)
        runner.close()


@pytest.fixture
def streams(tmp_path: Path) -> Iterator[Callable[..., Stream]]:
    """stream(endpoint_url, checkpoints=None, max_state_bytes=..., **template parameters):
    a running stream, stopped with its function at the end of the test."""
    with contextlib.ExitStack() as stack:
        yield lambda *args, **settings: stack.enter_context(stream(tmp_path, *args, **settings))


def keys(event: dict[str, Any]) -> list[str]:
    return [record["dynamodb"]["Keys"]["PK"]["S"] for record in event["Records"]]


def with_records(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [event for event in events if event["Records"]]


def finished(*expected: str) -> Callable[[list[dict[str, Any]]], bool]:
    """Every window holding these keys has had its final invocation."""

    def done(events: list[dict[str, Any]]) -> bool:
        finals = [event for event in events if event.get("isFinalInvokeForWindow")]
        return sorted(key for event in finals for key in event["state"].get("done", [])) == sorted(
            expected
        )

    return done


def epoch(timestamp: str) -> int:
    return calendar.timegm(time.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ"))


def early_in_a_window(size_s: int) -> None:
    """Sleep until a little after a window starts, so that writes made now fall in one."""
    time.sleep(size_s - time.time() % size_s + 0.3)


# --- tumbling windows ---------------------------------------------------------------


def test_windows_pass_the_state_along_and_end_with_a_final_invocation(
    streams: Callable[..., Stream], dynamodb_endpoint: str
) -> None:
    # Given a mapping with 2-second windows, batches of 2, and a filter for clicks
    running = streams(dynamodb_endpoint, Window="2", BatchSize="2", BatchingWindow="1")
    running.start_poller()

    # When five clicks and two other changes reach the stream
    running.put("c1", "c2", "c3")
    running.put("o1", "o2", kind="other")
    running.put("c4", "c5")
    events = running.wait_for(finished("c1", "c2", "c3", "c4", "c5"))

    # Then every click reached the function once, in order, and nothing else did
    assert [key for event in events for key in keys(event)] == ["c1", "c2", "c3", "c4", "c5"]
    assert all(len(event["Records"]) <= 2 for event in events)
    windows: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        windows.setdefault(event["window"]["start"], []).append(event)
    for window_events in windows.values():
        window = window_events[0]["window"]
        start, end = epoch(window["start"]), epoch(window["end"])
        # And windows are aligned to the clock, each record created within its window
        assert (end - start, start % 2) == (2, 0)
        for event in window_events:
            assert event["window"] == window
            for record in event["Records"]:
                assert start <= record["dynamodb"]["ApproximateCreationDateTime"] < end
        # And the state starts empty; each invocation gets what the one before returned
        done: list[str] = []
        for event in window_events:
            assert event["state"] == ({"done": done} if done else {})
            done = [*done, *keys(event)]
        # And the window's last invocation is its final one, with no records
        *aggregating, final = window_events
        assert final["isFinalInvokeForWindow"] is True
        assert final["Records"] == []
        assert aggregating
        assert not any(event["isFinalInvokeForWindow"] for event in aggregating)
        assert not any(event["isWindowTerminatedEarly"] for event in window_events)
        assert len({event["shardId"] for event in window_events}) == 1
        assert "/stream/" in final["eventSourceARN"]


def test_a_failed_invocation_is_retried_with_the_same_records_and_state(
    streams: Callable[..., Stream], dynamodb_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    running = streams(dynamodb_endpoint, Window="2", BatchSize="1")
    running.start_poller()
    early_in_a_window(2)

    # When the function raises on one record, and returns no state for another
    running.put("first")
    running.put("raises", fail="raise")
    running.put("stateless", fail="no-state")
    events = running.wait_for(finished("first", "raises", "stateless"))

    # Then each failed invocation is followed by one with the same records and state
    aggregating = with_records(events)
    assert [keys(event) for event in aggregating] == [
        ["first"],
        ["raises"],
        ["raises"],
        ["stateless"],
        ["stateless"],
    ]
    for failed, retry in (aggregating[1:3], aggregating[3:5]):
        assert retry["Records"] == failed["Records"]
        assert retry["state"] == failed["state"]
        assert retry["window"] == failed["window"]
    assert aggregating[3]["state"] == {"done": ["first", "raises"]}
    # And each failure is one line on the console
    failures = [line for line in capsys.readouterr().err.splitlines() if ": failed (" in line]
    assert len(failures) == 2, failures
    assert "RecorderFunction raised RuntimeError('failure injected')" in failures[0]
    assert "returned no state" in failures[1]
    assert all("retrying the same 1 record(s) of window" in line for line in failures)


def test_a_reported_failure_restarts_the_batch_from_that_record(
    streams: Callable[..., Stream], dynamodb_endpoint: str
) -> None:
    # Given batches of 3 that wait up to a second to fill
    running = streams(dynamodb_endpoint, Window="2", BatchSize="3", BatchingWindow="1")
    running.start_poller()
    early_in_a_window(2)

    # When the function reports the middle record of a batch as failed
    running.put("before")
    running.put("reported", fail="report")
    running.put("after")
    events = running.wait_for(finished("before", "reported", "after"))

    # Then the next invocation starts at that record, with the state returned with the report
    aggregating = with_records(events)
    assert [keys(event) for event in aggregating][:2] == [
        ["before", "reported", "after"],
        ["reported", "after"],
    ]
    assert aggregating[1]["state"] == {"done": ["before"]}


def test_a_state_over_its_limit_ends_the_window_early(
    streams: Callable[..., Stream], moto_endpoint: str
) -> None:
    # Given a state limit of 10 bytes (Lambda's is 1 MB per shard)
    running = streams(moto_endpoint, max_state_bytes=10, Window="2", BatchSize="1")
    running.start_poller()

    running.put("a")
    running.put("b")
    events = running.wait_for(
        lambda events: sum(event["isWindowTerminatedEarly"] for event in events) == 2
    )

    # Then a state over it is handed to a final invocation at once, and the window goes on
    # with a fresh state
    aggregating = [event for event in events if not event["isFinalInvokeForWindow"]]
    early = [event for event in events if event["isWindowTerminatedEarly"]]
    assert [keys(event) for event in aggregating] == [["a"], ["b"]]
    assert [event["state"] for event in aggregating] == [{}, {}]
    assert [event["state"] for event in early] == [{"done": ["a"]}, {"done": ["b"]}]
    assert all(event["isFinalInvokeForWindow"] and not event["Records"] for event in early)
    assert events.index(early[0]) == events.index(aggregating[0]) + 1


# --- batches without windows --------------------------------------------------------


def test_without_windows_batches_fill_up_to_their_size_and_carry_no_window(
    streams: Callable[..., Stream], moto_endpoint: str
) -> None:
    running = streams(moto_endpoint, BatchSize="2", BatchingWindow="1")
    running.start_poller()

    running.put("a", "b", "c")
    events = running.wait_for(lambda events: sum(len(event["Records"]) for event in events) == 3)

    assert [keys(event) for event in events] == [["a", "b"], ["c"]]
    assert all(list(event) == ["Records"] for event in events)  # no window, no state


def test_a_reported_failure_without_windows_retries_from_that_record(
    streams: Callable[..., Stream], moto_endpoint: str
) -> None:
    running = streams(moto_endpoint, BatchSize="3", BatchingWindow="1")
    running.start_poller()

    running.put("before")
    running.put("reported", fail="report")
    running.put("after")
    events = running.wait_for(lambda events: len(events) == 2)

    assert [keys(event) for event in events] == [
        ["before", "reported", "after"],
        ["reported", "after"],
    ]


def test_a_restarted_mapping_goes_on_from_its_checkpoint(
    streams: Callable[..., Stream], moto_endpoint: str, tmp_path: Path
) -> None:
    checkpoints = tmp_path / "checkpoints.json"
    running = streams(moto_endpoint, checkpoints)
    first = running.start_poller()
    running.put("before-restart")
    running.put("other", kind="other")  # filtered out: checkpointed all the same
    running.wait_for(lambda events: len(events) == 1)
    time.sleep(0.5)  # the filtered record is read and passed
    stop_stream_pollers([first])

    running.put("after-restart")
    running.start_poller()
    events = running.wait_for(lambda events: len(events) == 2)

    assert [keys(event) for event in events] == [["before-restart"], ["after-restart"]]
    assert list(json.loads(checkpoints.read_text())) == ["RecorderFunction.Changes"]


def test_trim_horizon_starts_at_the_oldest_record_and_latest_after_the_newest(
    streams: Callable[..., Stream], moto_endpoint: str, tmp_path: Path
) -> None:
    trim_horizon = streams(moto_endpoint)
    trim_horizon.put("old")
    trim_horizon.start_poller()
    assert [keys(event) for event in trim_horizon.wait_for(bool)] == [["old"]]

    latest = streams(moto_endpoint, tmp_path / "latest.json", Start="LATEST")
    latest.put("old")
    latest.start_poller()
    deadline = time.monotonic() + 10
    while not (tmp_path / "latest.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # the mapping has found the stream; its shard reader starts now
    time.sleep(0.5)
    latest.put("new")

    assert [keys(event) for event in latest.wait_for(bool)] == [["new"]]


def test_after_its_retries_a_batch_is_given_up_and_the_shard_goes_on(
    streams: Callable[..., Stream], moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    running = streams(moto_endpoint, BatchSize="1", Retries="1")
    running.start_poller()

    running.put("poison", fail="always")
    running.put("next")
    events = running.wait_for(lambda events: ["next"] in [keys(event) for event in events])

    assert [keys(event) for event in events] == [["poison"], ["poison"], ["next"]]
    assert "giving up on 1 record(s) after 1 retries" in capsys.readouterr().err


def test_bisecting_a_failed_batch_isolates_the_bad_record(
    streams: Callable[..., Stream], moto_endpoint: str
) -> None:
    running = streams(moto_endpoint, BatchSize="4", BatchingWindow="1", Retries="0", Bisect="true")
    running.start_poller()

    running.put("a", "b")
    running.put("poison", fail="always")
    running.put("d")
    events = running.wait_for(lambda events: bool(events) and keys(events[-1]) == ["d"])

    # Halves, retried without counting against MaximumRetryAttempts 0, until the bad
    # record is alone: then it is given up on, and the rest goes through.
    assert [keys(event) for event in events] == [
        ["a", "b", "poison", "d"],
        ["a", "b"],
        ["poison", "d"],
        ["poison"],
        ["d"],
    ]
