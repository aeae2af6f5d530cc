"""`python -m devserver` runs a template's DynamoDB stream event source as `make dev` does:
a change made through the HTTP API reaches the stream's function within seconds, in the
event Lambda sends (compared with AWS's own sample, `sam local generate-event dynamodb
update`), on moto and on DynamoDB Local."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from devserver.dynamodb_backends import find_dynamodb_local
from tests.devserver.conftest import (
    REPO_ROOT,
    DevserverProcess,
    devserver_environment,
    http_request,
    write_project,
)

pytestmark = pytest.mark.slow

SAM = Path(os.environ.get("SAM") or REPO_ROOT / ".venv-sam" / "bin" / "sam")

# template.yaml's shape for issue 12's aggregator, with a function that records its events.
TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ClickStatsWindowSeconds: {Type: Number, Default: 60, MinValue: 1, MaxValue: 900}
Globals:
  Function:
    Runtime: python3.13
    CodeUri: code/
    Environment:
      Variables:
        TABLE_NAME: !Ref LinksTable
Resources:
  ClickFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.click.handler
      Events:
        Click: {Type: HttpApi, Properties: {Method: POST, Path: "/clicks/{key}"}}
  ClickStatsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.recorder.handler
      Events:
        Clicks:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: TRIM_HORIZON
            BatchSize: 1000
            TumblingWindowInSeconds: !Ref ClickStatsWindowSeconds
            FunctionResponseTypes: [ReportBatchItemFailures]
            FilterCriteria:
              Filters:
                - Pattern: >-
                    {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"SK": {"S": ["META"]},
                    "click": {"M": {"u": {"S": [{"exists": true}]}}}}}}
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-links"
      AttributeDefinitions:
        - {AttributeName: PK, AttributeType: S}
        - {AttributeName: SK, AttributeType: S}
      KeySchema:
        - {AttributeName: PK, KeyType: HASH}
        - {AttributeName: SK, KeyType: RANGE}
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamViewType: NEW_IMAGE}
"""

HANDLERS = {
    # A click as the redirect records one: the first makes the item (an INSERT, which
    # the filter drops), each one after is a MODIFY carrying the click.
    "click": """
import os

import boto3

_client = None


def handler(event, context):
    global _client
    _client = _client or boto3.client("dynamodb")
    _client.update_item(
        TableName=os.environ["TABLE_NAME"],
        Key={"PK": {"S": "LINK#" + event["pathParameters"]["key"]}, "SK": {"S": "META"}},
        UpdateExpression="ADD clicks :one SET click = :click",
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":click": {"M": {"u": {"S": event["headers"].get("user-agent", "")}}},
        },
    )
    return {"statusCode": 204}
""",
    "recorder": """
import json
import os


def handler(event, context):
    with open(os.environ["RECEIVED"], "a") as received:
        received.write(json.dumps(event) + "\\n")
    clicks = dict(event["state"])
    for record in event["Records"]:
        key = record["dynamodb"]["Keys"]["PK"]["S"]
        clicks[key] = clicks.get(key, 0) + 1
    return {"state": clicks}
""",
}

# What Lambda adds to a DynamoDB Streams event with a tumbling window (AWS's
# DynamodbTimeWindowEvent sample in the Lambda developer guide, "Time windows").
WINDOW_FIELDS = {
    "Records": list,
    "window": dict,
    "state": dict,
    "shardId": str,
    "eventSourceARN": str,
    "isFinalInvokeForWindow": bool,
    "isWindowTerminatedEarly": bool,
}


