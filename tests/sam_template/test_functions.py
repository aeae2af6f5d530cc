"""Functions, their routes and their environment come from the template, as Lambda's do."""

from __future__ import annotations

from pathlib import Path

import pytest

from sam_template.application import Application, load_application
from sam_template.functions import LambdaFunction

REGION = "us-east-1"

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
      Handler: app.handler
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
      Handler: app.handler
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


@pytest.fixture
def application(tmp_path: Path) -> Application:
    template_path = tmp_path / "template.yaml"
    template_path.write_text(TEMPLATE, encoding="utf-8")
    return load_application(template_path, REGION)


@pytest.fixture
def functions(application: Application) -> dict[str, LambdaFunction]:
    return {function.logical_id: function for function in application.functions}


def test_functions_take_globals_and_override_them(
    functions: dict[str, LambdaFunction], tmp_path: Path
) -> None:
    shorten, fallback = functions["ShortenFunction"], functions["FallbackFunction"]

    assert shorten.code_dir == (tmp_path / "code").resolve()
    assert (shorten.memory_mb, shorten.timeout_s) == (1024, 5.0)
    assert (fallback.memory_mb, fallback.timeout_s) == (512, 2.0)


def test_image_functions_are_skipped_with_a_reason(application: Application) -> None:
    assert "ImageFunction" not in {function.logical_id for function in application.functions}
    problems = {problem.where: problem.message for problem in application.problems}
    assert "local CodeUri" in problems["ImageFunction"]
    assert "REST API" in problems["FallbackFunction.Events.Rest"]


def test_routes_come_from_http_api_events(application: Application) -> None:
    assert {(route.route_key, route.function_id) for route in application.routes.routes} == {
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


def test_each_function_gets_only_its_own_variables(
    functions: dict[str, LambdaFunction],
) -> None:
    shorten, fallback = functions["ShortenFunction"], functions["FallbackFunction"]

    assert "TABLE_ARN" in shorten.environment
    assert "TABLE_ARN" not in fallback.environment
