"""Functions, their environment and their invocation come from the template, as Lambda runs them."""

from __future__ import annotations

import decimal
import time
from pathlib import Path

import pytest

from devserver.functions import (
    FunctionError,
    FunctionRunner,
    LambdaFunction,
    lambda_environment,
)
from devserver.project import load_project
from tests.devserver.conftest import REGION, write_project

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  PublicBaseUrl: {Type: String, Default: "https://sho.rt"}
  LogLevel: {Type: String, Default: INFO}
Conditions:
  HasPublicBaseUrl: !Not [!Equals [!Ref PublicBaseUrl, ""]]
Globals:
  Function:
    Runtime: python3.13
    CodeUri: code/
    MemorySize: 512
    Timeout: 5
    Environment:
      Variables:
        LINKS_TABLE_NAME: !Ref LinksTable
        PUBLIC_BASE_URL: !Ref PublicBaseUrl
        LOG_LEVEL: !Ref LogLevel
        MAX_ATTEMPTS: 3
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
  ShortenFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.handler
      MemorySize: 1024
      Environment:
        Variables:
          TABLE_ARN: !GetAtt LinksTable.Arn
          BASE: !If [HasPublicBaseUrl, !Ref PublicBaseUrl, !Ref "AWS::NoValue"]
          DISTRIBUTION: !GetAtt Distribution.DomainName
      Events:
        Shorten:
          Type: HttpApi
          Properties: {ApiId: !Ref HttpApi, Method: post, Path: /shorten}
  FallbackFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.handler
      Timeout: 2
      Events:
        Everything:
          Type: HttpApi
        Rest:
          Type: Api
          Properties: {Method: GET, Path: /rest}
  ImageFunction:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
      ImageUri: example:latest
  Distribution:
    Type: AWS::CloudFront::Distribution
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-links"
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
"""

HANDLERS = {
    "app": """
import decimal

def handler(event, context):
    return {"statusCode": 200, "body": "ok"}

def returns_decimal(event, context):
    return {"count": decimal.Decimal("3"), "ratio": decimal.Decimal("0.5")}

def returns_a_set(event, context):
    return {"statusCode": 200, "body": {1, 2}}

def fails(event, context):
    raise RuntimeError("boom")

def context_of(event, context):
    return {
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "aws_request_id": context.aws_request_id,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
    }

