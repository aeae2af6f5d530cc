"""The page's files themselves (no browser): where they live, and what the CSP demands of them."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import PurePosixPath

from sam_template.document import load_template
from tests.conftest import REPO_ROOT

WEB = REPO_ROOT / "web"
ASSETS = WEB / "assets"
# CloudFront sends these paths (and everything under /assets/) to the bucket and the
# rest to the API, so nothing else may sit at the top of web/. openapi.json is the
# generated API description (make openapi).
TOP_LEVEL = {"index.html", "config.json", "robots.txt", "openapi.json", "assets"}
# Relative imports only ("./x.js", "./vendor/x.js"): the page loads nothing from elsewhere.
_IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["']\./([\w/-]+\.js)["']""", re.MULTILINE)


class _PageParts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_script_text.append(data.strip())


def page_parts() -> _PageParts:
    parser = _PageParts()
    parser.feed((WEB / "index.html").read_text(encoding="utf-8"))
    return parser


def test_web_holds_only_what_cloudfront_routes_to_the_bucket() -> None:
    assert {path.name for path in WEB.iterdir()} <= TOP_LEVEL
    assert json.loads((WEB / "config.json").read_text(encoding="utf-8")) == {"apiBaseUrl": ""}


def test_index_html_has_nothing_inline_that_the_csp_would_block() -> None:
    parts = page_parts()
    assert parts.inline_script_text == []
    assert [tag for tag, _ in parts.tags if tag == "style"] == []
    assert [(tag, a) for tag, a in parts.tags if "style" in a] == []
    assert [(tag, a) for tag, a in parts.tags if any(name.startswith("on") for name in a)] == []
    scripts = [a for tag, a in parts.tags if tag == "script"]
    assert scripts == [{"type": "module", "src": "/assets/app.js"}]
    # Every URL the page names is its own (no third-party hosts).
    urls = [a.get("src") or a.get("href") or "" for _, a in parts.tags]
    assert [url for url in urls if re.match(r"^(https?:)?//", url)] == []


def test_no_module_uses_eval_or_writes_html() -> None:
    for module in ASSETS.rglob("*.js"):
        source = module.read_text(encoding="utf-8")
        for forbidden in ("eval(", "new Function(", "innerHTML", "outerHTML", "document.write"):
            assert forbidden not in source, f"{module.name} uses {forbidden}"


def test_every_module_app_js_needs_is_preloaded() -> None:
    """index.html preloads the whole module graph; a module missing there loads late."""
    needed: set[str] = set()
    pending = ["app.js"]
    while pending:
        module = pending.pop()
        for name in _IMPORT.findall((ASSETS / module).read_text(encoding="utf-8")):
            imported = (PurePosixPath(module).parent / name).as_posix()
            if imported not in needed:
                needed.add(imported)
                pending.append(imported)
    preloaded = {
        (a.get("href") or "").removeprefix("/assets/")
        for tag, a in page_parts().tags
        if tag == "link" and a.get("rel") == "modulepreload"
    }
    assert preloaded == needed
    modules = {path.relative_to(ASSETS).as_posix() for path in ASSETS.rglob("*.js")}
    assert needed == modules - {"app.js"}


def test_every_file_cloudfront_sends_to_the_bucket_is_in_web() -> None:
    # A path routed to the bucket with no file behind it answers S3's 403 to everyone.
    distribution = load_template()["Resources"]["SiteDistribution"]["Properties"]
    behaviours = distribution["DistributionConfig"]["CacheBehaviors"]
    files = [
        b["PathPattern"].lstrip("/")
        for b in behaviours
        if b["TargetOriginId"] == "site" and "*" not in b["PathPattern"]
    ]
    assert "robots.txt" in files
    missing = [name for name in files if name and not (WEB / name).is_file()]
    assert missing == []
