"""`python -m deploy admin` against a real HTTP server on 127.0.0.1 that answers as the
admin API does (canned answers): what each command sends, how answers read as tables or
JSON, and that every refusal is one line with the API's own message, and the key goes
nowhere but the URL given.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from deploy.__main__ import main as deploy_main
from deploy.admin_api import AdminApi
from deploy.samconfig import region, stack_name
from tests.deploy.conftest import create_plain_stack

KEY = "usk_0123456789abcdef_" + "A" * 43


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class CannedApi:
    url: str
    seen: list[Seen] = field(default_factory=list)
    answers: dict[tuple[str, str], tuple[int, Any, dict[str, str]]] = field(default_factory=dict)

    def answer(self, method: str, path: str, status: int, body: Any = None, **headers: str) -> None:
        self.answers[(method, path)] = (status, body, headers)


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[CannedApi]:
    """A server on a free port; the CLI's key and URL in its environment."""
    canned = CannedApi(url="")

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            target = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            canned.seen.append(
                Seen(
                    self.command,
                    target.path,
                    parse_qs(target.query),
                    {name.lower(): value for name, value in self.headers.items()},
                    json.loads(raw) if raw else None,
                )
            )
            status, body, headers = canned.answers.get(
                (self.command, target.path), (404, {"message": "Not Found"}, {})
            )
            payload = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    canned.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("SHORTENER_ADMIN_KEY", KEY)
    monkeypatch.setenv("SHORTENER_URL", canned.url)
    try:
        yield canned
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    code = deploy_main(["admin", *arguments])
    out, err = capsys.readouterr()
    return code, out, err


LINKS = {
    "links": [
        {
            "shortId": "abc1234",
            "url": "https://phish.example/login",
            "host": "phish.example",
            "createdAt": "2026-12-03T10:00:00.000Z",
            "owner": None,
            "creatorClass": "ipv4",
            "clicks": 12,
            "status": "active",
        },
        {
            "shortId": "zz9",
            "url": "https://docs.example/" + "x" * 100,
            "host": "docs.example",
            "createdAt": "2026-12-02T09:00:00.000Z",
            "owner": "team-docs",
            "creatorClass": "key",
            "clicks": 0,
            "status": "disabled",
        },
    ],
    "cursor": "eyJuZXh0Ijo",
}


def test_links_sends_the_key_and_filters_and_prints_a_table(api, capsys) -> None:
    api.answer("GET", "/admin/links", 200, LINKS)

    code, out, _ = run(capsys, "links", "--host", "phish.example", "--limit", "2")

    assert code == 0
    [request] = api.seen
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.query == {"host": ["phish.example"], "limit": ["2"]}
    header, first, second, more = out.splitlines()
    assert header.split() == ["ID", "CREATED", "STATUS", "CLICKS", "OWNER", "CREATOR", "TARGET"]
    assert first.split() == [
        "abc1234",
        "2026-12-03T10:00:00.000Z",
        "active",
        "12",
        "-",
        "ipv4",
        "https://phish.example/login",
    ]
    assert second.endswith("…")  # a long target is cut; --json has it whole
    assert header.index("TARGET") == first.index("https://")  # aligned
    assert more == "more links: add --cursor eyJuZXh0Ijo"


def test_the_next_page_and_since_go_as_query_parameters(api, capsys) -> None:
    api.answer("GET", "/admin/links", 200, {"links": [], "cursor": None})

    code, out, _ = run(
        capsys, "links", "--cursor", "eyJuZXh0Ijo", "--since", "2026-12-01T00:00:00Z"
    )

    assert (code, out) == (0, "no links\n")
    assert api.seen[0].query == {"cursor": ["eyJuZXh0Ijo"], "since": ["2026-12-01T00:00:00Z"]}


def test_json_prints_the_answer_as_it_is(api, capsys) -> None:
    api.answer("GET", "/admin/links", 200, LINKS)

    code, out, _ = run(capsys, "links", "--json")

    assert code == 0
    assert json.loads(out) == LINKS


