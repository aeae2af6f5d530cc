"""Smoke test a running shortener over HTTP: create a link, follow it, read it, delete it,
load the page; on a deployed stack, also the chain in front of it.

With --stack (its outputs say where everything is), it also fails unless:
- the link it creates is on the stack's short-link base (ShortLinkBaseUrl: PublicBaseUrl,
  the custom domain or the distribution);
- the page and the redirect carry CloudFront's security headers (template.yaml,
  SiteSecurityHeadersPolicy);
- the API's own execute-api URL (ApiUrl) refuses a request that skipped CloudFront (403),
  unless the stack allows that (AllowDirectApiAccess=true, or --direct-api-allowed).
With --base-url alone (e.g. `make dev`) those checks have nothing to check against: it
says it skipped them.

Uses only the standard library, never follows redirects (the redirect is what it checks),
and stops at the first failure with the step, what it expected, what it got and the start
of the body.
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from deploy.stack import MissingOutput, StackNotFound, describe_stack, require

TIMEOUT_SECONDS = 15
# Clicks count only for browsers (domain/clicks.py ignores bots, curl and empty agents),
# so the smoke test clicks as one to see the click counted.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
    " Chrome/142.0.0.0 Safari/537.36"
)
REDIRECT_STATUSES = frozenset({301, 302, 307, 308})
BODY_EXCERPT_CHARS = 300
_HSTS_MAX_AGE = re.compile(r"(?:^|;)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:;|$)", re.IGNORECASE)


def _exactly(expected: str) -> Callable[[str], bool]:
    return lambda value: value.strip().lower() == expected.lower()


# What CloudFront's response headers policy puts on every answer, page and redirects alike
# (names are case-insensitive; so are these values).
SECURITY_HEADERS: dict[str, tuple[str, Callable[[str], bool]]] = {
    "Strict-Transport-Security": (
        "max-age > 0",
        lambda value: any(int(age) > 0 for age in _HSTS_MAX_AGE.findall(value)),
    ),
    "Content-Security-Policy": ("a policy", lambda value: bool(value.strip())),
    "X-Content-Type-Options": ("nosniff", _exactly("nosniff")),
    "X-Frame-Options": ("DENY", _exactly("DENY")),
    "Referrer-Policy": (
        "strict-origin-when-cross-origin",
        _exactly("strict-origin-when-cross-origin"),
    ),
}


def security_header_problems(headers: http.client.HTTPMessage) -> list[str]:
    """Each security header that is missing or not what the policy sets."""
    problems = []
    for name, (wanted, is_right) in SECURITY_HEADERS.items():
        value = headers.get(name)  # HTTPMessage looks names up case-insensitively
        if value is None:
            problems.append(f"{name} missing")
        elif not is_right(value):
            problems.append(f"{name}: {value!r} (expected {wanted})")
    return problems


@dataclass(frozen=True)
class Chain:
    """What a deployed stack promises beyond the API's answers (from its outputs). The
    defaults check none of it: a bare base URL (`make dev`) promises none of it."""

    short_link_base: str | None = None
    security_headers: bool = False
    direct_api_url: str | None = None
    direct_api_allowed: bool = False


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


def expect_security_headers(step: str, answer: Answer) -> None:
    problems = security_header_problems(answer.headers)
    if problems:
        raise SmokeFailure(
            step, "every security header CloudFront's policy sets", "; ".join(problems)
        )


def run(
    base_url: str,
    timeout: float = TIMEOUT_SECONDS,
    out: TextIO | None = None,
    chain: Chain | None = None,
) -> str:
    """Every step in order; the deleted link's id, or SmokeFailure at the first failing step."""
    chain = chain or Chain()
    client = Client(base_url, timeout)
    target = f"https://example.com/?smoke={uuid.uuid4()}"

    def say(message: str) -> None:
        print(message, file=out or sys.stdout, flush=True)

    def check_security_headers(step: str, answer: Answer) -> None:
        if chain.security_headers:
            expect_security_headers(step, answer)
            say(f"  ok  {step}: {', '.join(SECURITY_HEADERS)}")
        else:
            say(f"  skip {step}: no stack, so no CloudFront response headers policy to hold to")

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
    short_url = created.get("shortUrl")
    say(f"  ok  create: POST /shorten -> 201, {short_id} ({short_url})")

    step = "short-url"
    if chain.short_link_base is None:
        say(f"  skip {step}: no stack, so no short-link base to hold shortUrl to")
    else:
        prefix = chain.short_link_base.rstrip("/") + "/"
        if not isinstance(short_url, str) or not short_url.startswith(prefix):
            raise SmokeFailure(step, f"shortUrl starting with {prefix}", f"shortUrl {short_url!r}")
        say(f"  ok  {step}: on {prefix}")

    step = "follow"
    link_path = "/" + quote(short_id, safe="")
    answer = client.request(step, "GET", link_path, headers={"Accept": "text/html"})
    expect_status(step, answer, *sorted(REDIRECT_STATUSES))
    location = answer.headers.get("Location")
    if location != target:
        raise SmokeFailure(step, f"Location {target}", f"Location {location}", answer.excerpt())
    say(f"  ok  follow: GET {link_path} -> {answer.status} to {location}")

    step = "redirect-headers"
    check_security_headers(step, answer)

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

    step = "page"
    answer = client.request(step, "GET", "/", headers={"Accept": "text/html"})
    expect_status(step, answer, 200)
    say("  ok  page: GET / -> 200")

    step = "page-headers"
    check_security_headers(step, answer)

    step = "direct-api"
    if chain.direct_api_url is None:
        say(f"  skip {step}: no stack, so no execute-api URL that should refuse")
    elif chain.direct_api_allowed:
        say(f"  skip {step}: the stack allows direct access to {chain.direct_api_url}")
    else:
        expect_direct_api_refused(chain.direct_api_url, timeout)
        say(f"  ok  {step}: POST {chain.direct_api_url}/shorten -> 403")
    say("smoke test passed")
    return short_id


