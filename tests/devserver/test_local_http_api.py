"""The devserver over real HTTP: routes, events, responses, errors and static files."""

from __future__ import annotations

import base64
import http.client
import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.devserver.conftest import RunningApi, start_in_process, write_project

TEMPLATE = """
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  PublicBaseUrl: {Type: String, Default: "https://sho.rt"}
Globals:
  Function:
    Runtime: python3.13
    CodeUri: code/
    Environment:
      Variables:
        LINKS_TABLE_NAME: !Ref LinksTable
        PUBLIC_BASE_URL: !Ref PublicBaseUrl
Resources:
  # The events leave out ApiId: SAM's implicit API, routed the same way.
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.echo
      Events:
        GetItem: {Type: HttpApi, Properties: {Method: GET, Path: "/items/{id}"}}
        HeadItem: {Type: HttpApi, Properties: {Method: HEAD, Path: "/items/{id}"}}
        Post: {Type: HttpApi, Properties: {Method: POST, Path: /echo}}
        Root: {Type: HttpApi, Properties: {Method: GET, Path: /}}
  ExactFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.exact
      Events:
        Special: {Type: HttpApi, Properties: {Method: GET, Path: /items/special}}
  AnyFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.any_method
      Events:
        AnyItem: {Type: HttpApi, Properties: {Method: ANY, Path: "/items/{id}"}}
  GreedyFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.greedy
      Events:
        Files: {Type: HttpApi, Properties: {Method: GET, Path: "/files/{proxy+}"}}
  ResultsFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: PKG.app.results
      Events:
        Results: {Type: HttpApi, Properties: {Method: GET, Path: "/results/{kind}"}}
  LinksTable:
    Type: AWS::DynamoDB::Table
    Properties:
      AttributeDefinitions: [{AttributeName: PK, AttributeType: S}]
      KeySchema: [{AttributeName: PK, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
"""

HANDLERS = {
    "app": """
import base64
import json
import os


def echo(event, context):
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps({
            "event": event,
            "env": {name: os.environ.get(name) for name in ("LINKS_TABLE_NAME", "PUBLIC_BASE_URL")},
            "function_name": context.function_name,
        }),
    }


def exact(event, context):
    return {"statusCode": 200, "body": "exact"}


def any_method(event, context):
    return {"statusCode": 200, "body": "any " + event["requestContext"]["http"]["method"]}


def greedy(event, context):
    return {"statusCode": 200, "body": "greedy " + event["pathParameters"]["proxy"]}


def results(event, context):
    kind = event["pathParameters"]["kind"]
    if kind == "inferred":
        return {"short": "link"}
    if kind == "text":
        return "plain words"
    if kind == "binary":
        body = base64.b64encode(bytes(range(256))).decode()
        return {"statusCode": 200, "headers": {"content-type": "image/png"},
                "body": body, "isBase64Encoded": True}
    if kind == "cookies":
        return {"statusCode": 204, "cookies": ["a=1; Path=/", "b=2; HttpOnly"]}
    if kind == "malformed":
        return {"statusCode": "two hundred"}
    raise RuntimeError("handler exploded on purpose")
""",
}


@pytest.fixture
def api(tmp_path: Path) -> Iterator[RunningApi]:
    fixture = write_project(tmp_path / "project", TEMPLATE, HANDLERS)
    (fixture.web_dir / "index.html").write_text("<h1>home</h1>", encoding="utf-8")
    (fixture.web_dir / "app.js").write_text("console.log(1)", encoding="utf-8")
    (fixture.web_dir / "assets").mkdir()
    (fixture.web_dir / "assets" / "logo.png").write_bytes(b"\x89PNG fake")
    (fixture.web_dir / ".env").write_text("SECRET=1", encoding="utf-8")
    (tmp_path / "project" / "secret.txt").write_text("do not serve", encoding="utf-8")
    yield from start_in_process(fixture)


def echoed(api: RunningApi, method: str, target: str, **kwargs: Any) -> dict[str, Any]:
    response = api.request(method, target, **kwargs)
    assert response.status == 200, response.body
    return json.loads(response.body)  # type: ignore[no-any-return]


def test_the_handler_receives_a_payload_2_event(api: RunningApi) -> None:
    echo = echoed(
        api,
        "GET",
        "/items/42?tag=a&tag=b&q=x%20y",
        headers=[
            ("X-Trace", "one"),
            ("X-Trace", "two"),
            ("Cookie", "s=1; t=2"),
            ("User-Agent", "t"),
        ],
    )

    event = echo["event"]
    assert event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/42"
    assert event["rawQueryString"] == "tag=a&tag=b&q=x%20y"
    assert event["queryStringParameters"] == {"tag": "a,b", "q": "x y"}
    assert event["pathParameters"] == {"id": "42"}
    assert event["cookies"] == ["s=1", "t=2"]
    assert event["headers"]["x-trace"] == "one,two"
    assert event["headers"]["host"] == f"127.0.0.1:{api.port}"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["requestContext"]["http"]["userAgent"] == "t"
    assert "body" not in event
    assert echo["function_name"] == "EchoFunction"


