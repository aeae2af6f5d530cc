"""deploy/bootstrap-oidc.yaml: GitHub's OIDC provider and the deploy role CI assumes.

Given the template, cfn-lint and checkov pass (every skip with a reason), the role
trusts exactly two subjects of one repository (pushes to main, the prod environment)
for the STS audience, and its permissions are scoped to the app's names where IAM
allows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from devserver.template import load_template
from tests.template.conftest import REPO_ROOT, as_list, find_tool, run_tool

TEMPLATE = REPO_ROOT / "deploy" / "bootstrap-oidc.yaml"
GITHUB = "token.actions.githubusercontent.com"
# Actions that IAM only grants on "*" or whose resources have random ids (see the template).
WILDCARD_RESOURCE_SIDS = {
    "CloudFormationReadOnlyGlobal",
    "LogDelivery",
    "RandomPasswordForSecrets",
    "CloudFront",
}


@pytest.fixture(scope="module")
def bootstrap() -> dict[str, Any]:
    return load_template(TEMPLATE)


@pytest.fixture(scope="module")
def statements(bootstrap) -> dict[str, dict[str, Any]]:
    [policy] = bootstrap["Resources"]["DeployRole"]["Properties"]["Policies"]
    return {statement["Sid"]: statement for statement in policy["PolicyDocument"]["Statement"]}


def test_creates_githubs_oidc_provider_for_sts_or_reuses_one(bootstrap):
    provider = bootstrap["Resources"]["GitHubOidcProvider"]
    assert provider["Type"] == "AWS::IAM::OIDCProvider"
    assert provider["Properties"]["Url"] == f"https://{GITHUB}"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    assert provider["Condition"] == "CreateOidcProvider"
    assert bootstrap["Parameters"]["ExistingOidcProviderArn"]["Default"] == ""


def test_role_trusts_exactly_pushes_to_main_and_the_prod_environment(bootstrap):
    trust = bootstrap["Resources"]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]
    [statement] = trust["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert set(statement["Condition"]) == {"StringEquals"}  # no StringLike wildcards
    condition = statement["Condition"]["StringEquals"]
    assert condition[f"{GITHUB}:aud"] == "sts.amazonaws.com"
    assert condition[f"{GITHUB}:sub"] == [
        {"Fn::Sub": "repo:${GitHubOwner}/${GitHubRepo}:ref:refs/heads/main"},
        {"Fn::Sub": "repo:${GitHubOwner}/${GitHubRepo}:environment:prod"},
    ]
    assert {"GitHubOwner", "GitHubRepo"} <= bootstrap["Parameters"].keys()


def test_only_allows_and_names_every_statement(statements):
    assert all(statement["Effect"] == "Allow" for statement in statements.values())


def test_wildcard_resources_only_where_iam_allows_nothing_narrower(statements):
    wildcard = {sid for sid, statement in statements.items() if statement["Resource"] == "*"}
    assert wildcard == WILDCARD_RESOURCE_SIDS
    for sid in WILDCARD_RESOURCE_SIDS:
        actions = as_list(statements[sid]["Action"])
        assert not any(action.endswith(":*") or action == "*" for action in actions), sid


def test_no_service_wide_actions(statements):
    for sid, statement in statements.items():
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{sid}: {action}"


def test_stacks_roles_and_functions_are_scoped_to_the_apps_name(statements):
    def resources(sid: str) -> list[str]:
        return [item["Fn::Sub"] for item in as_list(statements[sid]["Resource"])]

    assert any("stack/${AppName}-*/*" in arn for arn in resources("AppStacks"))
    assert all(":role/${AppName}-*" in arn for arn in resources("FunctionRoles"))
    assert all(":function:${AppName}-*" in arn for arn in resources("Functions"))
    assert all(":table/${AppName}-*" in arn for arn in resources("Tables"))
    assert all("aws-sam-cli-managed-default" in arn for arn in resources("SamArtifactBucket"))


def test_role_cannot_manage_itself_or_its_own_stack(bootstrap):
    # It may manage roles named "<AppName>-*": its own name must not be one of them.
    role_name = bootstrap["Resources"]["DeployRole"]["Properties"]["RoleName"]["Fn::Sub"]
    assert not role_name.startswith("${AppName}-")
    assert "--stack-name github-oidc-" in bootstrap["Description"]


def test_pass_role_only_to_lambda(statements):
    statement = statements["PassFunctionRolesToLambdaOnly"]
    assert statement["Action"] == "iam:PassRole"
    assert statement["Condition"] == {
        "StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}
    }
    passing = [sid for sid, s in statements.items() if "iam:PassRole" in as_list(s["Action"])]
    assert passing == ["PassFunctionRolesToLambdaOnly"]


@pytest.mark.slow
def test_cfn_lint_passes():
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    cfn_lint = Path(sam).parent / "cfn-lint"
    result = run_tool(cfn_lint, TEMPLATE)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_checkov_passes_and_every_skip_has_a_reason(bootstrap):
    checkov = find_tool("CHECKOV", ".venv-checkov/bin/checkov")
    result = run_tool(
        checkov,
        "--skip-download",
        "--framework",
        "cloudformation",
        "--file",
        TEMPLATE,
        "--output",
        "json",
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [check["check_id"] for r in reports for check in r["results"]["failed_checks"]]
    assert failed == [], result.stdout[-4000:]
    for resource in bootstrap["Resources"].values():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert len(skip.get("comment", "")) > 40, skip
