"""HTTP request -> API Gateway HTTP API payload 2.0 event, and a handler's result -> HTTP response.

Shapes follow AWS's documentation and what API Gateway is observed to do:
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
- header names lower-cased, repeated headers joined with commas; the Cookie header
  becomes the `cookies` list instead; repeated query keys joined with commas;
- `rawPath` and `pathParameters` are URL-decoded (HTTP APIs decode the path; REST APIs do not);
- the body is base64-encoded unless the content type is text (text/*, JSON, XML, JavaScript);
  a form post (application/x-www-form-urlencoded) or a body without a content type is base64;
- a result without `statusCode` is a 200 application/json response with that body;
  a structured response without a content-type gets text/plain.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import string
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl, unquote

API_ID = "local"
DOMAIN_PREFIX_FALLBACK = "localhost"
STAGE = "$default"
# API Gateway's own limit on a request's payload.
MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024

_TEXT_MEDIA_TYPES = frozenset({"application/json", "application/xml", "application/javascript"})
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_REQUEST_ID_ALPHABET = string.ascii_letters + string.digits
# Framing is the server's job: a handler's value for these would contradict the real body.
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


class InvalidResponseError(ValueError):
    """A handler result API Gateway cannot turn into a response (it answers 500)."""


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as it reached the server, before any API Gateway interpretation."""

    method: str
    raw_path: str  # percent-encoded, as sent
    raw_query: str  # without the '?'
    protocol: str  # "HTTP/1.1"
    headers: list[tuple[str, str]]  # in order, repeated names kept
    body: bytes
    source_ip: str
    server_port: int

    def header(self, name: str) -> str | None:
        values = [value for key, value in self.headers if key.lower() == name]
        return ",".join(values) if values else None


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def new_request_id() -> str:
    """An id shaped like API Gateway's (e.g. "JKJaXmPLvHcESHA=")."""
    return "".join(secrets.choice(_REQUEST_ID_ALPHABET) for _ in range(15)) + "="


def decoded_path(raw_path: str) -> str:
    return unquote(raw_path)


def build_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str],
    request_id: str,
    now: datetime,
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway would send the route's function."""
    headers = _event_headers(request)
    cookies = _cookies(request)
    host = request.header("host") or f"127.0.0.1:{request.server_port}"
    domain_name = _without_port(host)
    path = decoded_path(request.raw_path)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": request.raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    query = _query_parameters(request.raw_query)
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": domain_name,
        "domainPrefix": domain_name.split(".", 1)[0] or DOMAIN_PREFIX_FALLBACK,
        "http": {
            "method": request.method,
            "path": path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": request.header("user-agent") or "",
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": STAGE,
        "time": _request_time(now),
        "timeEpoch": int(now.timestamp() * 1000),
    }
    # A text body that is not valid UTF-8 travels base64-encoded too: the handler
    # must see the bytes the client sent, never a decoder's replacement characters.
    is_base64 = bool(request.body) and not (
        _is_text(request.header("content-type")) and _is_utf8(request.body)
    )
    if request.body:
        event["body"] = (
            base64.b64encode(request.body).decode("ascii")
            if is_base64
            else request.body.decode("utf-8")
        )
    if path_parameters:
        event["pathParameters"] = path_parameters
    event["isBase64Encoded"] = is_base64
    return event


def response_from_result(result: Any, *, request_id: str, now: datetime) -> HttpResponse:
    """The HTTP response API Gateway makes of a function's (JSON-decoded) result."""
    if not (isinstance(result, dict) and "statusCode" in result):
        # Payload 2.0 "inferred" response: a string is the body itself, anything else its JSON.
        body = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False)
        return HttpResponse(
            200,
            [*_gateway_headers(request_id, now), ("content-type", "application/json")],
            body.encode("utf-8"),
        )
    status = result["statusCode"]
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 599:
        raise InvalidResponseError(f"statusCode must be an HTTP status, got {status!r}")
    raw_headers = result.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise InvalidResponseError("headers must be an object")
    headers = _gateway_headers(request_id, now)
    for name, value in raw_headers.items():
        if name.lower() in _HOP_BY_HOP:
            continue
        if isinstance(value, dict | list) or value is None:
            raise InvalidResponseError(f"header {name!r} must be a string, got {value!r}")
        headers.append((str(name), _header_text(value)))
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("content-type", "text/plain; charset=utf-8"))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise InvalidResponseError("cookies must be a list of strings")
    headers.extend(("set-cookie", cookie) for cookie in cookies)
    return HttpResponse(status, headers, _body_bytes(result))


def error_response(status: int, message: str, *, request_id: str, now: datetime) -> HttpResponse:
    """API Gateway's own error responses, e.g. 404 {"message":"Not Found"}."""
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    headers = [*_gateway_headers(request_id, now), ("content-type", "application/json")]
    return HttpResponse(status, headers, body)


def _event_headers(request: HttpRequest) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":  # payload 2.0 moves cookies to their own field
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    # What API Gateway adds in front of every integration.
    forwarded_for = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = (
        f"{forwarded_for}, {request.source_ip}" if forwarded_for else request.source_ip
    )
    headers["x-forwarded-port"] = str(request.server_port)
    headers["x-forwarded-proto"] = "http"
    now_hex = f"{int(datetime.now(UTC).timestamp()):08x}"
    headers.setdefault("x-amzn-trace-id", f"Root=1-{now_hex}-{secrets.token_hex(12)}")
    if request.body and "content-length" not in headers:
        headers["content-length"] = str(len(request.body))
    return headers


def _cookies(request: HttpRequest) -> list[str]:
    cookies: list[str] = []
    for name, value in request.headers:
        if name.lower() == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
    return cookies


def _query_parameters(raw_query: str) -> dict[str, str]:
    parameters: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    return parameters


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type.startswith("text/") or media_type in _TEXT_MEDIA_TYPES


def _without_port(host: str) -> str:
    if host.startswith("["):  # [::1]:3000
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _request_time(now: datetime) -> str:
    """ "21/Nov/2026:16:42:35 +0000", with English month names whatever the locale."""
    utc = now.astimezone(UTC)
    return f"{utc:%d}/{_MONTHS[utc.month - 1]}/{utc:%Y:%H:%M:%S} +0000"


def _gateway_headers(request_id: str, now: datetime) -> list[tuple[str, str]]:
    return [
        ("date", format_datetime(now.astimezone(UTC), usegmt=True)),
        ("apigw-requestid", request_id),
    ]


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _body_bytes(result: dict[str, Any]) -> bytes:
    body = result.get("body")
    if body is None:
        return b""
    if not isinstance(body, str):
        raise InvalidResponseError(f"body must be a string, got {type(body).__name__}")
    if result.get("isBase64Encoded") is True:
        try:
            return base64.b64decode(body, validate=True)
        except binascii.Error as exc:
            raise InvalidResponseError("isBase64Encoded is true but body is not base64") from exc
    return body.encode("utf-8")