def test_handlers_see_the_templates_environment(api: RunningApi) -> None:
    env = echoed(api, "GET", "/items/1")["env"]

    assert env == {"LINKS_TABLE_NAME": "LinksTable", "PUBLIC_BASE_URL": "https://sho.rt"}


def test_the_devservers_own_page_counts_each_functions_environments(api: RunningApi) -> None:
    echoed(api, "GET", "/items/1")
    echoed(api, "GET", "/items/2")

    response = api.request("GET", "/_devserver/environments")

    assert response.status == 200
    assert response.headers["content-type"] == "application/json"
    functions = json.loads(response.body)["functions"]
    assert functions["EchoFunction"] == {
        "maxEnvironments": 2,
        "environments": 1,  # one request after the other: one warm environment
        "environmentsStarted": 1,
        "invocations": 2,
        "overlappingInvocations": 0,
        "peakConcurrentInvocations": 1,
    }
    assert functions["ExactFunction"]["environments"] == 0  # started only when needed


def test_a_json_body_arrives_as_text_and_a_binary_one_as_base64(api: RunningApi) -> None:
    text = echoed(
        api, "POST", "/echo", headers=[("Content-Type", "application/json")], body=b'{"a": 1}'
    )["event"]
    binary = echoed(
        api, "POST", "/echo", headers=[("Content-Type", "image/png")], body=b"\x00\xff\x10"
    )["event"]

    assert (text["body"], text["isBase64Encoded"]) == ('{"a": 1}', False)
    assert text["headers"]["content-length"] == "8"
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == b"\x00\xff\x10"


def test_a_text_body_that_is_not_utf8_arrives_byte_for_byte_as_base64(api: RunningApi) -> None:
    body = b'{"url": "https://example.com/\xff"}'
    event = echoed(api, "POST", "/echo", headers=[("Content-Type", "application/json")], body=body)[
        "event"
    ]

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == body


def test_a_chunked_body_is_read_whole(api: RunningApi) -> None:
    head, body = raw_exchange(
        api,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    )

    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(body)["event"]["body"] == "hello world"


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        ("GET", "/items/special", b"exact"),  # exact path beats /items/{id}
        ("POST", "/items/7", b"any POST"),  # no POST route: ANY takes it
        ("DELETE", "/items/7", b"any DELETE"),
        ("GET", "/files/a/b/c.txt", b"greedy a/b/c.txt"),
    ],
)
def test_routes_are_chosen_like_api_gateway(
    api: RunningApi, method: str, target: str, body: bytes
) -> None:
    response = api.request(method, target)

    assert (response.status, response.body) == (200, body)


def test_a_method_specific_route_beats_any(api: RunningApi) -> None:
    assert echoed(api, "GET", "/items/7")["event"]["routeKey"] == "GET /items/{id}"


@pytest.mark.parametrize(("method", "target"), [("GET", "/nope"), ("POST", "/echo/extra")])
def test_unknown_routes_answer_404_like_http_api(api: RunningApi, method: str, target: str) -> None:
    response = api.request(method, target)

    assert response.status == 404
    assert response.body == b'{"message":"Not Found"}'
    assert response.headers["content-type"] == "application/json"
    assert response.headers["apigw-requestid"]


def raw_exchange(api: RunningApi, request: bytes) -> tuple[bytes, bytes]:
    """Send bytes as they are, read until the server closes; returns (head, body)."""
    with socket.create_connection(("127.0.0.1", api.port), timeout=10) as connection:
        connection.sendall(request)
        raw = b""
        while chunk := connection.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize("target", ["/items/5", "/app.js"])
