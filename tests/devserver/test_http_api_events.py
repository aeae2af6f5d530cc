"""Requests become payload 2.0 events, and handler results become responses, as in API Gateway."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest

from devserver.http_api_events import (
    HttpRequest,
    InvalidResponseError,
    build_event,
    new_request_id,
    response_from_result,
)

NOW = datetime(2026, 11, 21, 16, 42, 35, 123000, tzinfo=UTC)


def request(
    method: str = "GET",
    path: str = "/abc",
    query: str = "",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> HttpRequest:
    return HttpRequest(
        method=method,
        raw_path=path,
        raw_query=query,
        protocol="HTTP/1.1",
        headers=headers if headers is not None else [("Host", "127.0.0.1:3000")],
        body=body,
        source_ip="127.0.0.1",
        server_port=3000,
    )


def event_of(http_request: HttpRequest, path_parameters: dict[str, str] | None = None) -> Any:
    return build_event(
        http_request,
        route_key="GET /{shortId}",
        path_parameters=path_parameters or {},
        request_id="JKJaXmPLvHcESHA=",
        now=NOW,
    )


def test_a_plain_get_has_only_the_keys_aws_sends() -> None:
    event = event_of(request(), {"shortId": "abc"})

    assert list(event) == [
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "headers",
        "requestContext",
        "pathParameters",
        "isBase64Encoded",
    ]
    assert event["version"] == "2.0"
    assert event["rawQueryString"] == ""
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["routeKey"] == "GET /{shortId}"
    assert context["stage"] == "$default"
    assert context["requestId"] == "JKJaXmPLvHcESHA="
    assert context["time"] == "21/Nov/2026:16:42:35 +0000"
    assert context["timeEpoch"] == 1795279355123
    assert context["domainName"] == "127.0.0.1"  # the host, never the port
    assert context["http"] == {
        "method": "GET",
        "path": "/abc",
        "protocol": "HTTP/1.1",
        "sourceIp": "127.0.0.1",
        "userAgent": "",
    }


def test_header_names_are_lower_cased_and_repeats_joined_with_commas() -> None:
    headers = [
        ("Host", "localhost:3000"),
        ("X-Custom", "one"),
        ("x-custom", "two"),
        ("User-Agent", "pytest"),
    ]

    event = event_of(request(headers=headers))

    assert event["headers"]["x-custom"] == "one,two"
    assert event["headers"]["host"] == "localhost:3000"
    assert event["requestContext"]["http"]["userAgent"] == "pytest"
    assert event["requestContext"]["domainName"] == "localhost"
    assert event["requestContext"]["domainPrefix"] == "localhost"
    assert all(name == name.lower() for name in event["headers"])


def test_api_gateway_adds_forwarding_headers() -> None:
    headers = event_of(request(headers=[("Host", "h"), ("X-Forwarded-For", "10.0.0.1")]))["headers"]

    assert headers["x-forwarded-for"] == "10.0.0.1, 127.0.0.1"
    assert headers["x-forwarded-proto"] == "http"
    assert headers["x-forwarded-port"] == "3000"
    assert headers["x-amzn-trace-id"].startswith("Root=1-")


def test_cookies_move_from_headers_to_their_own_list() -> None:
    headers = [("Host", "h"), ("Cookie", "a=1; b=2"), ("Cookie", "c=3")]

    event = event_of(request(headers=headers))

    assert event["cookies"] == ["a=1", "b=2", "c=3"]
    assert "cookie" not in event["headers"]


def test_query_strings_keep_the_raw_form_and_join_repeated_keys() -> None:
    event = event_of(request(query="a=1&a=2&b=x%20y&empty="))

    assert event["rawQueryString"] == "a=1&a=2&b=x%20y&empty="
    assert event["queryStringParameters"] == {"a": "1,2", "b": "x y", "empty": ""}


def test_the_path_is_decoded_as_http_apis_do() -> None:
    event = event_of(request(path="/caf%C3%A9"), {"shortId": "café"})

    assert event["rawPath"] == "/café"
    assert event["requestContext"]["http"]["path"] == "/café"
    assert event["pathParameters"] == {"shortId": "café"}


@pytest.mark.parametrize(
    ("content_type", "base64_encoded"),
    [
        ("application/json", False),
        ("application/json; charset=utf-8", False),
        ("text/plain", False),
        ("TEXT/HTML", False),
        ("application/xml", False),
        ("application/javascript", False),
        ("application/x-www-form-urlencoded", True),
        ("application/octet-stream", True),
        ("image/png", True),
        (None, True),
    ],
)
def test_bodies_are_base64_unless_text(content_type: str | None, base64_encoded: bool) -> None:
    body = b'{"url": "https://example.com"}'
    headers = [("Host", "h")] + ([("Content-Type", content_type)] if content_type else [])

    event = event_of(request(method="POST", headers=headers, body=body))

    assert event["isBase64Encoded"] is base64_encoded
    decoded = base64.b64decode(event["body"]) if base64_encoded else event["body"].encode()
    assert decoded == body


def test_request_ids_look_like_api_gateways() -> None:
    ids = {new_request_id() for _ in range(50)}

    assert len(ids) == 50
    assert all(len(value) == 16 and value.endswith("=") for value in ids)


def respond(result: Any) -> tuple[int, dict[str, list[str]], bytes]:
    response = response_from_result(result, request_id="id=", now=NOW)
    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    return response.status, headers, response.body


def test_a_structured_response_is_used_as_is() -> None:
    status, headers, body = respond(
        {
            "statusCode": 301,
            "headers": {"Location": "https://example.com", "Cache-Control": "no-store"},
            "body": "",
        }
    )

    assert status == 301
    assert headers["location"] == ["https://example.com"]
    assert headers["cache-control"] == ["no-store"]
    assert headers["apigw-requestid"] == ["id="]
    assert headers["content-type"] == ["text/plain; charset=utf-8"]  # HTTP API's default
    assert body == b""


def test_each_cookie_becomes_a_set_cookie_header() -> None:
    _, headers, _ = respond({"statusCode": 200, "cookies": ["a=1; Path=/", "b=2; HttpOnly"]})

    assert headers["set-cookie"] == ["a=1; Path=/", "b=2; HttpOnly"]


def test_a_base64_body_is_decoded() -> None:
    payload = bytes(range(256))

    _, _, body = respond(
        {"statusCode": 200, "body": base64.b64encode(payload).decode(), "isBase64Encoded": True}
    )

    assert body == payload


@pytest.mark.parametrize(
    ("result", "body"),
    [
        ({"message": "hi"}, b'{"message": "hi"}'),
        (["a", 1], b'["a", 1]'),
        (42, b"42"),
        ("just text", b"just text"),  # a string is the body itself, not its JSON
        (None, b"null"),
    ],
)
def test_a_result_without_status_code_is_a_200_json_response(result: Any, body: bytes) -> None:
    status, headers, actual_body = respond(result)

    assert status == 200
    assert headers["content-type"] == ["application/json"]
    assert actual_body == body


@pytest.mark.parametrize(
    "result",
    [
        {"statusCode": "200"},
        {"statusCode": True},
        {"statusCode": 99},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"]},
        {"statusCode": 200, "headers": {"x": None}},
        {"statusCode": 200, "cookies": "a=1"},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
    ],
)
def test_malformed_responses_are_refused(result: Any) -> None:
    with pytest.raises(InvalidResponseError):
        response_from_result(result, request_id="id=", now=NOW)


def test_framing_headers_from_a_handler_are_ignored() -> None:
    _, headers, _ = respond(
        {"statusCode": 200, "headers": {"Content-Length": "999", "Connection": "close"}}
    )

    assert "content-length" not in headers
    assert "connection" not in headers
