"""A page on another origin cannot make its visitors' browsers create links.

A web page can send a cross-origin POST without asking first: fetch() in no-cors mode,
navigator.sendBeacon(), an HTML form. Those carry no Content-Type, or a CORS-safelisted
one; a JSON one makes the browser ask with a preflight, which the API (no CORS unless
an origin is named) does not grant. So the attacker's page below tries every way, each
with an alias of its own, in a real Chromium, from the target site's origin; then the
shortener must have none of the aliases, and must have seen the requests it refused.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from playwright.sync_api import Browser

from tests.e2e.conftest import LocalStack

# Each attempt: its name (the alias it asks for) and the script that sends it.
ATTEMPTS = {
    "no-cors-text": """fetch(api + "/shorten",
        {method: "POST", mode: "no-cors", body: body(alias)})""",
    "no-cors-json-blob": """fetch(api + "/shorten", {method: "POST", mode: "no-cors",
        body: new Blob([body(alias)], {type: "application/json"})})""",
    "beacon-blob": """navigator.sendBeacon(api + "/shorten", new Blob([body(alias)]))""",
    "beacon-text": """navigator.sendBeacon(api + "/shorten", body(alias))""",
    "cors-json": """fetch(api + "/shorten", {method: "POST",
        headers: {"Content-Type": "application/json"}, body: body(alias)})""",
    "form-text-plain": """(() => {
        const frame = document.createElement("iframe");
        frame.name = "sink-" + alias;
        document.body.append(frame);
        const form = document.createElement("form");
        form.method = "POST";
        form.action = api + "/shorten";
        form.enctype = "text/plain";
        form.target = frame.name;
        const field = document.createElement("input");
        field.name = body(alias).slice(0, -2) + ', "x": "';
        field.value = '"}';
        form.append(field);
        document.body.append(form);
        form.submit();
        return new Promise((done) => frame.addEventListener("load", done));
    })()""",
}


def attacker_page(api: str, suffix: str) -> str:
    attempts = ",\n".join(
        f"""  ["{name}", (alias) => {script}]""" for name, script in ATTEMPTS.items()
    )
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Free prizes</title></head><body><h1>Free prizes</h1><script>
const api = {json.dumps(api)};
const body = (alias) => JSON.stringify({{url: "https://evil.example/phish", alias}});
const attempts = [
{attempts}
];
window.results = Promise.all(attempts.map(async ([name, send]) => {{
  try {{ await send("xsite-" + name + "-{suffix}"); return [name, "sent"]; }}
  catch (error) {{ return [name, "blocked: " + error]; }}
}}));
</script></body></html>"""


class _AttackerSite(BaseHTTPRequestHandler):
    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def attacker_site(html: str) -> Iterator[str]:
    """The attacker's page on an origin of its own: another port of the loopback address
    (so the browser's Private Network Access, which the real Internet does not meet
    between two public sites, does not step in)."""
    handler = type("Page", (_AttackerSite,), {"page": html.encode()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/prizes"
    finally:
        server.shutdown()
        server.server_close()


def refused_creations(stack: LocalStack) -> int:
    return sum(" POST /shorten -> 415 " in line for line in stack.output)


def test_a_page_on_another_origin_can_create_nothing(browser: Browser, stack: LocalStack) -> None:
    suffix = uuid.uuid4().hex[:8]
    refused_before = refused_creations(stack)
    context = browser.new_context()
    try:
        with attacker_site(attacker_page(stack.base_url, suffix)) as url:
            page = context.new_page()
            page.goto(url)
            results = dict(page.evaluate("window.results"))
            page.close()  # sends what is queued (beacons)
    finally:
        context.close()

    assert set(results) == set(ATTEMPTS)
    # The ways that need no permission reached the shortener, which refused them: the
    # two no-cors fetches, the two beacons and the form. The JSON one was never sent.
    deadline = time.monotonic() + 10
    while refused_creations(stack) - refused_before < 5 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert refused_creations(stack) - refused_before == 5, results
    assert results["cors-json"].startswith("blocked"), results
    for name in ATTEMPTS:
        alias = quote(f"xsite-{name}-{suffix}")
        answer = stack.request("GET", f"/links/{alias}", headers={"Accept": "application/json"})
        assert answer.status == 404, f"{name} created a link: {results[name]}"
