"""The GitHub Actions workflows: actionlint and zizmor pass, and the deploy is shaped safely.

Given the workflow files, the real linters find nothing; pull requests only test;
only pushes to main deploy; only the deploy jobs may ask GitHub for an OIDC token;
prod waits in the protected `prod` environment; every action is pinned by commit SHA.
The linters are skipped when missing locally, but a missing linter fails under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.template.conftest import REPO_ROOT, run_tool

WORKFLOWS_DIR = REPO_ROOT / ".github" / "workflows"
WORKFLOW_FILES = sorted(WORKFLOWS_DIR.glob("*.yml")) + sorted(WORKFLOWS_DIR.glob("*.yaml"))
PUSH_TO_MAIN = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
SHA_PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    return workflow


@pytest.fixture(scope="module")
def workflows() -> dict[str, dict[Any, Any]]:
    assert WORKFLOW_FILES, "no workflow in .github/workflows"
    return {path.name: load(path) for path in WORKFLOW_FILES}


@pytest.fixture(scope="module")
def jobs(workflows) -> dict[str, dict[str, Any]]:
    return {name: job for workflow in workflows.values() for name, job in workflow["jobs"].items()}


def steps_running(jobs: dict[str, dict[str, Any]], text: str) -> list[str]:
    return [
        name
        for name, job in jobs.items()
        for step in job.get("steps", [])
        if text in step.get("run", "")
    ]


def find_linter(name: str) -> Path:
    """The linter on PATH or in the project's venv; skipped locally, a failure in CI."""
    found = os.environ.get(name.upper()) or shutil.which(name)
    if not found and (REPO_ROOT / ".venv" / "bin" / name).exists():
        found = str(REPO_ROOT / ".venv" / "bin" / name)
    if not found:
        message = f"{name} not installed: pip install -r requirements-ci-lint.txt"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return Path(found)


@pytest.mark.slow
def test_actionlint_passes():
    actionlint = find_linter("actionlint")
    result = run_tool(actionlint, "-no-color", *WORKFLOW_FILES, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_zizmor_passes():
    zizmor = find_linter("zizmor")
    # --offline: no GitHub API calls (the online audits need a token and the network).
    result = run_tool(zizmor, "--offline", "--no-progress", *WORKFLOW_FILES, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pull_requests_test_and_pushes_to_main_deploy(workflows):
    triggers = {trigger for workflow in workflows.values() for trigger in workflow["on"]}
    assert {"pull_request", "push"} <= triggers
    # pull_request_target runs fork code with the base repository's secrets and token.
    assert "pull_request_target" not in triggers
    assert "workflow_run" not in triggers
    for workflow in workflows.values():
        if "push" in workflow["on"]:
            assert workflow["on"]["push"]["branches"] == ["main"]


def test_make_test_runs_on_pull_requests(workflows, jobs):
    testing = steps_running(jobs, "make test")
    assert testing
    for name in testing:
        assert "if" not in jobs[name], f"{name} must run on every event"


def test_only_pushes_to_main_deploy(jobs):
    deploying = set(steps_running(jobs, "sam deploy"))
    assert deploying == {"deploy-dev", "deploy-prod"}
    for name in deploying:
        assert jobs[name]["if"] == PUSH_TO_MAIN, name


def test_dev_deploys_after_the_tests_and_prod_after_dev(jobs):
    assert jobs["deploy-dev"]["needs"] == "test"
    assert jobs["deploy-prod"]["needs"] == "deploy-dev"
    dev_steps = " ".join(step.get("run", "") for step in jobs["deploy-dev"]["steps"])
    for command in (
        "make build",
        "--config-env dev",
        "make publish-web ENV=dev",
        "make smoke ENV=dev",
    ):
        assert command in dev_steps
    prod_steps = " ".join(step.get("run", "") for step in jobs["deploy-prod"]["steps"])
    for command in (
        "make build",
        "--config-env prod",
        "make publish-web ENV=prod",
        "make smoke ENV=prod",
    ):
        assert command in prod_steps


def test_prod_waits_in_the_protected_environment(jobs):
    assert jobs["deploy-prod"]["environment"] == "prod"
    # The role trusts the dev job by its ref; an environment would change its OIDC subject.
    assert "environment" not in jobs["deploy-dev"]


def test_token_permissions_are_minimal_and_oidc_only_where_aws_is_called(workflows, jobs):
    for workflow in workflows.values():
        assert workflow["permissions"] == {}, "workflow-level permissions must be empty"
    for name, job in jobs.items():
        permissions = job["permissions"]
        calls_aws = any(
            "configure-aws-credentials" in step.get("uses", "") for step in job["steps"]
        )
        if calls_aws:
            assert permissions == {"contents": "read", "id-token": "write"}, name
        else:
            assert permissions == {"contents": "read"}, name


def test_aws_credentials_come_from_oidc_with_the_role_in_a_variable(jobs):
    for name in ("deploy-dev", "deploy-prod"):
        [step] = [
            step
            for step in jobs[name]["steps"]
            if "aws-actions/configure-aws-credentials@" in step.get("uses", "")
        ]
        assert step["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
        assert not {"aws-access-key-id", "aws-secret-access-key"} & step["with"].keys()


def test_no_long_lived_aws_keys_anywhere():
    for path in WORKFLOW_FILES:
        text = path.read_text(encoding="utf-8")
        assert "AWS_ACCESS_KEY_ID" not in text, path
        assert "AWS_SECRET_ACCESS_KEY" not in text, path


def test_every_action_is_pinned_by_commit_sha(jobs):
    for name, job in jobs.items():
        for step in job["steps"]:
            if "uses" in step:
                assert SHA_PINNED.match(step["uses"]), f"{name}: {step['uses']}"


def test_checkout_does_not_persist_the_token(jobs):
    for name, job in jobs.items():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name


def test_runs_are_grouped_and_deploys_are_never_cancelled(workflows):
    for workflow in workflows.values():
        concurrency = workflow["concurrency"]
        assert "github.ref" in concurrency["group"]
        assert concurrency["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_nothing_phones_home(workflows):
    for workflow in workflows.values():
        assert workflow["env"]["SAM_CLI_TELEMETRY"] == "0"
        assert workflow["env"]["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
