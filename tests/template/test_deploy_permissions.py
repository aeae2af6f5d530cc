"""The first deploy cannot fail for want of a permission: proven, resource by resource.

CloudFormation creates the app's stack as the execution role that
deploy/bootstrap-oidc.yaml makes, so that role must hold every permission the
CloudFormation handlers of every resource type in the (transformed) template list, on
that resource; plus what CloudFormation itself does for the template: resolving each
`{{resolve:secretsmanager:...}}` (GetSecretValue) and wiring the HTTP API's access log
(the calls the API Gateway developer guide lists for it). SAM's own artifacts stack
(`aws-sam-cli-managed-default`, which `sam deploy` creates once, without a role) must
likewise be within the deploy role's grants.

A handler lists every call any of its code paths may make. The few that this template
can never reach are left out below, each with the reason and a check that still
holds: add a KMS key, a VPC, a replica, and the test names the missing permissions.
A read handler's calls are never left out: CloudFormation reads every resource it
creates, and a read that fails fails the deploy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from tests.template.deploy_permissions import (
    STACK,
    Role,
    acts_on,
    app_names,
    bootstrap_role,
    handler_permissions,
    in_sam_venv,
    is_iam_action,
    resolve,
    resource_arns,
    secret_references,
    transformed_app_template,
)

# The API Gateway developer guide, "Configuring logging for an HTTP API": "To turn on
# logging for an API, your user must have the following permissions" (on "*").
HTTP_API_ACCESS_LOG_PERMISSIONS = (
    "logs:CreateLogDelivery",
    "logs:PutResourcePolicy",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:CreateLogGroup",
    "logs:DescribeResourcePolicies",
    "logs:GetLogDelivery",
    "logs:ListLogDeliveries",
    "logs:DescribeLogGroups",
)


def _absent(*names: str) -> Callable[[Mapping[str, Any]], bool]:
    """True while no property (at any depth) has one of these names."""
    lowered = {name.lower() for name in names}

    def check(properties: Mapping[str, Any]) -> bool:
        return not any(key.lower() in lowered for key in _keys(properties))

    return check


def _no_kms_key(properties: Mapping[str, Any]) -> bool:
    return not any("kms" in key.lower() for key in _keys(properties))


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [key for k, v in value.items() for key in (k, *_keys(v))]
    if isinstance(value, list):
        return [key for item in value for key in _keys(item)]
    return []


def _trusts_only_lambda(properties: Mapping[str, Any]) -> bool:
    statements = properties["AssumeRolePolicyDocument"]["Statement"]
    return all(s.get("Principal") == {"Service": "lambda.amazonaws.com"} for s in statements)


@dataclass(frozen=True)
class NotNeeded:
    actions: frozenset[str]
    reason: str
    still_true: Callable[[Mapping[str, Any]], bool]
    # Read handlers too: only where the read itself depends on the feature.
    even_on_read: bool = False


def not_needed(
    reason: str,
    check: Callable[[Mapping[str, Any]], bool],
    *actions: str,
    even_on_read: bool = False,
) -> NotNeeded:
    return NotNeeded(frozenset(action.lower() for action in actions), reason, check, even_on_read)


NOT_NEEDED: dict[str, list[NotNeeded]] = {
    "*": [
        not_needed(
            "no customer-managed KMS key anywhere: AWS-managed keys need no IAM grant",
            _no_kms_key,
            "kms:CreateGrant",
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey",
            "kms:ListAliases",
            "kms:RevokeGrant",
            "logs:AssociateKmsKey",
            "logs:DisassociateKmsKey",
            # A function's read decrypts its environment only under a customer's key.
            even_on_read=True,
        ),
    ],
    "AWS::Lambda::Function": [
        not_needed(
            "no VPC or file system: nothing to describe or mount",
            _absent("VpcConfig", "FileSystemConfigs"),
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeSecurityGroups",
            "ec2:DescribeSubnets",
            "ec2:DescribeVpcs",
            "elasticfilesystem:DescribeMountTargets",
            "s3files:ListMountTargets",
        ),
        not_needed(
            "no code signing config to look up or attach",
            _absent("CodeSigningConfigArn"),
            "lambda:GetCodeSigningConfig",
            "lambda:PutFunctionCodeSigningConfig",
        ),
        not_needed(
            "no capacity provider (Lambda Managed Instances)",
            _absent("CapacityProviderConfig"),
            "lambda:PassCapacityProvider",
            "lambda:PutFunctionScalingConfig",
        ),
    ],
    "AWS::IAM::Role": [
        not_needed(
            "no managed policy is attached to any role (and the boundary forbids AWS's)",
            _absent("ManagedPolicyArns"),
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
        ),
        not_needed(
            "every role trusts only Lambda and keeps it: its trust never changes",
            _trusts_only_lambda,
            "iam:UpdateAssumeRolePolicy",
        ),
        not_needed(
            "every role keeps its permissions boundary: it is never removed",
            lambda properties: "PermissionsBoundary" in properties,
            "iam:DeleteRolePermissionsBoundary",
        ),
    ],
    "AWS::DynamoDB::Table": [
        not_needed(
            "no replica, import, Kinesis stream or contributor insights to set up",
            _absent(
                "Replicas",
                "ImportSourceSpecification",
                "KinesisStreamSpecification",
                "ContributorInsightsSpecification",
            ),
            "dynamodb:AssociateTableReplica",
            "dynamodb:CreateTableReplica",
            "dynamodb:ImportTable",
            "dynamodb:DescribeImport",
            "dynamodb:EnableKinesisStreamingDestination",
            "dynamodb:DisableKinesisStreamingDestination",
            "dynamodb:UpdateKinesisStreamingDestination",
            "kinesis:DescribeStream",
            "kinesis:PutRecords",
            "iam:CreateServiceLinkedRole",
            "s3:GetObject",
            "s3:ListBucket",
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "logs:PutRetentionPolicy",
        ),
    ],
    "AWS::Logs::LogGroup": [
        not_needed(
            "no data protection, field index, bearer token, deletion protection or resource"
            " policy on a log group, and no Firehose delivery",
            _absent(
                "DataProtectionPolicy",
                "FieldIndexPolicies",
                "ResourcePolicyDocument",
                "BearerTokenAuthenticationEnabled",
                "DeletionProtectionEnabled",
            ),
            "logs:PutDataProtectionPolicy",
            "logs:DeleteDataProtectionPolicy",
            "logs:PutIndexPolicy",
            "logs:DeleteIndexPolicy",
            "logs:PutBearerTokenAuthentication",
            "logs:PutLogGroupDeletionProtection",
            "logs:DeleteResourcePolicy",
            "firehose:TagDeliveryStream",
        ),
    ],
    "AWS::S3::Bucket": [
        not_needed(
            "none of these bucket features is configured: nothing to put or delete",
            _absent(
                "AccelerateConfiguration",
                "AnalyticsConfigurations",
                "AccessControl",
                "CorsConfiguration",
                "LoggingConfiguration",
                "NotificationConfiguration",
                "ObjectLockConfiguration",
                "ObjectLockEnabled",
                "ReplicationConfiguration",
                "WebsiteConfiguration",
                "IntelligentTieringConfigurations",
                "InventoryConfigurations",
                "MetricsConfigurations",
                "MetadataTableConfiguration",
                "MetadataConfiguration",
                "AbacStatus",
            ),
            "s3:PutAccelerateConfiguration",
            "s3:PutAnalyticsConfiguration",
            "s3:PutBucketAcl",
            "s3:PutObjectAcl",
            "s3:PutBucketCORS",
            "s3:PutBucketLogging",
            "s3:PutBucketNotification",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutReplicationConfiguration",
            "s3:PutBucketWebsite",
            "s3:PutIntelligentTieringConfiguration",
            "s3:PutInventoryConfiguration",
            "s3:PutMetricsConfiguration",
            "s3:CreateBucketMetadataTableConfiguration",
            "s3:DeleteBucketMetadataTableConfiguration",
            "s3:UpdateBucketMetadataAnnotationTableConfiguration",
            "s3:UpdateBucketMetadataInventoryTableConfiguration",
            "s3:UpdateBucketMetadataJournalTableConfiguration",
            "s3:PutBucketAbac",
            "s3tables:CreateNamespace",
            "s3tables:CreateTable",
            "s3tables:CreateTableBucket",
            "s3tables:GetTable",
            "s3tables:GetTableMetadataLocation",
            "s3tables:PutTableBucketPolicy",
            "s3tables:PutTableEncryption",
            "s3tables:PutTablePolicy",
            "s3tables:UpdateTableMetadataLocation",
            "iam:PassRole",
            "s3:DeleteObject",
            "s3:TagResource",
            "s3:UntagResource",
        ),
    ],
    "AWS::SNS::Topic": [
        not_needed(
            "no delivery-status logging role and no data protection policy",
            _absent("DeliveryStatusLogging", "DataProtectionPolicy"),
            "iam:GetRole",
            "iam:PassRole",
            "sns:PutDataProtectionPolicy",
        ),
    ],
    "AWS::SNS::Subscription": [
        not_needed(
            "an e-mail subscription: no Firehose role to pass",
            _absent("SubscriptionRoleArn"),
            "iam:GetRole",
            "iam:PassRole",
        ),
    ],
    "AWS::CloudFront::Distribution": [
        not_needed(
            "no connection group, VPC origin or staging distribution",
            _absent("ConnectionMode", "VpcOriginConfig", "Staging", "ContinuousDeploymentPolicyId"),
            "cloudfront:CreateConnectionGroup",
            "cloudfront:GetConnectionGroup",
            "cloudfront:GetVpcOrigin",
            "cloudfront:UpdateDistributionWithStagingConfig",
        ),
    ],
    "AWS::SecretsManager::Secret": [
        not_needed(
            "no replica regions",
            _absent("ReplicaRegions"),
            "secretsmanager:ReplicateSecretToRegions",
            "secretsmanager:RemoveRegionsFromReplication",
        ),
    ],
    "AWS::WAFv2::WebACL": [],
    "AWS::Events::Rule": [
        not_needed(
            "no target has a role (a schedule invokes a function through the function's"
            " resource policy): none to pass, on any handler, the read's too",
            _absent("RoleArn"),
            "iam:PassRole",
            even_on_read=True,
        ),
    ],
}


@dataclass(frozen=True)
class Need:
    """One permission a resource's deployment needs."""

    logical_id: str
    resource_type: str
    action: str
    arns: tuple[str, ...]  # the resource's own ARNs when the action acts on it, else ()
    why: str