def test_head_never_gets_a_body(api: RunningApi, target: str) -> None:
    # A raw socket, because http.client itself drops whatever follows a HEAD response.
    head, body = raw_exchange(
        api, f"HEAD {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )

    assert head.startswith(b"HTTP/1.1 200")
    assert int(re.search(rb"content-length: (\d+)", head, re.IGNORECASE).group(1)) > 0  # type: ignore[union-attr]
    assert body == b""


def test_head_reaches_the_head_route(api: RunningApi) -> None:
    assert api.request("HEAD", "/items/5").status == 200
    assert api.request("HEAD", "/files/x").status == 404  # only GET is routed there


def test_a_body_over_10_mb_is_refused_with_413(api: RunningApi) -> None:
    size = 10 * 1024 * 1024 + 1
    head, body = raw_exchange(
        api,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + f"Content-Length: {size}\r\n\r\n".encode()
        + b"x" * size,
    )

    assert head.startswith(b"HTTP/1.1 413")
    assert body == b'{"message":"Request Entity Too Large"}'


def test_a_chunked_body_over_10_mb_is_refused_with_413(api: RunningApi) -> None:
    chunk = b"x" * (1024 * 1024)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    head, body = raw_exchange(
        api,
        b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + framed * 11 + b"0\r\n\r\n",
    )

    assert head.startswith(b"HTTP/1.1 413")
    assert body == b'{"message":"Request Entity Too Large"}'


@pytest.mark.parametrize("length", ["ten", "-1"])
def test_a_broken_content_length_is_a_400(api: RunningApi, length: str) -> None:
    head, body = raw_exchange(
        api, f"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n\r\n".encode()
    )

    assert head.startswith(b"HTTP/1.1 400")
    assert body == b'{"message":"Bad Request"}'


def test_a_body_of_exactly_10_mb_is_accepted(api: RunningApi) -> None:
    body = b"x" * (10 * 1024 * 1024)

    event = echoed(api, "POST", "/echo", headers=[("Content-Type", "text/plain")], body=body)

    assert len(event["event"]["body"]) == len(body)


def test_a_handler_exception_answers_500_and_logs_the_traceback(
    api: RunningApi, capfd: pytest.CaptureFixture[str]
) -> None:
    response = api.request("GET", "/results/explode")

    assert response.status == 500
    assert response.body == b'{"message":"Internal Server Error"}'
    stderr = capfd.readouterr().err
    assert "Traceback" in stderr
    assert "handler exploded on purpose" in stderr


def test_a_malformed_response_answers_500(api: RunningApi) -> None:
    assert api.request("GET", "/results/malformed").status == 500


def test_a_result_without_status_code_is_inferred(api: RunningApi) -> None:
    inferred, text = api.request("GET", "/results/inferred"), api.request("GET", "/results/text")

    assert (inferred.status, inferred.body) == (200, b'{"short": "link"}')
    assert inferred.headers["content-type"] == "application/json"
    assert text.body == b"plain words"


def test_a_base64_response_is_sent_as_bytes(api: RunningApi) -> None:
    response = api.request("GET", "/results/binary")

    assert response.body == bytes(range(256))
    assert response.headers["content-type"] == "image/png"


def test_every_response_cookie_is_its_own_set_cookie_header(api: RunningApi) -> None:
    response = api.request("GET", "/results/cookies")

    assert response.status == 204
    assert response.headers.get_all("set-cookie") == ["a=1; Path=/", "b=2; HttpOnly"]


@pytest.mark.parametrize(
    ("target", "content_type", "body"),
    [
        ("/", "text/html; charset=utf-8", b"<h1>home</h1>"),
        ("/index.html", "text/html; charset=utf-8", b"<h1>home</h1>"),
        ("/app.js", "text/javascript; charset=utf-8", b"console.log(1)"),
        ("/assets/logo.png", "image/png", b"\x89PNG fake"),
    ],
)
def test_files_in_the_web_dir_are_served(
    api: RunningApi, target: str, content_type: str, body: bytes
) -> None:
    response = api.request("GET", target)

    assert response.status == 200
    assert response.headers["content-type"] == content_type
    assert response.body == body


def test_a_static_file_beats_a_route_for_the_same_path(api: RunningApi) -> None:
    assert api.request("GET", "/").body == b"<h1>home</h1>"  # GET / is also an API route


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/assets/../../secret.txt",
        "/assets/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%5csecret.txt",
        "/.env",
        "//secret.txt",
    ],
)
def test_paths_outside_the_web_dir_are_never_served(api: RunningApi, target: str) -> None:
    response = api.request("GET", target)

    assert response.status == 404
    assert b"do not serve" not in response.body
    assert b"SECRET" not in response.body


def test_a_path_too_long_for_the_file_system_goes_to_the_routes(api: RunningApi) -> None:
    # stat() of a 3,000-character name raises ENAMETOOLONG; it must not drop the connection.
    response = api.request("GET", "/" + "x" * 3000)

    assert response.status == 404


def test_static_files_are_not_served_for_other_methods(api: RunningApi) -> None:
    response = api.request("POST", "/app.js")

    assert response.status == 404
    assert b"console.log" not in response.body


def test_keep_alive_connections_serve_several_requests(api: RunningApi) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)
    try:
        statuses = []
        for target in ("/items/special", "/nope", "/app.js"):
            connection.request("GET", target)
            response = connection.getresponse()
            response.read()
            statuses.append(response.status)
    finally:
        connection.close()

    assert statuses == [200, 404, 200]