def test_disable_sends_the_reason_and_escapes_the_id(api, capsys) -> None:
    api.answer(
        "POST",
        "/admin/links/abc1234/disable",
        200,
        {"shortId": "abc1234", "status": "disabled", "disabledReason": "phishing\nkit"},
    )

    code, out, _ = run(capsys, "disable", "abc1234", "--reason", "phishing\nkit")

    assert code == 0
    assert (api.seen[0].method, api.seen[0].body) == ("POST", {"reason": "phishing\nkit"})
    assert api.seen[0].headers["content-type"] == "application/json"
    assert out.splitlines()[0] == "disabled abc1234"
    assert "disabledReason  phishing kit" in out  # one line per field, whatever the text

    run(capsys, "enable", "../keys/x")
    assert api.seen[1].path == "/admin/links/..%2Fkeys%2Fx/enable"


def test_block_and_unblock_a_host(api, capsys) -> None:
    api.answer("PUT", "/admin/blocked-hosts/phish.example", 200, {"host": "phish.example"})
    api.answer("DELETE", "/admin/blocked-hosts/phish.example", 204)

    assert run(capsys, "block", "phish.example", "--reason", "kit")[0] == 0
    code, out, _ = run(capsys, "unblock", "phish.example")

    assert code == 0
    assert out == "unblocked phish.example\n"
    assert [(seen.method, seen.body) for seen in api.seen] == [
        ("PUT", {"reason": "kit"}),
        ("DELETE", None),
    ]


def test_blocked_reports_keys_and_audit_are_tables(api, capsys) -> None:
    api.answer(
        "GET",
        "/admin/blocked-hosts",
        200,
        {"hosts": [{"host": "phish.example", "reason": "kit", "blockedAt": "2026-12-03"}]},
    )
    api.answer(
        "GET",
        "/admin/reports",
        200,
        {"reports": [{"shortId": "abc1234", "reason": "phishing", "at": "t", "linkStatus": "x"}]},
    )
    api.answer(
        "GET",
        "/admin/keys",
        200,
        {"keys": [{"id": "0123456789abcdef", "name": "ci", "scopes": ["admin", "links:read"]}]},
    )
    api.answer(
        "GET",
        "/admin/audit",
        200,
        {
            "entries": [{"at": "t", "actor": {"id": "k", "name": "ada"}, "action": "link.disable"}],
            "cursor": None,
        },
    )

    assert run(capsys, "blocked")[1].split("\n")[0].split() == ["HOST", "BLOCKED", "REASON"]
    assert "phishing" in run(capsys, "reports")[1]
    keys = run(capsys, "keys")[1]
    assert "admin,links:read" in keys
    audit = run(capsys, "audit")[1].splitlines()
    assert audit[1].split() == ["t", "ada", "link.disable"]


def test_create_key_shows_the_key_once_with_the_warning(api, capsys) -> None:
    new_key = "usk_fedcba9876543210_" + "b" * 43
    api.answer(
        "POST",
        "/admin/keys",
        201,
        {
            "id": "fedcba9876543210",
            "key": new_key,
            "name": "importer",
            "owner": "team-docs",
            "scopes": ["links:write"],
            "createdAt": "t",
        },
    )

    arguments = ["--name", "importer", "--owner", "team-docs", "--scopes", "links:write"]
    code, out, _ = run(capsys, "create-key", *arguments)

    assert code == 0
    assert api.seen[0].body == {"name": "importer", "owner": "team-docs", "scopes": ["links:write"]}
    assert out.count(new_key) == 1
    assert "shown only this once" in out


