"""Smoke test a running shortener over HTTP: create a link, follow it, read it, delete it.

Works against any base URL (a deployed stack's SiteUrl or ApiUrl, or `make dev`). Uses only
the standard library, never follows redirects (the redirect is what it checks), and stops at
the first failure with the step, what it expected, what it got and the start of the body.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import uuid
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from deploy.stack import MissingOutput, StackNotFound, require, stack_outputs

TIMEOUT_SECONDS = 15
# Clicks count only for browsers (domain/clicks.py ignores bots, curl and empty agents),
# so the smoke test clicks as one to see the click counted.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Safari/537.36"
)
REDIRECT_STATUSES = frozenset({301, 302, 307, 308})
BODY_EXCERPT_CHARS = 300


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def excerpt(self) -> str:
        text = self.body.decode("utf-8", errors="replace")
        return text if len(text) <= BODY_EXCERPT_CHARS else text[:BODY_EXCERPT_CHARS] + "…"


class SmokeFailure(Exception):
    def __init__(self, step: str, expected: str, got: str, body: str = "") -> None:
        super().__init__(step)
        self.step, self.expected, self.got, self.body = step, expected, got, body

    def __str__(self) -> str:
        lines = [
            f"SMOKE TEST FAILED at step '{self.step}'",
            f"  expected: {self.expected}",
            f"  got:      {self.got}",
        ]
        if self.body:
            lines.append(f"  body:     {self.body}")
        return "\n".join(lines)


class Client:
    """HTTP requests to one base URL (its path is a prefix), redirects never followed."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(f"not an http(s) base URL: {base_url!r}")
        self.scheme, self.host, self.port = parts.scheme, parts.hostname, parts.port
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout

    def request(
        self,
        step: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        connection_class = (
            http.client.HTTPSConnection if self.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(self.host, self.port, timeout=self.timeout)
        all_headers = {"User-Agent": BROWSER_USER_AGENT, "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        try:
            connection.request(method, self.prefix + path, body=payload, headers=all_headers)
            response = connection.getresponse()
            return Answer(response.status, response.headers, response.read())
        except (OSError, http.client.HTTPException) as exc:
            raise SmokeFailure(step, f"an answer to {method} {path}", repr(exc)) from exc
        finally:
            connection.close()


def expect_status(step: str, answer: Answer, *expected: int) -> None:
    if answer.status not in expected:
        wanted = " or ".join(str(status) for status in expected)
        raise SmokeFailure(step, f"status {wanted}", f"status {answer.status}", answer.excerpt())


def json_body(step: str, answer: Answer) -> dict[str, Any]:
    try:
        body = json.loads(answer.body)
    except ValueError as exc:
        raise SmokeFailure(step, "a JSON body", "not JSON", answer.excerpt()) from exc
    if not isinstance(body, dict):
        raise SmokeFailure(step, "a JSON object", type(body).__name__, answer.excerpt())
    return body


def run(base_url: str, timeout: float = TIMEOUT_SECONDS, out: TextIO | None = None) -> str:
    """Every step in order; the deleted link's id, or SmokeFailure at the first failing step."""
    client = Client(base_url, timeout)
    target = f"https://example.com/?smoke={uuid.uuid4()}"

    def say(message: str) -> None:
        print(message, file=out or sys.stdout, flush=True)

    say(f"smoke test against {base_url}")

    step = "create"
    answer = client.request(step, "POST", "/shorten", {"url": target})
    expect_status(step, answer, 201)
    created = json_body(step, answer)
    short_id, token = created.get("shortId"), created.get("managementToken")
    if not isinstance(short_id, str) or not isinstance(token, str):
        raise SmokeFailure(
            step, "shortId and managementToken", str(sorted(created)), answer.excerpt()
        )
    if created.get("url") != target:
        raise SmokeFailure(step, f"url {target}", f"url {created.get('url')}", answer.excerpt())
    say(f"  ok  create: POST /shorten -> 201, {short_id} ({created.get('shortUrl')})")

    step = "follow"
    link_path = "/" + quote(short_id, safe="")
    answer = client.request(step, "GET", link_path, headers={"Accept": "text/html"})
    expect_status(step, answer, *sorted(REDIRECT_STATUSES))
    location = answer.headers.get("Location")
    if location != target:
        raise SmokeFailure(step, f"Location {target}", f"Location {location}", answer.excerpt())
    say(f"  ok  follow: GET {link_path} -> {answer.status} to {location}")

    step = "info"
    info_path = "/links/" + quote(short_id, safe="")
    answer = client.request(step, "GET", info_path)
    expect_status(step, answer, 200)
    info = json_body(step, answer)
    if info.get("url") != target:
        raise SmokeFailure(step, f"url {target}", f"url {info.get('url')}", answer.excerpt())
    clicks = info.get("clicks")
    if not isinstance(clicks, int) or clicks < 1:
        raise SmokeFailure(step, "clicks >= 1", f"clicks {clicks!r}", answer.excerpt())
    say(f"  ok  info: GET {info_path} -> 200, {clicks} click(s)")

    step = "delete"
    answer = client.request(step, "DELETE", info_path, headers={"Authorization": f"Bearer {token}"})
    expect_status(step, answer, 204)
    say(f"  ok  delete: DELETE {info_path} -> 204")

    step = "gone"
    answer = client.request(step, "GET", link_path)
    expect_status(step, answer, 410)
    say(f"  ok  gone: GET {link_path} -> 410")
    say("smoke test passed")
    return short_id


def _site_url(stack: str, region: str | None) -> str:
    (site_url,) = require(stack_outputs(stack, region), "SiteUrl")
    return site_url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="smoke", description="Create, follow, read and delete a link on a running shortener."
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--base-url", help="e.g. http://127.0.0.1:3000 or a deployed site")
    target.add_argument("--stack", help="a deployed stack: its SiteUrl output is the base URL")
    parser.add_argument("--region", help="the stack's region (default: the AWS default)")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per request"
    )
    args = parser.parse_args(argv)
    try:
        base_url = args.base_url or _site_url(args.stack, args.region)
        run(base_url, args.timeout)
    except (SmokeFailure, ValueError, StackNotFound, MissingOutput) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
