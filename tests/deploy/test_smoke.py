"""`smoke` against the real local stack, against stubs that answer wrongly, and against a
stand-in for a deployed chain (the site behind CloudFront, the API's own URL) broken one
link at a time."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy import smoke
from tests.deploy.conftest import ELSEWHERE, REGION, create_plain_stack
from tests.e2e.conftest import LocalStack


def test_passes_against_the_local_stack(
    local_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke.main(["--base-url", local_stack.base_url]) == 0

    out = capsys.readouterr().out
    for step in ("create", "follow", "info", "delete", "gone", "page"):
        assert f"ok  {step}:" in out
    # What only a deployed stack promises is skipped, and said to be.
    for step in ("short-url", "redirect-headers", "page-headers", "direct-api"):
        assert f"skip {step}:" in out
    assert "smoke test passed" in out


def test_leaves_the_link_deleted(local_stack: LocalStack) -> None:
    short_id = smoke.run(local_stack.base_url)

    assert local_stack.request("GET", f"/links/{short_id}").status == 410


Responder = Callable[[BaseHTTPRequestHandler], None]


def _serve(respond: Responder) -> Generator[str, None, None]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            respond(self)

        def do_POST(self) -> None:
            respond(self)

        def do_DELETE(self) -> None:
            respond(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _answer(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    length = int(handler.headers.get("Content-Length") or 0)
    handler.rfile.read(length)
    _send(handler, status, body, **headers)


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    """Answer a request whose body was read already."""
    handler.send_response(status)
    for name, value in headers.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


@pytest.fixture
def broken_server() -> Iterator[str]:
    yield from _serve(lambda h: _answer(h, 500, b'{"message": "Internal Server Error"}'))


@pytest.fixture
def server_that_does_not_redirect() -> Iterator[str]:
    created = json.dumps({"shortId": "abc1234", "managementToken": "t", "url": None})

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if handler.command == "POST":
            # Echo the target the smoke test sent, so only the redirect step is wrong.
            length = int(handler.headers.get("Content-Length") or 0)
            sent = json.loads(handler.rfile.read(length))
            body = json.dumps({**json.loads(created), "url": sent["url"]}).encode()
            handler.send_response(201)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        else:
            _answer(handler, 200, b"<html>a page, not a redirect</html>")

    yield from _serve(respond)


def test_fails_on_the_first_step_that_fails(
    broken_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke.main(["--base-url", broken_server]) == 1

    err = capsys.readouterr().err
    assert "FAILED at step 'create'" in err
    assert "expected: status 201" in err
    assert "got:      status 500" in err
    assert "Internal Server Error" in err


def test_fails_when_the_link_does_not_redirect(
    server_that_does_not_redirect: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke.main(["--base-url", server_that_does_not_redirect]) == 1

    captured = capsys.readouterr()
    assert "ok  create:" in captured.out
    assert "FAILED at step 'follow'" in captured.err
    assert "got:      status 200" in captured.err
    assert "a page, not a redirect" in captured.err


def test_fails_clearly_when_nothing_listens(capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback: nothing listens there in a test environment.
    assert smoke.main(["--base-url", "http://127.0.0.1:9", "--timeout", "2"]) == 1

    err = capsys.readouterr().err
    assert "FAILED at step 'create'" in err
    assert "ConnectionRefusedError" in err


def test_refuses_a_base_url_that_is_not_http(capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke.main(["--base-url", "ftp://example.com"]) == 1
    assert "not an http(s) base URL" in capsys.readouterr().err


def test_smoke_takes_what_to_check_from_a_deployed_stacks_outputs(deployed_stack, monkeypatch):
    # Only where the URLs come from is under test: nothing may reach the network.
    seen: list[tuple[str, smoke.Chain]] = []
    monkeypatch.setattr(
        smoke, "run", lambda base_url, timeout, chain: seen.append((base_url, chain))
    )

    assert smoke.main(["--stack", deployed_stack.name]) == 0
    assert seen == [
        (
            deployed_stack.site_url,
            smoke.Chain(
                short_link_base=deployed_stack.site_url,
                security_headers=True,
                direct_api_url="https://abc123.execute-api.us-east-1.amazonaws.com",
                direct_api_allowed=False,
            ),
        )
    ]


def test_smoke_names_an_unknown_stack(aws, capsys):
    assert smoke.main(["--stack", "no-such-stack"]) == 1
    assert "no-such-stack" in capsys.readouterr().err


# --- a deployed chain, broken one link at a time ------------------------------------

# What CloudFront's response headers policy adds (template.yaml, SiteSecurityHeadersPolicy).
SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Content-Security-Policy": "default-src 'none'; script-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


@dataclass
class Chain:
    """How the stand-in stack behaves; the defaults are a stack that works."""

    page_headers: dict[str, str] = field(default_factory=lambda: dict(SECURITY_HEADERS))
    redirect_headers: dict[str, str] = field(default_factory=lambda: dict(SECURITY_HEADERS))
    short_link_base: str | None = None  # None: the site's own URL, as the stack's output says
    direct_api_status: int = 403
    direct_deletes: list[str] = field(default_factory=list)


@dataclass
class DeployedChain:
    stack: str
    site_url: str
    api_url: str
    behaviour: Chain


def _site(chain: Chain, site_url: list[str]) -> Responder:
    """The site through CloudFront: the page at /, the API everywhere else."""
    links: dict[str, dict[str, object]] = {}

    def respond(handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if handler.command == "POST" and path == "/shorten":
            length = int(handler.headers.get("Content-Length") or 0)
            target = json.loads(handler.rfile.read(length))["url"]
            short_id = f"link{len(links)}"
            links[short_id] = {"url": target, "clicks": 0, "deleted": False}
            base = chain.short_link_base or site_url[0]
            body = {
                "shortId": short_id,
                "managementToken": "token",
                "url": target,
                "shortUrl": f"{base}/{short_id}",
            }
            _send(handler, 201, json.dumps(body).encode(), **SECURITY_HEADERS)
        elif handler.command == "GET" and path == "/":
            _answer(handler, 200, b"<!doctype html><title>x</title>", **chain.page_headers)
        elif path.startswith("/links/"):
            link = links[path.removeprefix("/links/")]
            if link["deleted"]:
                _answer(handler, 410, b'{"message": "gone"}', **SECURITY_HEADERS)
            elif handler.command == "DELETE":
                link["deleted"] = True
                _answer(handler, 204, b"", **SECURITY_HEADERS)
            else:
                info = {"url": link["url"], "clicks": link["clicks"]}
                _answer(handler, 200, json.dumps(info).encode(), **SECURITY_HEADERS)
        else:
            link = links[path.removeprefix("/")]
            if link["deleted"]:
                _answer(handler, 410, b"gone", **SECURITY_HEADERS)
                return
            link["clicks"] = int(str(link["clicks"])) + 1
            headers = {**chain.redirect_headers, "Location": str(link["url"])}
            _answer(handler, 302, b"", **headers)

    return respond


def _direct_api(chain: Chain) -> Responder:
    """The API's own execute-api URL: refuses what skipped CloudFront, unless broken."""

    def respond(handler: BaseHTTPRequestHandler) -> None:
        if handler.command == "DELETE":
            chain.direct_deletes.append(handler.path)
            _answer(handler, 204, b"")
        elif chain.direct_api_status == 201:
            body = {"shortId": "direct1", "managementToken": "token", "url": "x"}
            _answer(handler, 201, json.dumps(body).encode())
        else:
            _answer(handler, chain.direct_api_status, b'{"message": "Forbidden"}')

    return respond


