"""`python -m devserver --item-write-limit N`: the functions reach DynamoDB through the
throttling proxy, and all their execution environments share its per-item budgets."""

from __future__ import annotations

import json
import re
import signal
import urllib.request
from pathlib import Path

import pytest

from devserver.__main__ import parse_args, throttling_limits
from devserver.dynamodb_throttling import (
    DEFAULT_ITEM_READS_PER_SECOND,
    DEFAULT_ITEM_WRITES_PER_SECOND,
    ThrottlingLimits,
)
from devserver.dynamodb_throttling_proxy import REPORT_PATH
from tests.devserver.conftest import (
    DevserverProcess,
    devserver_environment,
    http_request,
    write_project,
)

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  ClickFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      CodeUri: code/
      Handler: PKG.clicks.handler
      Environment:
        Variables:
          TABLE_NAME: !Ref LinksTable
      Events:
        Click: {Type: HttpApi, Properties: {Method: POST, Path: "/clicks/{id}"}}
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
"""

# Five clicks on one item as fast as it can, retries off: which ones DynamoDB took.
HANDLERS = {
    "clicks": """
import json
import os

import boto3
import botocore.config
import botocore.exceptions


def handler(event, context):
    client = boto3.client(
        "dynamodb", config=botocore.config.Config(retries={"total_max_attempts": 1})
    )
    outcomes = []
    for _ in range(5):
        try:
            client.update_item(
                TableName=os.environ["TABLE_NAME"],
                Key={"PK": {"S": "LINK#" + event["pathParameters"]["id"]}, "SK": {"S": "META"}},
                UpdateExpression="ADD clicks :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )
            outcomes.append("ok")
        except botocore.exceptions.ClientError as exc:
            outcomes.append(exc.response["Error"]["Code"])
    body = {"outcomes": outcomes, "endpoint": os.environ["AWS_ENDPOINT_URL_DYNAMODB"]}
    return {"statusCode": 200, "body": json.dumps(body)}
""",
}


def test_throttling_is_off_unless_a_limit_is_given() -> None:
    assert throttling_limits(parse_args([], environ={})) is None


def test_a_limit_given_leaves_the_other_at_dynamodbs() -> None:
    writes = parse_args(["--item-write-limit", "50"], environ={})
    reads = parse_args(
        ["--item-read-limit", "20", "--partition-prefix", "SHARD#", "--partition-prefix", "X#"],
        environ={},
    )

    assert throttling_limits(writes) == ThrottlingLimits(50, DEFAULT_ITEM_READS_PER_SECOND)
    assert throttling_limits(reads) == ThrottlingLimits(
        DEFAULT_ITEM_WRITES_PER_SECOND, 20, ("SHARD#", "X#")
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--item-write-limit", "0"],
        ["--item-read-limit", "-5"],
        ["--item-write-limit", "fast"],
        ["--partition-prefix", "SHARD#"],  # a partition without a limit means nothing
    ],
)
def test_limits_that_mean_nothing_are_refused(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv, environ={})

    assert "item-" in capsys.readouterr().err


@pytest.mark.slow
def test_the_functions_reach_dynamodb_through_the_throttling_proxy(tmp_path: Path) -> None:
    fixture = write_project(tmp_path / "project", TEMPLATE, HANDLERS)
    server = DevserverProcess(
        args=[
            "--port",
            "0",
            "--template",
            str(fixture.template),
            "--web-dir",
            str(fixture.web_dir),
            "--dynamodb",
            "moto",
            "--item-write-limit",
            "1",
        ],
        env=devserver_environment(),
    )
    port = server.start()
    try:
        line = server.line_starting("DynamoDB throttling: ")
        proxy = re.search(r"at (http://127\.0\.0\.1:\d+) in front of", line)
        assert proxy is not None, line
        response = http_request(port, "POST", "/clicks/hot")
        with urllib.request.urlopen(proxy.group(1) + REPORT_PATH, timeout=10) as answer:
            report = json.load(answer)
    finally:
        assert server.stop(signal.SIGINT) == 0

    assert response.status == 200, response.body
    clicks = json.loads(response.body)
    assert clicks["endpoint"] == proxy.group(1)
    # 1 write a second: five writes in a row cannot all pass unless they took 4 s.
    outcomes = clicks["outcomes"]
    assert outcomes[0] == "ok"
    assert "ProvisionedThroughputExceededException" in outcomes
    assert set(outcomes) == {"ok", "ProvisionedThroughputExceededException"}
    refused = outcomes.count("ProvisionedThroughputExceededException")
    assert report["operations"]["UpdateItem"] == {"requests": 5, "refused": refused}
    assert f"{refused} refused as throttled" in server.output()
