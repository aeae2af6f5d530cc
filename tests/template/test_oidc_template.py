"""deploy/bootstrap-oidc.yaml: the roles that deploy the app, and what stops them escalating.

Given the template, cfn-lint and checkov pass (every skip with a reason); GitHub's
role trusts exactly two subjects of one repository and can change a stack only as the
execution role; the execution role can create only roles that carry the boundary, pass
them only to Lambda, and never attach an AWS managed policy or loosen a role; the
boundary holds every function's grants; and the policies fit IAM's size limits.
(What the execution role must be able to create is tests/template/test_deploy_permissions.py.)
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from deploy.stack import EXECUTION_ROLE_NAME
from sam_template.document import load_template
from tests.template.conftest import find_tool, run_tool
from tests.template.deploy_permissions import (
    ACCOUNT,
    BOOTSTRAP_TEMPLATE,
    STACK,
    Role,
    Statement,
    app_names,
    as_list,
    bootstrap_names,
    bootstrap_role,
    resolve,
    statements,
    transformed_app_template,
)

GITHUB = "token.actions.githubusercontent.com"
APP_ROLES = f"arn:aws:iam::{ACCOUNT}:role/url-shortener-*"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/boundary-url-shortener-functions"
# Every IAM call that writes a role's permissions or trust, and the ones that write a policy.
ROLE_WRITES = {
    "iam:attachrolepolicy", "iam:createrole", "iam:deleterolepermissionsboundary",
    "iam:deleterolepolicy", "iam:detachrolepolicy", "iam:putrolepermissionsboundary",
    "iam:putrolepolicy", "iam:updateassumerolepolicy",
}  # fmt: skip
POLICY_WRITES = {
    "iam:createpolicy", "iam:createpolicyversion", "iam:deletepolicy",
    "iam:deletepolicyversion", "iam:setdefaultpolicyversion", "iam:tagpolicy",
}  # fmt: skip
# Actions IAM only grants on "*", or whose resources have random ids (see the template).
WILDCARD_RESOURCE_SIDS = {
    "CloudFormationExecutionRole": {
        "ApiAccessLogDelivery",
        "RandomPasswordForSecrets",
        "CloudFront",
        # CreateEventSourceMapping takes only "*": scoped by lambda:FunctionArn instead.
        "EventSourceMappingsOfTheAppsFunctions",
    },
    "DeployRole": {"CloudFormationReadOnlyGlobal"},
}


@pytest.fixture(scope="module")
def bootstrap() -> dict[str, Any]:
    return load_template(BOOTSTRAP_TEMPLATE)


@pytest.fixture(scope="module")
def execution_role() -> Role:
    return bootstrap_role("CloudFormationExecutionRole")


@pytest.fixture(scope="module")
def deploy_role() -> Role:
    return bootstrap_role("DeployRole")


def allowed(role: Role, action: str) -> list[Statement]:
    return list(role.allowing(action))


def test_creates_githubs_oidc_provider_for_sts_or_reuses_one(bootstrap):
    provider = bootstrap["Resources"]["GitHubOidcProvider"]
    assert provider["Type"] == "AWS::IAM::OIDCProvider"
    assert provider["Properties"]["Url"] == f"https://{GITHUB}"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]
    assert provider["Condition"] == "CreateOidcProvider"
    assert bootstrap["Parameters"]["ExistingOidcProviderArn"]["Default"] == ""


def test_github_is_optional_and_the_execution_role_always_exists(bootstrap):
    resources = bootstrap["Resources"]
    assert resources["DeployRole"]["Condition"] == "HasGitHub"
    assert "Condition" not in resources["CloudFormationExecutionRole"]
    assert "Condition" not in resources["FunctionPermissionsBoundary"]
    assert bootstrap["Parameters"]["GitHubOwner"]["Default"] == ""
    assert bootstrap["Parameters"]["GitHubRepo"]["Default"] == ""


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


def test_only_cloudformation_may_assume_the_execution_role(bootstrap):
    trust = bootstrap["Resources"]["CloudFormationExecutionRole"]["Properties"][
        "AssumeRolePolicyDocument"
    ]
    [statement] = trust["Statement"]
    assert statement == {
        "Effect": "Allow",
        "Principal": {"Service": "cloudformation.amazonaws.com"},
        "Action": "sts:AssumeRole",
    }


@pytest.mark.parametrize("role_id", sorted(WILDCARD_RESOURCE_SIDS))
def test_wildcard_resources_only_where_iam_allows_nothing_narrower(role_id):
    role = bootstrap_role(role_id)
    wildcard = {s.sid for s in role.statements if s.effect == "Allow" and "*" in s.resources}
    assert wildcard == WILDCARD_RESOURCE_SIDS[role_id]


@pytest.mark.parametrize("role_id", sorted(WILDCARD_RESOURCE_SIDS))
def test_no_service_wide_actions_and_every_statement_named(role_id):
    for statement in bootstrap_role(role_id).statements:
        assert statement.sid, statement
        for action in statement.actions:
            assert "*" not in action, f"{statement.sid}: {action}"


def test_the_app_is_touched_only_by_its_names(execution_role, deploy_role):
    scoped = {
        "Functions": ":function:url-shortener-*",
        "TheLayer": ":layer:url-shortener-*",
        "Tables": ":table/url-shortener-*",
        "Secrets": ":secret:url-shortener-*",
        "LogGroups": ":log-group:url-shortener-*",
        "SiteBucket": ":::url-shortener-*",
        "WriteRolesOnlyWithTheBoundary": ":role/url-shortener-*",
        "ScheduleRules": ":rule/url-shortener-*",
    }
    by_sid = {s.sid: s for s in execution_role.statements}
    for sid, suffix in scoped.items():
        assert all(suffix in resource for resource in by_sid[sid].resources), sid
    deploy = {s.sid: s for s in deploy_role.statements}
    assert deploy["ChangeAppStacksAsTheExecutionRole"].resources == (
        f"arn:aws:cloudformation:*:{ACCOUNT}:stack/url-shortener-*/*",
    )


def test_no_role_here_can_manage_itself_or_the_boundary(bootstrap, execution_role, deploy_role):
    names = bootstrap_names(bootstrap)
    own = [
        resolve(resource["Properties"][key], names)
        for resource in bootstrap["Resources"].values()
        for key in ("RoleName", "ManagedPolicyName")
        if key in resource.get("Properties", {})
    ]
    assert own
    assert not any(name.startswith("url-shortener-") for name in own), own
    for role in (execution_role, deploy_role):
        for action in POLICY_WRITES:
            assert allowed(role, action) == [], f"{role.name} may {action}"
    assert "--stack-name bootstrap-url-shortener" in bootstrap["Description"]


def test_every_role_write_requires_the_boundary(execution_role):
    for action in ROLE_WRITES:
        for statement in allowed(execution_role, action):
            assert statement.condition == {"StringEquals": {"iam:PermissionsBoundary": BOUNDARY}}, (
                f"{statement.sid} grants {action} without the boundary"
            )
    assert allowed(execution_role, "iam:CreateRole"), "the stack's roles could not be created"


def test_roles_are_never_loosened_or_given_aws_managed_policies(execution_role):
    for action in ("iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary",
                   "iam:UpdateAssumeRolePolicy"):  # fmt: skip
        assert allowed(execution_role, action) == [], action
        assert any(s.condition == {} for s in execution_role.denying(action)), action


def test_roles_are_passed_only_to_lambda_and_the_execution_role_only_to_cloudformation(
    execution_role, deploy_role
):
    (passing,) = allowed(execution_role, "iam:PassRole")
    assert passing.resources == (APP_ROLES,)
    assert passing.condition == {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}
    (passing,) = allowed(deploy_role, "iam:PassRole")
    assert passing.resources == (f"arn:aws:iam::{ACCOUNT}:role/cfn-exec-url-shortener",)
    assert passing.condition == {
        "StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}
    }


def test_the_deploy_role_changes_stacks_only_as_the_execution_role(deploy_role):
    for action in ("cloudformation:CreateChangeSet", "cloudformation:CreateStack",
                   "cloudformation:UpdateStack", "cloudformation:DeleteStack"):  # fmt: skip
        for statement in allowed(deploy_role, action):
            if any(":stack/url-shortener-" in r for r in statement.resources):
                role = f"arn:aws:iam::{ACCOUNT}:role/cfn-exec-url-shortener"
                assert statement.condition == {"StringEquals": {"cloudformation:RoleArn": role}}, (
                    statement.sid
                )
    # It creates nothing itself: no service write outside CloudFormation, S3 and invalidations.
    for statement in deploy_role.statements:
        services = {action.split(":")[0] for action in statement.actions}
        assert services <= {"cloudformation", "iam", "s3", "cloudfront"}, statement.sid


def test_every_role_the_app_creates_carries_the_boundary_the_bootstrap_makes(bootstrap):
    app = transformed_app_template()
    names = app_names(app)
    boundary_name = resolve(
        bootstrap["Resources"]["FunctionPermissionsBoundary"]["Properties"]["ManagedPolicyName"],
        bootstrap_names(bootstrap),
    )
    roles = {k: r for k, r in app["Resources"].items() if r["Type"] == "AWS::IAM::Role"}
    functions = [r for r in app["Resources"].values() if r["Type"] == "AWS::Lambda::Function"]
    # One role per function, each the template's own (no role SAM made beside them).
    assert len(roles) == len(functions) >= 4, sorted(roles)
    for logical_id, role in roles.items():
        properties = role["Properties"]
        assert resolve(properties["PermissionsBoundary"], names) == (
            f"arn:aws:iam::{ACCOUNT}:policy/{boundary_name}"
        ), logical_id
        assert "ManagedPolicyArns" not in properties, logical_id


def test_the_boundary_holds_every_grant_of_every_function(bootstrap):
    app = transformed_app_template()
    names = app_names(app)
    for logical_id, resource in app["Resources"].items():
        if resource["Type"] == "AWS::IAM::Role":
            names[f"{logical_id}.Arn"] = f"arn:aws:iam::{ACCOUNT}:role/{names[logical_id]}"
        elif resource["Type"] == "AWS::DynamoDB::Table":
            table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/{names[logical_id]}"
            names[f"{logical_id}.Arn"] = table
            # The stream's ARN as CloudFormation's StreamArn gives it: the table's, then a label.
            names[f"{logical_id}.StreamArn"] = f"{table}/stream/2026-12-03T13:46:37.187"
        elif resource["Type"] == "AWS::Logs::LogGroup":
            names[f"{logical_id}.Arn"] = (
                f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:{names[logical_id]}:*"
            )
    boundary = statements(
        resolve(
            bootstrap["Resources"]["FunctionPermissionsBoundary"]["Properties"]["PolicyDocument"],
            bootstrap_names(bootstrap),
        )
    )
    checked = []
    for logical_id, resource in app["Resources"].items():
        if resource["Type"] != "AWS::IAM::Role":
            continue
        for policy in resource["Properties"]["Policies"]:
            for statement in statements(resolve(policy["PolicyDocument"], names)):
                for action in statement.actions:
                    for arn in statement.resources:
                        checked.append(arn)
                        assert any(b.allows_action(action) and b.covers(arn) for b in boundary), (
                            f"{logical_id} grants {action} on {arn}, beyond the boundary"
                        )
    assert len(checked) > 10
    # The aggregator's reads of the table's stream were among them.
    assert any("/stream/" in arn for arn in checked), checked


def test_event_source_mappings_are_written_only_for_the_apps_functions(execution_role):
    app_functions = f"arn:aws:lambda:*:{ACCOUNT}:function:url-shortener-*"
    for action in ("lambda:CreateEventSourceMapping", "lambda:UpdateEventSourceMapping",
                   "lambda:DeleteEventSourceMapping"):  # fmt: skip
        granting = allowed(execution_role, action)
        assert granting, f"{action} is not granted: the aggregator's mapping cannot be deployed"
        for statement in granting:
            # A mapping is named by a random UUID: the function it feeds is what scopes it.
            assert statement.condition == {"ArnLike": {"lambda:FunctionArn": app_functions}}, (
                statement.sid
            )


def _characters(document: Any) -> int:
    # IAM counts a policy's size without whitespace.
    return len(re.sub(r"\s", "", json.dumps(document)))


def test_the_policies_fit_iams_size_limits(bootstrap):
    names = bootstrap_names(bootstrap)
    for logical_id, resource in bootstrap["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::IAM::ManagedPolicy":
            size = _characters(resolve(properties["PolicyDocument"], names))
            assert size <= 6144, f"{logical_id}: {size} characters, a managed policy takes 6,144"
        if resource["Type"] == "AWS::IAM::Role":
            inline = sum(
                _characters(resolve(p["PolicyDocument"], names))
                for p in properties.get("Policies", [])
            )
            assert inline <= 10240, f"{logical_id}: {inline} inline characters, a role takes 10,240"
            assert len(as_list(properties.get("ManagedPolicyArns", []))) <= 10, logical_id
    assert STACK.startswith("url-shortener-")


@pytest.mark.slow
def test_cfn_lint_passes():
    sam = find_tool("SAM", ".venv-sam/bin/sam")
    cfn_lint = Path(sam).parent / "cfn-lint"
    result = run_tool(cfn_lint, BOOTSTRAP_TEMPLATE)
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
        BOOTSTRAP_TEMPLATE,
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


# What `sam deploy --role-arn ROLE` calls with the deploy role's own credentials, from
# the SAM CLI's source (samcli/lib/deploy/deployer.py, samcli/lib/package/s3_uploader.py,
# samcli/lib/utils/managed_cloudformation_stack.py), and what preflight, publish-web and
# smoke call: each must be granted on what it acts on.
APP_STACK = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/{STACK}/0a1b2c3d"
MANAGED_STACK = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/aws-sam-cli-managed-default/1"
ARTIFACTS = "arn:aws:s3:::aws-sam-cli-managed-default-samclisourcebucket-1a2b3c4d5e6f"
SITE_BUCKET = f"arn:aws:s3:::{STACK}-sitebucket-1a2b3c4d5e6f"
DEPLOY_CALLS = [
    ("cloudformation:DescribeStacks", MANAGED_STACK),
    ("cloudformation:CreateChangeSet", MANAGED_STACK),
    ("cloudformation:DescribeChangeSet", MANAGED_STACK),
    ("cloudformation:ExecuteChangeSet", MANAGED_STACK),
    (
        "cloudformation:CreateChangeSet",
        "arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31",
    ),
    ("s3:GetObject", f"{ARTIFACTS}/{STACK}/0123456789abcdef.template"),  # head_object
    ("s3:PutObject", f"{ARTIFACTS}/{STACK}/0123456789abcdef.template"),
    ("cloudformation:DescribeStacks", APP_STACK),
    ("cloudformation:GetTemplateSummary", APP_STACK),
    ("cloudformation:CreateChangeSet", APP_STACK),
    ("cloudformation:DescribeChangeSet", APP_STACK),
    ("cloudformation:ExecuteChangeSet", APP_STACK),
    ("cloudformation:DescribeStackEvents", APP_STACK),
    ("cloudformation:DeleteStack", APP_STACK),  # preflight --delete-failed-stack, destroy
    ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/cfn-exec-url-shortener"),
    ("s3:ListBucket", SITE_BUCKET),  # publish-web
    ("s3:GetObject", f"{SITE_BUCKET}/index.html"),
    ("s3:PutObject", f"{SITE_BUCKET}/index.html"),
    ("s3:DeleteObject", f"{SITE_BUCKET}/old.js"),
    ("cloudfront:CreateInvalidation", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E2ABCDEF"),
]


@pytest.mark.parametrize(("action", "arn"), DEPLOY_CALLS)
def test_the_deploy_role_may_make_every_call_a_deploy_makes(deploy_role, action, arn):
    assert any(statement.covers(arn) for statement in allowed(deploy_role, action)), (action, arn)


def test_the_role_the_deploy_role_passes_is_the_one_make_deploy_names(bootstrap, deploy_role):
    # preflight derives the execution role's ARN from its name (deploy/stack.py): the
    # bootstrap must create exactly that role, and the deploy role's conditions name it.
    names = bootstrap_names(bootstrap)
    role_name = resolve(
        bootstrap["Resources"]["CloudFormationExecutionRole"]["Properties"]["RoleName"], names
    )
    assert role_name == EXECUTION_ROLE_NAME
    (passing,) = allowed(deploy_role, "iam:PassRole")
    assert passing.resources == (f"arn:aws:iam::{ACCOUNT}:role/{EXECUTION_ROLE_NAME}",)