@pytest.fixture
def chain() -> Chain:
    return Chain()


@pytest.fixture
def deployed_chain(aws, chain: Chain, request: pytest.FixtureRequest) -> Iterator[DeployedChain]:
    """The two servers, and a stack (moto) whose outputs point at them, as template.yaml's
    do: SiteUrl and ShortLinkBaseUrl the site, ApiUrl the API's own URL."""
    allow = getattr(request, "param", "false")
    site_url: list[str] = []
    site_servers = _serve(_site(chain, site_url))
    api_servers = _serve(_direct_api(chain))
    site_url.append(next(site_servers))
    api_url = next(api_servers)
    outputs = {"SiteUrl": site_url[0], "ShortLinkBaseUrl": site_url[0], "ApiUrl": api_url}
    create_plain_stack("url-shortener-test", outputs, allow_direct_api_access=allow)
    yield DeployedChain("url-shortener-test", site_url[0], api_url, chain)
    for servers in (site_servers, api_servers):
        servers.close()


def smoke_stack(deployed: DeployedChain, *flags: str) -> int:
    return smoke.main(["--stack", deployed.stack, "--region", REGION, "--timeout", "5", *flags])


def test_passes_when_the_whole_chain_holds(
    deployed_chain: DeployedChain,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The stack is found in the region given, whatever the AWS configuration says.
    monkeypatch.setenv("AWS_DEFAULT_REGION", ELSEWHERE)

    assert smoke_stack(deployed_chain) == 0

    out = capsys.readouterr().out
    for step in ("short-url", "redirect-headers", "page-headers", "direct-api"):
        assert f"ok  {step}:" in out
    assert "skip" not in out
    assert f"POST {deployed_chain.api_url}/shorten -> 403" in out


def test_header_names_are_case_insensitive(deployed_chain: DeployedChain, chain: Chain) -> None:
    chain.page_headers = {name.lower(): value for name, value in SECURITY_HEADERS.items()}

    assert smoke_stack(deployed_chain) == 0


@pytest.mark.parametrize(
    ("where", "header", "value", "problem"),
    [
        ("redirect", "X-Frame-Options", None, "X-Frame-Options missing"),
        ("redirect", "Referrer-Policy", "unsafe-url", "Referrer-Policy: 'unsafe-url'"),
        ("page", "Strict-Transport-Security", None, "Strict-Transport-Security missing"),
        ("page", "Strict-Transport-Security", "includeSubDomains", "expected max-age > 0"),
        ("page", "Strict-Transport-Security", "max-age=0", "expected max-age > 0"),
        ("page", "Content-Security-Policy", None, "Content-Security-Policy missing"),
        ("page", "X-Content-Type-Options", None, "X-Content-Type-Options missing"),
    ],
)
def test_fails_when_a_security_header_is_missing_or_wrong(
    deployed_chain: DeployedChain,
    chain: Chain,
    capsys: pytest.CaptureFixture[str],
    where: str,
    header: str,
    value: str | None,
    problem: str,
) -> None:
    headers = chain.redirect_headers if where == "redirect" else chain.page_headers
    if value is None:
        del headers[header]
    else:
        headers[header] = value

    assert smoke_stack(deployed_chain) == 1

    err = capsys.readouterr().err
    assert f"FAILED at step '{where}-headers'" in err
    assert problem in err


def test_fails_when_the_short_link_is_not_on_the_stacks_base(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    # Links handed out on the API's own URL: the page would share links that skip CloudFront.
    chain.short_link_base = deployed_chain.api_url

    assert smoke_stack(deployed_chain) == 1

    err = capsys.readouterr().err
    assert "FAILED at step 'short-url'" in err
    assert f"shortUrl starting with {deployed_chain.site_url}/" in err
    assert f"shortUrl '{deployed_chain.api_url}/link0'" in err


def test_a_base_that_only_prefixes_the_host_is_not_the_base(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    # https://sho.rt.evil.example/x does not start with "https://sho.rt/".
    chain.short_link_base = deployed_chain.site_url + "0"

    assert smoke_stack(deployed_chain) == 1
    assert "FAILED at step 'short-url'" in capsys.readouterr().err


def test_fails_when_the_api_answers_on_its_own_url(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    chain.direct_api_status = 201

    assert smoke_stack(deployed_chain) == 1

    err = capsys.readouterr().err
    assert "FAILED at step 'direct-api'" in err
    assert "expected: status 403" in err
    assert "got:      status 201" in err
    # What it created skipping CloudFront is not left behind.
    assert chain.direct_deletes == ["/links/direct1"]
    assert "deleted it again: 204" in err


@pytest.mark.parametrize("status", [200, 404, 500])
def test_fails_on_any_direct_answer_but_a_refusal(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str], status: int
) -> None:
    chain.direct_api_status = status

    assert smoke_stack(deployed_chain) == 1
    assert "FAILED at step 'direct-api'" in capsys.readouterr().err


@pytest.mark.parametrize("deployed_chain", ["true"], indirect=True)
def test_a_stack_that_allows_direct_access_is_not_expected_to_refuse(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    chain.direct_api_status = 201

    assert smoke_stack(deployed_chain) == 0

    assert "skip direct-api: the stack allows direct access" in capsys.readouterr().out
    assert chain.direct_deletes == []


def test_the_operator_can_say_the_stack_allows_direct_access(
    deployed_chain: DeployedChain, chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    chain.direct_api_status = 201

    assert smoke_stack(deployed_chain, "--direct-api-allowed") == 0
    assert "skip direct-api" in capsys.readouterr().out


def test_a_stack_without_the_outputs_it_needs_fails_clearly(aws, capsys):
    create_plain_stack("url-shortener-old", {"SiteUrl": "https://d111.cloudfront.net"})

    assert smoke.main(["--stack", "url-shortener-old", "--region", REGION]) == 1
    assert "no output(s) ShortLinkBaseUrl, ApiUrl" in capsys.readouterr().err
