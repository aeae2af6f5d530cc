"""The GitHub Actions workflows: actionlint and zizmor pass, and the deploy is shaped safely.

Given the workflow files, the real linters find nothing; pull requests only test;
only pushes to main deploy, through `make deploy` as a person does; only the deploy jobs
may ask GitHub for an OIDC token; prod waits in the protected `prod` environment without
holding back later pushes; every action is pinned by commit SHA, on node24 majors.
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
# v6.2.3, whose action.yml says `runs.using: node24` (v5.x ran on node20).
CONFIGURE_AWS_CREDENTIALS = (
    "aws-actions/configure-aws-credentials@e6de054238d6b7531b4efff3b6587d9aade6a06c"
)
CANCEL_ON_PULL_REQUESTS = "${{ github.event_name == 'pull_request' }}"


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
    deploying = set(steps_running(jobs, "make deploy"))
    assert deploying == {"deploy-dev", "deploy-prod"}
    for name in deploying:
        assert jobs[name]["if"] == PUSH_TO_MAIN, name


def test_ci_deploys_the_way_a_person_does(jobs):
    # Through `make deploy` (preflight, the execution role, samconfig's region, publish,
    # smoke), never by calling sam or the deploy commands itself.
    for text in ("sam deploy", "-m deploy", "make publish-web", "make smoke"):
        assert steps_running(jobs, text) == [], text


def test_dev_deploys_after_the_tests_and_prod_after_dev(jobs):
    assert jobs["deploy-dev"]["needs"] == "test"
    assert jobs["deploy-prod"]["needs"] == "deploy-dev"
    for name, environment in (("deploy-dev", "dev"), ("deploy-prod", "prod")):
        runs = [step.get("run", "") for step in jobs[name]["steps"]]
        uses = [step.get("uses", "") for step in jobs[name]["steps"]]
        # Built before the job holds AWS credentials; deployed once it does.
        credentials = next(i for i, use in enumerate(uses) if "configure-aws-credentials" in use)
        [build] = [i for i, run in enumerate(runs) if run == "make build"]
        [deploy] = [i for i, run in enumerate(runs) if run.startswith("make deploy")]
        assert build < credentials < deploy, name
        # Unattended: no change set prompt, no progress bar; a failed first create
        # (ROLLBACK_COMPLETE, which never holds data) does not block every later push.
        assert runs[deploy].split() == [
            "make",
            "deploy",
            f"ENV={environment}",
            "UNATTENDED=1",
            "DELETE_FAILED_STACK=1",
        ]


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


def test_aws_credentials_come_from_the_node24_release_of_the_action(jobs):
    pinned = {
        step["uses"]
        for job in jobs.values()
        for step in job["steps"]
        if "aws-actions/configure-aws-credentials@" in step.get("uses", "")
    }
    assert pinned == {CONFIGURE_AWS_CREDENTIALS}
    for path in WORKFLOW_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if "aws-actions/configure-aws-credentials@" in line:
                assert line.strip().endswith(f"{CONFIGURE_AWS_CREDENTIALS} # v6.2.3"), line


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


def test_concurrency_is_per_job_so_a_waiting_prod_deploy_holds_back_nothing_else(workflows, jobs):
    # A workflow-level group would make a run waiting for prod's approval hold every
    # later push's tests and dev deploy.
    for workflow in workflows.values():
        assert "concurrency" not in workflow
    groups = {name: jobs[name]["concurrency"]["group"] for name in jobs}
    assert len(set(groups.values())) == len(groups), groups


def test_tests_are_grouped_per_ref_and_superseded_pull_request_runs_cancelled(jobs):
    concurrency = jobs["test"]["concurrency"]
    assert "github.ref" in concurrency["group"]
    assert concurrency["cancel-in-progress"] == CANCEL_ON_PULL_REQUESTS


def test_each_deploy_has_a_group_of_its_own_and_is_never_cut_off(jobs):
    for name in ("deploy-dev", "deploy-prod"):
        concurrency = jobs[name]["concurrency"]
        # One group per environment, whatever the run: deploys of it never overlap.
        assert "${{" not in concurrency["group"], name
        assert concurrency["cancel-in-progress"] is False, name
    assert jobs["deploy-dev"]["concurrency"]["group"] != jobs["deploy-prod"]["concurrency"]["group"]


def test_nothing_phones_home(workflows):
    for workflow in workflows.values():
        assert workflow["env"]["SAM_CLI_TELEMETRY"] == "0"
        assert workflow["env"]["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
