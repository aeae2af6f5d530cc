"""The documents agree with the code: docs/api.md names the routes and statuses the
handlers really have, the CloudFormation commands they show pass parameters the
templates declare, and no document links to a file or a section that is not there."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from devserver.openapi import openapi_document
from handlers.response_docs import _STATUS_MEANINGS
from sam_template.document import load_template
from tests.conftest import REPO_ROOT

API_DOC = REPO_ROOT / "docs" / "api.md"
DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]

_LINK = re.compile(r"\]\(([^)\s]+)\)")
_FENCED_BLOCK = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


def _table_under(heading: str, text: str) -> list[list[str]]:
    """The rows (cells) of the first table after `heading`, without its header."""
    section = f"\n{text}".split(f"\n{heading}\n", 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif rows:
            break
    return rows[2:]


def _documented_operations() -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, operations in openapi_document()["paths"].items()
        for method, operation in operations.items()
    }


def test_the_status_table_lists_every_status_the_api_sends_and_no_other():
    rows = _table_under("## Statuses", API_DOC.read_text(encoding="utf-8"))
    in_table = [int(status) for row in rows for status in re.findall(r"`(\d{3})`", row[0])]
    sent = {
        int(status)
        for operation in _documented_operations().values()
        for status in operation["responses"]
    }

    assert len(in_table) == len(set(in_table)), "a status has two rows"
    assert set(in_table) == sent
    assert {status for status in in_table if status >= 400} == set(_STATUS_MEANINGS)


def test_the_route_table_lists_every_route_and_no_other():
    text = API_DOC.read_text(encoding="utf-8")
    first_table = _table_under("# The HTTP API", text)
    listed = {route for row in first_table for route in re.findall(r"`([A-Z]+ /[^`]*)`", row[0])}

    assert listed == set(_documented_operations())
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    for route in listed:
        assert any(f"`{route}`" in heading for heading in headings), f"no section on {route}"


def _anchors(document: Path) -> set[str]:
    """GitHub's ids for the document's headings."""
    text = _FENCED_BLOCK.sub("", document.read_text(encoding="utf-8"))
    anchors = set()
    for heading in re.findall(r"^#+ (.+)$", text, re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_link_in_the_docs_leads_somewhere(document: Path):
    text = _FENCED_BLOCK.sub("", document.read_text(encoding="utf-8"))
    for target in _LINK.findall(text):
        if re.match(r"[a-z]+:", target):
            continue  # another site
        path, _, anchor = unquote(target).partition("#")
        linked = (document.parent / path).resolve() if path else document
        assert linked.exists(), f"{document.name} links to {path}, which is not in the repository"
        if anchor and linked.suffix == ".md":
            assert anchor in _anchors(linked), f"{document.name}: {linked.name} has no #{anchor}"


def _cloudformation_deploys(document: Path) -> list[list[str]]:
    """Each `aws cloudformation deploy ...` in the document's shell blocks, split as a
    shell splits it (continued lines joined, <placeholders> as plain words)."""
    text = document.read_text(encoding="utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```$", text, re.DOTALL | re.MULTILINE)
    lines = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]
    return [
        shlex.split(line.replace("<", "").replace(">", ""))
        for line in lines
        if line.startswith("aws cloudformation deploy ")
    ]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_cloudformation_deploy_passes_parameters_its_template_declares(document: Path):
    for words in _cloudformation_deploys(document):
        template = REPO_ROOT / words[words.index("--template-file") + 1]
        declared = load_template(template).get("Parameters", {})
        overrides_at = (
            words.index("--parameter-overrides") if "--parameter-overrides" in words else len(words)
        )
        for override in words[overrides_at + 1 :]:
            assert override.split("=", 1)[0] in declared, (document.name, override)