def test_a_scope_that_does_not_exist_is_refused_before_asking(api, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, "create-key", "--name", "n", "--owner", "o", "--scopes", "links:delete")
    assert exited.value.code == 2
    assert api.seen == []


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (
            401,
            {"message": "unknown or revoked API key"},
            "the API refused the key (401: unknown or revoked API key): check $SHORTENER_ADMIN_KEY",
        ),
        (
            403,
            {"message": "this API key lacks the scope 'admin'"},
            "the key may not do this (403: this API key lacks the scope 'admin')",
        ),
        (
            404,
            {"message": "No link with the short id 'nope'"},
            "the API refused (HTTP 404): No link with the short id 'nope'",
        ),
        (
            400,
            {"message": "Invalid request", "errors": [{"field": "reason", "reason": "too long"}]},
            "the API refused (HTTP 400): Invalid request (reason: too long)",
        ),
        (502, None, "the API refused (HTTP 502): (no message)"),
    ],
)
def test_a_refusal_is_one_line_with_the_apis_message(api, capsys, status, body, expected) -> None:
    api.answer("POST", "/admin/links/nope/disable", status, body)

    code, out, err = run(capsys, "disable", "nope", "--reason", "r")

    assert (code, out) == (1, "")
    assert err.startswith(f"admin disable: {expected}")
    assert err.count("\n") == 1
    assert KEY not in err


def test_a_redirect_is_not_followed_so_the_key_goes_nowhere_else(api, capsys) -> None:
    api.answer("GET", "/admin/keys", 301, None, location=f"{api.url}/elsewhere/admin/keys")

    code, _, err = run(capsys, "keys")

    assert code == 1
    assert f"redirected to {api.url}/elsewhere/admin/keys" in err
    assert [seen.path for seen in api.seen] == ["/admin/keys"]


def test_without_a_key_nothing_is_sent(api, capsys, monkeypatch) -> None:
    monkeypatch.delenv("SHORTENER_ADMIN_KEY")

    code, _, err = run(capsys, "links")

    assert code == 1
    assert "no admin key: put one in $SHORTENER_ADMIN_KEY" in err
    assert api.seen == []


def test_the_key_is_never_an_argument(api, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        run(capsys, "links", "--key", KEY)
    assert exited.value.code == 2
    assert api.seen == []


def test_a_management_token_is_not_taken_for_a_key(api, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SHORTENER_ADMIN_KEY", "x" * 43)

    code, _, err = run(capsys, "links")

    assert code == 1
    assert "$SHORTENER_ADMIN_KEY is not an API key (those start with usk_)" in err


def test_plain_http_is_for_this_machine_only(api, capsys) -> None:
    code, _, err = run(capsys, "links", "--url", "http://shortener.example")

    assert code == 1
    assert "plain http: the key would cross the network in clear text" in err
    assert AdminApi("http://localhost:3000", KEY).base_url  # make dev's is fine
    assert AdminApi("http://[::1]:3000", KEY).base_url


def test_url_over_env_over_shortener_url(api, capsys, monkeypatch) -> None:
    api.answer("GET", "/admin/keys", 200, {"keys": []})
    monkeypatch.setenv("SHORTENER_URL", "http://127.0.0.1:1")  # nothing listens there

    assert run(capsys, "keys", "--url", api.url)[0] == 0
    code, _, err = run(capsys, "keys")
    assert code == 1
    assert err.startswith("admin keys: no answer from http://127.0.0.1:1: ")
    assert err.count("\n") == 1


def test_env_reads_the_stacks_site_url(api, aws, capsys) -> None:
    """--env ENV: the URL is the SiteUrl output of the stack samconfig names."""
    api.answer("GET", "/admin/reports", 200, {"reports": []})
    create_plain_stack(stack_name("dev"), {"SiteUrl": api.url}, region=region("dev"))

    code, out, _ = run(capsys, "reports", "--env", "dev")

    assert (code, out) == (0, "no reports\n")
    assert api.seen


def test_env_without_a_deployed_stack(api, aws, capsys) -> None:
    code, _, err = run(capsys, "reports", "--env", "prod")

    assert code == 1
    assert f"there is no stack {stack_name('prod')} in {region('prod')}" in err
    assert api.seen == []