@pytest.fixture(scope="module")
def aws_sample_record() -> dict[str, Any] | None:
    """The first record of AWS's sample DynamoDB Streams event, or None without the SAM CLI."""
    if not SAM.is_file():
        return None
    completed = subprocess.run(
        [str(SAM), "local", "generate-event", "dynamodb", "update"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )
    record: dict[str, Any] = json.loads(completed.stdout)["Records"][0]
    return record


def fields(record: dict[str, Any]) -> dict[str, type]:
    """Dotted path -> JSON type, for a record and its `dynamodb` part."""
    found = {key: type(value) for key, value in record.items()}
    found.update({f"dynamodb.{key}": type(value) for key, value in record["dynamodb"].items()})
    return found


@pytest.mark.parametrize("dynamodb", ["moto", "local"])
def test_a_click_reaches_the_stream_function_within_seconds_in_lambdas_event(
    tmp_path: Path, dynamodb: str, aws_sample_record: dict[str, Any] | None
) -> None:
    if dynamodb == "local" and find_dynamodb_local()[0] is None:
        pytest.skip(f"DynamoDB Local cannot run here: {find_dynamodb_local()[1]}")
    # Given the devserver on a template whose function reads the table's stream in
    # one-second windows, as make dev passes ClickStatsWindowSeconds
    fixture = write_project(tmp_path / "project", TEMPLATE, HANDLERS)
    received = tmp_path / "received.jsonl"
    data_dir = tmp_path / "dynamodb-data"
    server = DevserverProcess(
        args=[
            "--port",
            "0",
            "--template",
            str(fixture.template),
            "--web-dir",
            str(fixture.web_dir),
            "--data-dir",
            str(data_dir),
            "--dynamodb",
            dynamodb,
            "--parameter-overrides",
            "ClickStatsWindowSeconds=1",
        ],
        env=devserver_environment(RECEIVED=str(received)),
    )
    port = server.start()
    try:
        assert (
            "Stream LinksTable -> ClickStatsFunction (Clicks): batches of up to 1000, tumbling "
            "windows of 1 s, 1 filter(s), from TRIM_HORIZON\n"
        ) in server.stdout

        # When a link is made, then clicked
        for _ in range(2):
            status = http_request(port, "POST", "/clicks/abc", [("User-Agent", "Firefox")]).status
            assert status == 204
        clicked = time.monotonic()

        # Then within seconds the function has the click, and the window's final invocation
        events = wait_for_final(received, timeout=10)
        took = time.monotonic() - clicked
    finally:
        assert server.stop() == 0, server.output()
    assert took < 5, f"{took:.1f} s"

    # Only the click (a MODIFY) passed the filter; the creation (an INSERT) did not
    (event, *_, final) = events
    assert [record["eventName"] for event in events for record in event["Records"]] == ["MODIFY"]
    assert final["state"] == {"LINK#abc": 1}
    assert final["isFinalInvokeForWindow"] is True

    # And the event is Lambda's: the window's fields ...
    for sent in events:
        assert {key: type(value) for key, value in sent.items()} == WINDOW_FIELDS
    (record,) = event["Records"]
    assert event["eventSourceARN"] == record["eventSourceARN"]
    assert set(event["window"]) == {"start", "end"}
    # ... and each record as AWS's sample has it: every field, with the same JSON type
    # (a NEW_IMAGE stream has no OldImage)
    assert record["eventSource"] == "aws:dynamodb"
    assert record["awsRegion"] == "us-east-1"
    assert record["dynamodb"]["StreamViewType"] == "NEW_IMAGE"
    assert record["dynamodb"]["Keys"] == {"PK": {"S": "LINK#abc"}, "SK": {"S": "META"}}
    assert record["dynamodb"]["NewImage"]["click"] == {"M": {"u": {"S": "Firefox"}}}
    assert record["dynamodb"]["NewImage"]["clicks"] == {"N": "2"}
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    assert isinstance(created, int)
    assert abs(created - time.time()) < 60
    if aws_sample_record is not None:
        expected = {
            path: kind
            for path, kind in fields(aws_sample_record).items()
            if path != "dynamodb.OldImage"
        }
        assert fields(record) == expected

    # And each invocation was one line on the console, as a request is
    lines = [line for line in server.stderr if "LinksTable stream -> ClickStatsFunction" in line]
    assert any("1 record(s) of window" in line for line in lines), server.output()
    assert any("end of window" in line for line in lines), server.output()
    # And a mapping reading DynamoDB Local's stream keeps its place beside the data
    checkpoints = data_dir / "stream-checkpoints.json"
    assert checkpoints.exists() == (dynamodb == "local")


def wait_for_final(received: Path, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if received.exists():
            events = [json.loads(line) for line in received.read_text().splitlines()]
            if any(event["isFinalInvokeForWindow"] for event in events):
                return events
        time.sleep(0.05)
    pytest.fail(f"no final invocation within {timeout} s")
