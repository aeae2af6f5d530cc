"""`smoke` against the real local stack, and against stubs that answer wrongly."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy import smoke
from tests.e2e.conftest import LocalStack


def test_passes_against_the_local_stack(
    local_stack: LocalStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert smoke.main(["--base-url", local_stack.base_url]) == 0

    out = capsys.readouterr().out
    for step in ("create", "follow", "info", "delete", "gone"):
        assert f"ok  {step}:" in out
    assert "smoke test passed" in out


def test_leaves_the_link_deleted(local_stack: LocalStack) -> None:
    short_id = smoke.run(local_stack.base_url)

    assert local_stack.request("GET", f"/links/{short_id}").status == 410


Responder = Callable[[BaseHTTPRequestHandler], None]


def _serve(respond: Responder) -> Iterator[str]:
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


def test_smoke_can_take_its_base_url_from_a_deployed_stacks_outputs(deployed_stack, monkeypatch):
    # Only where the base URL comes from is under test: nothing may reach the network.
    seen: list[str] = []
    monkeypatch.setattr(smoke, "run", lambda base_url, timeout: seen.append(base_url))

    assert smoke.main(["--stack", deployed_stack.name]) == 0
    assert seen == [deployed_stack.site_url]


def test_smoke_names_an_unknown_stack(aws, capsys):
    assert smoke.main(["--stack", "no-such-stack"]) == 1
    assert "no-such-stack" in capsys.readouterr().err