def needs_of(
    template: Mapping[str, Any], names: Mapping[str, str], stack: str = STACK
) -> list[Need]:
    """Every permission deploying `template` takes, resource by resource."""
    found: list[Need] = []
    permissions = handler_permissions()
    for logical_id, resource in template["Resources"].items():
        kind = resource["Type"]
        assert kind in permissions, f"{logical_id}: no registry schema for {kind}"
        properties = resource.get("Properties", {})
        arns = tuple(resource_arns(logical_id, resource, names, stack))
        skipped = [
            rule
            for rule in NOT_NEEDED["*"] + NOT_NEEDED.get(kind, [])
            if rule.still_true(properties)
        ]
        for handler, actions in permissions[kind].items():
            for action in sorted(actions):
                if not is_iam_action(action):
                    continue  # named by the handler, unknown to IAM: no policy can grant it
                if any(
                    action.lower() in rule.actions and (handler != "read" or rule.even_on_read)
                    for rule in skipped
                ):
                    continue
                own = acts_on(action, kind)
                found.append(Need(logical_id, kind, action, arns if own else (), handler))
        for secret in secret_references(properties):
            secret_arn = resolve({"Fn::Sub": secret}, names)
            found.append(
                Need(logical_id, kind, "secretsmanager:GetSecretValue", (secret_arn,), "resolve")
            )
        if kind == "AWS::ApiGatewayV2::Stage" and "AccessLogSettings" in properties:
            found += [
                Need(logical_id, kind, action, (), "access log")
                for action in HTTP_API_ACCESS_LOG_PERMISSIONS
            ]
    return found