def expect_direct_api_refused(api_url: str, timeout: float) -> None:
    """POST a valid link to the API's own URL: it must refuse (403), creating nothing. If
    it creates one anyway, the link is deleted again and the step fails."""
    step = "direct-api"
    client = Client(api_url, timeout)
    target = f"https://example.com/?smoke-direct={uuid.uuid4()}"
    answer = client.request(step, "POST", "/shorten", {"url": target})
    if answer.status == 403:
        return
    got = f"status {answer.status}"
    if answer.status == 201:
        got += f" (a link was created skipping CloudFront; {_delete_quietly(client, answer)})"
    raise SmokeFailure(
        step, "status 403: the API refuses requests that skip CloudFront", got, answer.excerpt()
    )


def _delete_quietly(client: Client, created: Answer) -> str:
    try:
        body = json.loads(created.body)
        path = "/links/" + quote(str(body["shortId"]), safe="")
        auth = {"Authorization": f"Bearer {body['managementToken']}"}
        deleted = client.request("direct-api cleanup", "DELETE", path, headers=auth)
    except (ValueError, KeyError, TypeError, SmokeFailure) as exc:
        return f"could not delete it: {exc!r}"
    return f"deleted it again: {deleted.status}"


def chain_of(stack_name: str, region: str | None, direct_api_allowed: bool) -> tuple[str, Chain]:
    """The stack's site URL, and what its outputs and parameters say the chain must do."""
    stack = describe_stack(stack_name, region)
    if stack is None:
        raise StackNotFound(f"no stack named {stack_name!r}")
    site_url, short_link_base, api_url = require(
        stack.outputs, "SiteUrl", "ShortLinkBaseUrl", "ApiUrl"
    )
    allowed = direct_api_allowed or stack.parameters.get("AllowDirectApiAccess") == "true"
    return site_url, Chain(
        short_link_base=short_link_base,
        security_headers=True,
        direct_api_url=api_url,
        direct_api_allowed=allowed,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="smoke",
        description="Create, follow, read and delete a link on a running shortener; on a "
        "deployed stack, also check its chain (short-link base, security headers, the "
        "execute-api URL refusing direct requests).",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--base-url", help="e.g. http://127.0.0.1:3000 (checks the API only)")
    target.add_argument("--stack", help="a deployed stack: its outputs say what to check")
    parser.add_argument("--region", help="the stack's region (the Makefile: samconfig's)")
    parser.add_argument(
        "--direct-api-allowed",
        action="store_true",
        help="the stack answers on its execute-api URL too (AllowDirectApiAccess=true; "
        "read from the stack's parameters anyway): do not expect a 403 there",
    )
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds per request"
    )
    args = parser.parse_args(argv)
    try:
        if args.stack:
            base_url, chain = chain_of(args.stack, args.region, args.direct_api_allowed)
        else:
            base_url, chain = args.base_url, Chain()
        run(base_url, args.timeout, chain=chain)
    except (SmokeFailure, ValueError, StackNotFound, MissingOutput) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
