"""The template passes SAM's own translation, cfn-lint and checkov.

Run all three: each catches what another misses (cfn-lint passed an HttpApi event with no
Method, which SAM's translation rejects).
"""

from __future__ import annotations

import json

import pytest

from tests.template.conftest import find_tool, run_tool

pytestmark = pytest.mark.slow


def test_sam_translates_the_template():
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    # samconfig.toml makes a bare `sam validate` lint only; its no-lint env runs SAM's check.
    result = run_tool(sam, "validate", "--config-env", "no-lint", "--region", "us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "according to basic SAM Validation" in result.stdout, result.stdout


def test_cfn_lint_passes():
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    result = run_tool(sam, "validate", "--lint", "--region", "us-east-1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "is a valid SAM Template" in result.stdout, result.stdout


def test_checkov_passes_and_every_skip_has_a_reason():
    checkov = find_tool("CHECKOV", ".venv-checkov/bin/checkov")
    result = run_tool(
        checkov,
        "--skip-download",
        "--framework",
        "cloudformation",
        "--file",
        "template.yaml",
        "--output",
        "json",
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    assert [r["check_type"] for r in reports] == ["cloudformation"]
    results = reports[0]["results"]
    failed = [(c["check_id"], c["resource"]) for c in results["failed_checks"]]
    assert failed == [], failed
    assert results["passed_checks"], "checkov checked nothing: did it parse the template?"
    for check in results["skipped_checks"]:
        reason = (check.get("check_result") or {}).get("suppress_comment", "")
        assert reason.strip(), (check["check_id"], check["resource"])
        assert reason != "No comment provided", (check["check_id"], check["resource"])
    assert result.returncode == 0, result.stderr
