"""`make dev` does to a request what the distribution and the HTTP API do to it.

The edge: per behaviour of template.yaml's distribution, what reaches the API (only the
redirect's headers on a short link; everything but Host elsewhere), the viewer-request
function's headers where it runs, and the origin secret everywhere. CORS: preflights
answered from the template's CorsConfiguration, which template.yaml leaves out unless
CorsAllowOrigin names another origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from devserver.edge import Edge
from devserver.http_api_events import HttpRequest
from devserver.project import Project, load_project
from sam_template.document import TEMPLATE_PATH
from tests.devserver.conftest import RunningApi, start_in_process, write_project

ECHO = """
import json

def echo(event, context):
    return {"statusCode": 200, "headers": {"access-control-allow-origin": "https://evil.example"},
            "body": json.dumps(event["headers"])}
"""


def request(path: str, method: str = "GET", **headers: str) -> HttpRequest:
    return HttpRequest(
        method=method,
        raw_path=path,
        raw_query="",
        protocol="HTTP/1.1",
        headers=[
            ("Host", "127.0.0.1:3000"),
            *((k.replace("_", "-"), v) for k, v in headers.items()),
        ],
        body=b"",
        source_ip="203.0.113.7",
        server_port=3000,
    )


@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(TEMPLATE_PATH, "us-east-1")


@pytest.fixture(scope="module")
def edge(project: Project) -> Edge:
    return project.edge


@pytest.fixture(scope="module")
def origin_secret(project: Project) -> str:
    secrets = {f.environment["ORIGIN_VERIFY_SECRET"] for f in project.functions}
    (secret,) = secrets  # one secret, the same for every function
    return secret


def headers_of(forwarded: HttpRequest) -> dict[str, str]:
    return {name.lower(): value for name, value in forwarded.headers}


def test_every_api_request_carries_the_secret_the_functions_check(edge, origin_secret):
    for path in ("/shorten", "/links/abc", "/abc"):
        assert headers_of(edge.forward(request(path)))["x-origin-verify"] == origin_secret


def test_a_viewers_own_origin_secret_is_replaced(edge, origin_secret):
    forwarded = edge.forward(request("/shorten", x_origin_verify="guessed"))
    assert [v for n, v in forwarded.headers if n.lower() == "x-origin-verify"] == [origin_secret]


def test_creating_and_managing_get_every_header_and_the_functions_three(edge):
    forwarded = headers_of(
        edge.forward(
            request(
                "/shorten",
                authorization="Bearer t",
                content_type="application/json",
                x_viewer_address="198.51.100.66",
                x_forwarded_host="evil.example",
                x_distribution_host="evil.example",
            )
        )
    )
    assert forwarded["authorization"] == "Bearer t"
    assert forwarded["content-type"] == "application/json"
    # Set from the request itself, whatever the viewer sent.
    assert forwarded["x-viewer-address"] == "203.0.113.7"
    assert forwarded["x-forwarded-host"] == "127.0.0.1:3000"
    assert forwarded["x-distribution-host"] == "127.0.0.1:3000"


def test_a_short_link_gets_only_what_the_redirect_reads(edge):
    forwarded = headers_of(
        edge.forward(
            request(
                "/abc",
                user_agent="Mozilla/5.0",
                accept="text/html",
                sec_purpose="prefetch",
                authorization="Bearer t",
                cookie="a=b",
                x_viewer_address="198.51.100.66",
            )
        )
    )
    assert set(forwarded) == {"host", "user-agent", "accept", "sec-purpose", "x-origin-verify"}


def test_a_template_without_a_distribution_changes_nothing():
    original = request("/abc", x_viewer_address="198.51.100.66")
    assert Edge().forward(original) is original


def test_the_template_has_no_cors_unless_an_origin_is_named():
    assert load_project(TEMPLATE_PATH, "us-east-1").cors is None
    cors = load_project(TEMPLATE_PATH, "us-east-1", {"CorsAllowOrigin": "https://app.example"}).cors
    assert cors is not None
    assert cors.allow_origins == ("https://app.example",)
    assert "content-type" in cors.allow_headers


# --- over HTTP, on a small project with and without CORS -------------------------------

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  CorsAllowOrigin: {Type: String, Default: ""}
Conditions:
  HasCorsOrigin: !Not [!Equals [!Ref CorsAllowOrigin, ""]]
Globals:
  Function: {Runtime: python3.13, CodeUri: code/}
Resources:
  HttpApi:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: !If
        - HasCorsOrigin
        - AllowOrigins: [!Ref CorsAllowOrigin]
          AllowMethods: [GET, POST]
          AllowHeaders: [content-type]
          ExposeHeaders: [location]
          MaxAge: 600
        - !Ref AWS::NoValue
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.echo
      Events:
        Post: {Type: HttpApi, Properties: {ApiId: !Ref HttpApi, Method: POST, Path: /echo}}
"""


def running(tmp_path_factory, name: str, cors_origin: str) -> Iterator[RunningApi]:
    template = TEMPLATE.replace('Default: ""', f'Default: "{cors_origin}"', 1)
    fixture = write_project(tmp_path_factory.mktemp(name), template, {"app": ECHO})
    yield from start_in_process(fixture)


@pytest.fixture(scope="module")
def without_cors(tmp_path_factory) -> Iterator[RunningApi]:
    yield from running(tmp_path_factory, "no-cors", "")


@pytest.fixture(scope="module")
def with_cors(tmp_path_factory) -> Iterator[RunningApi]:
    yield from running(tmp_path_factory, "cors", "https://app.example")


PREFLIGHT = [
    ("Access-Control-Request-Method", "POST"),
    ("Access-Control-Request-Headers", "content-type"),
]


def test_without_cors_a_preflight_finds_no_route(without_cors):
    answer = without_cors.request(
        "OPTIONS", "/echo", [("Origin", "https://app.example"), *PREFLIGHT]
    )
    assert answer.status == 404
    assert answer.headers.get("access-control-allow-origin") is None


def test_without_cors_no_response_says_another_origin_may_read_it(without_cors):
    answer = without_cors.request("POST", "/echo", [("Origin", "https://evil.example")], b"{}")
    assert answer.status == 200
    # The backend's own CORS header is not the API's answer either way.
    assert answer.headers.get("access-control-allow-origin") == "https://evil.example"


def test_with_cors_the_named_origin_gets_its_preflight_answered(with_cors):
    answer = with_cors.request("OPTIONS", "/echo", [("Origin", "https://app.example"), *PREFLIGHT])
    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["access-control-allow-methods"] == "GET,POST"
    assert answer.headers["access-control-allow-headers"] == "content-type"
    assert answer.headers["access-control-max-age"] == "600"


def test_with_cors_another_origin_gets_no_permission(with_cors):
    answer = with_cors.request("OPTIONS", "/echo", [("Origin", "https://evil.example"), *PREFLIGHT])
    assert answer.status == 204
    assert answer.headers.get("access-control-allow-origin") is None
    post = with_cors.request("POST", "/echo", [("Origin", "https://evil.example")], b"{}")
    # API Gateway ignores the backend's CORS headers once CORS is configured.
    assert post.headers.get("access-control-allow-origin") is None


def test_with_cors_the_named_origin_may_read_the_answer_and_its_location(with_cors):
    answer = with_cors.request("POST", "/echo", [("Origin", "https://app.example")], b"{}")
    assert answer.status == 200
    assert answer.headers["access-control-allow-origin"] == "https://app.example"
    assert answer.headers["access-control-expose-headers"] == "location"
    assert json.loads(answer.body)["origin"] == "https://app.example"