def missing(role: Role, needs: list[Need]) -> list[str]:
    """Every need the role does not meet, named by resource, action and ARN."""
    problems = []
    for need in needs:
        where = f"{need.logical_id} ({need.resource_type}, {need.why})"
        if any(statement.condition == {} for statement in role.denying(need.action)):
            problems.append(f"{where}: {need.action} is denied")
            continue
        granting = list(role.allowing(need.action))
        if not granting:
            problems.append(f"{where}: {need.action} is not granted")
        elif need.arns and not any(g.covers(arn) for g in granting for arn in need.arns):
            problems.append(f"{where}: {need.action} is not granted on {need.arns[0]}")
    return sorted(set(problems))


@pytest.fixture(scope="module")
def app_template() -> dict[str, Any]:
    return transformed_app_template()


def test_the_execution_role_can_deploy_every_resource_of_the_template(app_template):
    needs = needs_of(app_template, app_names(app_template))

    assert needs, "no permission needed at all: the model lost the template"
    assert missing(bootstrap_role("CloudFormationExecutionRole"), needs) == []


def test_the_check_names_the_resource_and_the_action_it_lacks(app_template):
    # The execution role as it was before this check existed: no GetSecretValue, no
    # log delivery beyond what it had, no ListRolePolicies for a rollback.
    role = bootstrap_role("CloudFormationExecutionRole")
    taken = {"secretsmanager:getsecretvalue", "logs:putresourcepolicy", "iam:listrolepolicies"}
    weaker = Role(
        role.name,
        tuple(
            type(s)(
                s.sid,
                s.effect,
                tuple(a for a in s.actions if a.lower() not in taken),
                s.resources,
                s.condition,
            )
            for s in role.statements
        ),
    )

    problems = missing(weaker, needs_of(app_template, app_names(app_template)))

    joined = "\n".join(problems)
    assert "OriginVerifySecret (AWS::SecretsManager::Secret, read)" in joined
    assert (
        "ShortenFunction (AWS::Lambda::Function, resolve): secretsmanager:GetSecretValue" in joined
    )
    stage = "HttpApiApiGatewayDefaultStage (AWS::ApiGatewayV2::Stage, access log)"
    assert f"{stage}: logs:PutResourcePolicy is not granted" in joined
    redirect_role = "RedirectFunctionExecutionRole (AWS::IAM::Role, read)"
    assert f"{redirect_role}: iam:ListRolePolicies is not granted" in joined