NOT_CALLABLE = 42
""",
}


@pytest.fixture
def functions(tmp_path: Path) -> dict[str, LambdaFunction]:
    project = load_project(write_project(tmp_path, TEMPLATE, HANDLERS).template, REGION)
    return {function.logical_id: function for function in project.functions}


def test_functions_take_globals_and_override_them(
    functions: dict[str, LambdaFunction], tmp_path: Path
) -> None:
    shorten, fallback = functions["ShortenFunction"], functions["FallbackFunction"]

    assert shorten.code_dir == (tmp_path / "code").resolve()
    assert (shorten.memory_mb, shorten.timeout_s) == (1024, 5.0)
    assert (fallback.memory_mb, fallback.timeout_s) == (512, 2.0)


def test_image_functions_are_skipped_with_a_reason(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path, TEMPLATE, HANDLERS).template, REGION)

    assert "ImageFunction" not in {function.logical_id for function in project.functions}
    problems = {problem.where: problem.message for problem in project.problems}
    assert "local CodeUri" in problems["ImageFunction"]
    assert "REST API" in problems["FallbackFunction.Events.Rest"]


def test_routes_come_from_http_api_events(tmp_path: Path) -> None:
    project = load_project(write_project(tmp_path, TEMPLATE, HANDLERS).template, REGION)

    assert {(route.route_key, route.function_id) for route in project.routes.routes} == {
        ("POST /shorten", "ShortenFunction"),
        ("$default", "FallbackFunction"),  # an HttpApi event without Method and Path
    }


def test_environment_resolves_table_parameter_and_attribute_references(
    functions: dict[str, LambdaFunction],
) -> None:
    shorten = functions["ShortenFunction"]

    assert shorten.environment == {
        "LINKS_TABLE_NAME": "local-links",  # the table's own TableName, resolved
        "PUBLIC_BASE_URL": "https://sho.rt",  # the parameter's Default
        "LOG_LEVEL": "INFO",
        "MAX_ATTEMPTS": "3",  # numbers become strings, as in Lambda
        "TABLE_ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/local-links",
        "BASE": "https://sho.rt",
    }
    assert "DistributionDomainName" not in shorten.environment
    assert "exists only in a deployed stack" in shorten.unresolved_environment["DISTRIBUTION"]


def test_the_devservers_own_environment_overrides_the_template(
    functions: dict[str, LambdaFunction],
) -> None:
    environment, warnings = lambda_environment(
        list(functions.values()),
        inherited={"PUBLIC_BASE_URL": "http://127.0.0.1:3000", "DISTRIBUTION": "d.example"},
    )

    assert "PUBLIC_BASE_URL" not in environment  # kept as the user set it
    assert environment["LINKS_TABLE_NAME"] == "local-links"
    assert warnings == []


def test_unresolvable_variables_are_left_unset_with_a_warning(
    functions: dict[str, LambdaFunction],
) -> None:
    environment, warnings = lambda_environment(list(functions.values()), inherited={})

    assert "DISTRIBUTION" not in environment
    assert len(warnings) == 1
    assert "ShortenFunction: DISTRIBUTION left unset" in warnings[0]


def test_conflicting_values_between_functions_are_reported(
    functions: dict[str, LambdaFunction],
) -> None:
    shorten = functions["ShortenFunction"]
    other = LambdaFunction(
        **{**shorten.__dict__, "logical_id": "Other", "environment": {"LOG_LEVEL": "DEBUG"}}
    )

    environment, warnings = lambda_environment([shorten, other], inherited={})

    assert environment["LOG_LEVEL"] == "INFO"
    assert any("LOG_LEVEL differs between ShortenFunction" in warning for warning in warnings)


def runner_for(function: LambdaFunction, handler: str) -> FunctionRunner:
    package = function.handler.split(".")[0]
    return FunctionRunner(
        LambdaFunction(**{**function.__dict__, "handler": f"{package}.{handler}"})
    )


def test_context_looks_like_lambdas(functions: dict[str, LambdaFunction]) -> None:
    shorten = functions["ShortenFunction"]

    first = runner_for(shorten, "app.context_of").invoke({})

    assert first["function_name"] == "ShortenFunction"
    assert first["function_version"] == "$LATEST"
    assert first["invoked_function_arn"] == (
        "arn:aws:lambda:us-east-1:123456789012:function:ShortenFunction"
    )
    assert first["memory_limit_in_mb"] == "1024"  # a string, as awslambdaric gives it
    assert first["log_group_name"] == "/aws/lambda/ShortenFunction"
    assert "[$LATEST]" in first["log_stream_name"]
    assert 4000 < first["remaining"] <= 5000


def test_every_invocation_gets_its_own_request_id(functions: dict[str, LambdaFunction]) -> None:
    runner = runner_for(functions["ShortenFunction"], "app.context_of")

    ids = {runner.invoke({})["aws_request_id"] for _ in range(3)}

    assert len(ids) == 3


def test_results_pass_through_json_like_lambdas(functions: dict[str, LambdaFunction]) -> None:
    result = runner_for(functions["ShortenFunction"], "app.returns_decimal").invoke({})

    assert result == {"count": 3, "ratio": 0.5}
    assert not isinstance(result["count"], decimal.Decimal)


@pytest.mark.parametrize(
    ("handler", "message"),
    [
        ("app.fails", "raised RuntimeError"),
        ("app.returns_a_set", "cannot send"),
        ("app.missing", "cannot load handler"),
        ("nowhere.handler", "cannot load handler"),
        ("app.NOT_CALLABLE", "not callable"),
    ],
)
def test_failures_are_function_errors(
    functions: dict[str, LambdaFunction], handler: str, message: str
) -> None:
    with pytest.raises(FunctionError, match=message):
        runner_for(functions["ShortenFunction"], handler).invoke({})


def test_a_slow_invocation_is_reported(
    functions: dict[str, LambdaFunction],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter([100.0, 107.5])
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))

    runner_for(functions["ShortenFunction"], "app.handler").invoke({})

    assert "took 7.5 s, over its Timeout of 5 s" in capsys.readouterr().err
