"""The devserver's events have every field, with the same JSON type, that AWS's own sample has.

The sample is `sam local generate-event apigateway http-api-proxy`: AWS's shape of an
HTTP API payload 2.0 event, read fresh from the SAM CLI rather than copied into a file.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.devserver.conftest import REPO_ROOT, RunningApi, start_in_process, write_project

pytestmark = pytest.mark.slow

SAM = Path(os.environ.get("SAM") or REPO_ROOT / ".venv-sam" / "bin" / "sam")

# In AWS's sample but sent only when configured: mutual TLS, an authorizer, stage variables.
# The devserver's API has none of those, like the API in template.yaml.
ONLY_WHEN_CONFIGURED = {
    "stageVariables",
    "requestContext.authentication",
    "requestContext.authorizer",
}

TEMPLATE = """
Resources:
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: code/
      Handler: PKG.app.echo
      Events:
        Post: {Type: HttpApi, Properties: {Method: POST, Path: "/things/{thing}"}}
"""

HANDLERS = {
    "app": """
import json

def echo(event, context):
    return {"statusCode": 200, "body": json.dumps(event)}
"""
}


@pytest.fixture(scope="session")
def aws_sample_event() -> dict[str, Any]:
    if not SAM.is_file():
        pytest.skip(f"SAM CLI not installed at {SAM} (make test-deps installs it)")
    completed = subprocess.run(
        [str(SAM), "local", "generate-event", "apigateway", "http-api-proxy"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "SAM_CLI_TELEMETRY": "0"},
    )
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    yield from start_in_process(write_project(tmp_path, TEMPLATE, HANDLERS))


@pytest.fixture
def devserver_event(api: RunningApi) -> dict[str, Any]:
    """An event for a request that has everything optional: cookies, query, path, binary body."""
    response = api.request(
        "POST",
        "/things/42?parameter1=value1&parameter1=value2&parameter2=value",
        headers=[
            ("Header1", "value1"),
            ("Header2", "value1"),
            ("Header2", "value2"),
            ("Cookie", "cookie1=a; cookie2=b"),
            ("User-Agent", "agent"),
            ("Content-Type", "application/octet-stream"),
        ],
        body=b'{"test":"body"}',
    )
    assert response.status == 200
    return json.loads(response.body)  # type: ignore[no-any-return]


def fields(event: dict[str, Any], prefix: str = "") -> dict[str, type]:
    """Dotted path -> JSON type, for the top level, requestContext and requestContext.http."""
    found: dict[str, type] = {}
    for key, value in event.items():
        path = f"{prefix}{key}"
        found[path] = type(value)
        if path in ("requestContext", "requestContext.http"):
            found.update(fields(value, f"{path}."))
    return found


def test_every_field_of_awss_sample_is_there_with_the_same_type(
    aws_sample_event: dict[str, Any], devserver_event: dict[str, Any]
) -> None:
    expected = {
        path: kind
        for path, kind in fields(aws_sample_event).items()
        if not any(
            path == omitted or path.startswith(f"{omitted}.") for omitted in ONLY_WHEN_CONFIGURED
        )
    }
    actual = fields(devserver_event)

    missing = sorted(set(expected) - set(actual))
    assert missing == []
    wrong_types = {
        path: (kind, actual[path]) for path, kind in expected.items() if actual[path] is not kind
    }
    assert wrong_types == {}
    extra = sorted(set(actual) - set(fields(aws_sample_event)))
    assert extra == []  # nothing AWS would not send either


def test_values_follow_awss_sample(
    aws_sample_event: dict[str, Any], devserver_event: dict[str, Any]
) -> None:
    assert devserver_event["version"] == aws_sample_event["version"]
    assert devserver_event["rawQueryString"] == aws_sample_event["rawQueryString"]
    assert devserver_event["queryStringParameters"] == aws_sample_event["queryStringParameters"]
    sample_headers = {name.lower(): value for name, value in aws_sample_event["headers"].items()}
    assert sample_headers.items() <= devserver_event["headers"].items()
    assert devserver_event["body"] == aws_sample_event["body"]
    assert devserver_event["isBase64Encoded"] is aws_sample_event["isBase64Encoded"]
    assert devserver_event["requestContext"]["stage"] == aws_sample_event["requestContext"]["stage"]
    assert devserver_event["cookies"] == ["cookie1=a", "cookie2=b"]
    assert devserver_event["routeKey"] == devserver_event["requestContext"]["routeKey"]
    assert devserver_event["routeKey"] == "POST /things/{thing}"