def test_a_grant_on_the_wrong_names_is_caught(app_template):
    role = bootstrap_role("CloudFormationExecutionRole")
    # The layer as every stack used to share it: DependenciesLayer, not <stack>-dependencies.
    layer_only_by_logical_id = Role(
        role.name,
        tuple(
            type(s)(
                s.sid,
                s.effect,
                s.actions,
                tuple(
                    r.replace(":layer:url-shortener-*", ":layer:DependenciesLayer*")
                    for r in s.resources
                ),
                s.condition,
            )
            for s in role.statements
        ),
    )

    problems = missing(layer_only_by_logical_id, needs_of(app_template, app_names(app_template)))

    assert any("lambda:PublishLayerVersion is not granted on" in p for p in problems), problems


def test_a_left_out_permission_comes_back_once_its_feature_is_used(app_template):
    # Give the table a KMS key and a Kinesis stream: the rules no longer leave their
    # permissions out, and the role, which has none of them, falls short.
    table = dict(app_template["Resources"]["LinksTable"])
    table["Properties"] = {
        **table["Properties"],
        "SSESpecification": {"SSEEnabled": True, "KMSMasterKeyId": "alias/links"},
        "KinesisStreamSpecification": {"StreamArn": "arn:aws:kinesis:us-east-1:1:stream/s"},
    }
    with_features = {
        **app_template,
        "Resources": {**app_template["Resources"], "LinksTable": table},
    }

    problems = missing(
        bootstrap_role("CloudFormationExecutionRole"),
        needs_of(with_features, app_names(with_features)),
    )

    assert any("LinksTable" in p and "kms:CreateGrant" in p for p in problems), problems
    assert any("LinksTable" in p and "kinesis:PutRecords" in p for p in problems), problems


def test_the_left_out_permissions_are_real_iam_actions():
    for rules in NOT_NEEDED.values():
        for rule in rules:
            unknown = [a for a in rule.actions if not is_iam_action(a)]
            assert not unknown, f"{rule.reason}: not IAM actions {unknown}"


@pytest.mark.slow
def test_the_deploy_role_can_create_sams_artifacts_stack():
    """`sam deploy` (resolve_s3) creates `aws-sam-cli-managed-default` with the caller's
    credentials and no role (samcli/lib/bootstrap/bootstrap.py): the deploy role itself
    needs what that stack's resources take. Its template is read from the SAM CLI."""
    script = (
        "from samcli.lib.bootstrap.bootstrap import _get_stack_template;"
        " print(_get_stack_template())"
    )
    managed = json.loads(in_sam_venv(script))
    stack = "aws-sam-cli-managed-default"
    names = {**app_names({"Parameters": {}, "Resources": managed["Resources"]}, stack)}

    problems = missing(bootstrap_role("DeployRole"), needs_of(managed, names, stack))

    assert problems == [], "\n".join(problems)
