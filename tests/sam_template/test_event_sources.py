"""A function's DynamoDB events are the event source mappings Lambda runs for it: which
table's stream, with Lambda's defaults, and refused where Lambda would refuse them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sam_template.application import Application, load_application
from sam_template.event_sources import StreamEventSource

REGION = "us-east-1"

# The shape issue 12 gives template.yaml, plus what a template may get wrong.
TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  ClickStatsWindowSeconds: {Type: Number, Default: 60, MinValue: 1, MaxValue: 900}
  Date: {Type: String, Default: "2024-01-01T00:00:00.000"}
Globals:
  Function:
    Runtime: python3.13
    CodeUri: code/
Resources:
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-links"
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
      StreamSpecification: {StreamViewType: NEW_IMAGE}
  PlainTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
  ClickStatsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handlers.click_stats.handler
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
                - Pattern: 'CLICK_FILTER'
  DefaultsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Everything:
          Type: DynamoDB
          Properties:
            Stream: !Sub "${LinksTable.StreamArn}"
            StartingPosition: LATEST
        Tuned:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            MaximumBatchingWindowInSeconds: 5
            MaximumRetryAttempts: 2
            MaximumRecordAgeInSeconds: 3600
            BisectBatchOnFunctionError: true
            ParallelizationFactor: "3"
            Enabled: false
            DestinationConfig:
              OnFailure: {Destination: !GetAtt FailedClicks.Arn}
        Route:
          Type: HttpApi
          Properties: {Method: GET, Path: /}
  BrokenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        NoStreamOnTable:
          Type: DynamoDB
          Properties: {Stream: !GetAtt PlainTable.StreamArn, StartingPosition: LATEST}
        NotOurs:
          Type: DynamoDB
          Properties:
            Stream: !Sub "arn:aws:dynamodb:us-east-1:111122223333:table/other/stream/${Date}"
            StartingPosition: LATEST
        AtTimestamp:
          Type: DynamoDB
          Properties: {Stream: !GetAtt LinksTable.StreamArn, StartingPosition: AT_TIMESTAMP}
        TooBig:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            BatchSize: 10001
        LongWindow:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            TumblingWindowInSeconds: 901
        UnknownResponseType:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            FunctionResponseTypes: [ReportEverything]
        NotJson:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            FilterCriteria: {Filters: [{Pattern: "eventName = MODIFY"}]}
        ShortAge:
          Type: DynamoDB
          Properties:
            Stream: !GetAtt LinksTable.StreamArn
            StartingPosition: LATEST
            MaximumRecordAgeInSeconds: 10
  FailedClicks:
    Type: AWS::SQS::Queue
"""

CLICK_FILTER = (
    '{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"SK": {"S": ["META"]}, '
    '"click": {"M": {"u": {"S": [{"exists": true}]}}}}}}'
)


def load(tmp_path: Path, overrides: dict[str, str] | None = None) -> Application:
    path = tmp_path / "template.yaml"
    path.write_text(TEMPLATE.replace("CLICK_FILTER", CLICK_FILTER), encoding="utf-8")
    return load_application(path, REGION, overrides)


@pytest.fixture
def sources(tmp_path: Path) -> dict[str, StreamEventSource]:
    return {source.where: source for source in load(tmp_path).event_sources}


def test_the_click_stats_mapping_is_read_with_its_table_window_and_filter(
    sources: dict[str, StreamEventSource],
) -> None:
    assert sources["ClickStatsFunction.Events.Clicks"] == StreamEventSource(
        function_id="ClickStatsFunction",
        event_name="Clicks",
        table_id="LinksTable",  # named by !GetAtt LinksTable.StreamArn
        table_name="local-links",  # the table's own TableName, resolved
        starting_position="TRIM_HORIZON",
        batch_size=1000,
        tumbling_window_s=60,  # the parameter's Default
        report_batch_item_failures=True,
        filter_patterns=(CLICK_FILTER,),
    )
    assert json.loads(CLICK_FILTER)["dynamodb"]["NewImage"]["SK"] == {"S": ["META"]}


def test_a_parameter_override_sets_the_window(tmp_path: Path) -> None:
    (clicks,) = [
        source
        for source in load(tmp_path, {"ClickStatsWindowSeconds": "2"}).event_sources
        if source.function_id == "ClickStatsFunction"
    ]

    assert clicks.tumbling_window_s == 2


def test_unset_properties_take_lambdas_defaults(sources: dict[str, StreamEventSource]) -> None:
    everything = sources["DefaultsFunction.Events.Everything"]

    assert everything.table_id == "LinksTable"  # through !Sub "${LinksTable.StreamArn}" too
    assert (everything.batch_size, everything.maximum_batching_window_s) == (100, 0)
    assert everything.tumbling_window_s == 0  # no windows
    assert everything.filter_patterns == ()  # every record
    assert not everything.report_batch_item_failures
    assert (everything.maximum_retry_attempts, everything.maximum_record_age_s) == (-1, -1)
    assert not everything.bisect_batch_on_function_error
    assert everything.parallelization_factor == 1
    assert everything.enabled


def test_retry_batching_and_enabled_settings_are_read(
    sources: dict[str, StreamEventSource],
) -> None:
    tuned = sources["DefaultsFunction.Events.Tuned"]

    assert tuned.maximum_batching_window_s == 5
    assert (tuned.maximum_retry_attempts, tuned.maximum_record_age_s) == (2, 3600)
    assert tuned.bisect_batch_on_function_error
    assert tuned.parallelization_factor == 3
    assert not tuned.enabled
    # A DestinationConfig naming what only a deployed stack has does not skip the mapping.


def test_only_dynamodb_events_are_event_sources(sources: dict[str, StreamEventSource]) -> None:
    assert "DefaultsFunction.Events.Route" not in sources


def test_what_lambda_or_cloudformation_would_refuse_is_skipped_with_the_reason(
    tmp_path: Path, sources: dict[str, StreamEventSource]
) -> None:
    problems = {problem.where: problem.message for problem in load(tmp_path).problems}

    broken = {where: message for where, message in problems.items() if "Broken" in where}
    assert set(broken) == {
        f"BrokenFunction.Events.{name}"
        for name in (
            "NoStreamOnTable",
            "NotOurs",
            "AtTimestamp",
            "TooBig",
            "LongWindow",
            "UnknownResponseType",
            "NotJson",
            "ShortAge",
        )
    }
    assert all(message.startswith("skipped: ") for message in broken.values())
    assert (
        "PlainTable has no StreamSpecification" in broken["BrokenFunction.Events.NoStreamOnTable"]
    )
    assert "not the StreamArn of a table in this" in broken["BrokenFunction.Events.NotOurs"]
    assert "StartingPosition" in broken["BrokenFunction.Events.AtTimestamp"]
    assert "BatchSize must be 1 to 10000" in broken["BrokenFunction.Events.TooBig"]
    assert "TumblingWindowInSeconds must be 0 to 900" in broken["BrokenFunction.Events.LongWindow"]
    assert "ReportEverything" in broken["BrokenFunction.Events.UnknownResponseType"]
    assert "is not JSON" in broken["BrokenFunction.Events.NotJson"]
    assert "MaximumRecordAgeInSeconds" in broken["BrokenFunction.Events.ShortAge"]
    assert not any(where.startswith("BrokenFunction") for where in sources)
    # Nothing else in the template is a problem.
    assert set(problems) == set(broken)
