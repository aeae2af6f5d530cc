"""Fixtures for the deploy tests: the e2e tests' local stack (for `smoke`), and on moto, a
stand-in for a deployed stack (for `publish-web` and `destroy`), stacks in the states a
failed deploy leaves (for `preflight`), and a record of every AWS call the commands make.

moto's CloudFormation does not run SAM, so the stand-in builds what the commands touch
(the versioned page bucket, the distribution, the retained table) with boto3 and a plain
stack whose Outputs name them, as the real template's Outputs do. Nor does its
CloudFormation ever fail: `put_stack_in_state` sets the status and events CloudFormation
leaves after a failure on a stack moto created.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.cloudformation.models import Event, cloudformation_backends
from moto.core.models import DEFAULT_ACCOUNT_ID

from tests.e2e.conftest import local_stack

__all__ = ["AwsCall", "DeployedStack", "aws", "aws_calls", "deployed_stack", "local_stack"]

REGION = "us-east-1"
# Where a caller's AWS configuration points in the tests that prove the commands ignore it.
ELSEWHERE = "eu-west-1"
# moto's caller is arn:aws:sts::123456789012:user/moto: the role preflight derives from it.
EXECUTION_ROLE_ARN = f"arn:aws:iam::{DEFAULT_ACCOUNT_ID}:role/cfn-exec-url-shortener"


@dataclass(frozen=True)
class DeployedStack:
    name: str
    bucket: str
    distribution_id: str
    table: str
    site_url: str


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and a region on a fresh moto: nothing can reach AWS."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("CFN_EXECUTION_ROLE_ARN", raising=False)
    with mock_aws():
        yield


@dataclass(frozen=True)
class AwsCall:
    service: str
    operation: str
    region: str | None
    params: dict[str, Any] = field(default_factory=dict)


@pytest.fixture
def aws_calls(aws: None, monkeypatch: pytest.MonkeyPatch) -> list[AwsCall]:
    """Every call made through boto3's default session from here on: which operation, with
    what parameters, by a client of which region (moto answers them as before)."""
    session = boto3.Session()
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    calls: list[AwsCall] = []

    def record(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        calls.append(
            AwsCall(
                model.service_model.service_name,
                model.name,
                context.get("client_region"),
                dict(params),
            )
        )

    session.events.register("provide-client-params", record)
    return calls


def create_plain_stack(
    name: str,
    outputs: dict[str, str] | None = None,
    region: str = REGION,
    allow_direct_api_access: str = "false",
) -> None:
    """A stack with one resource, the given outputs and template.yaml's AllowDirectApiAccess
    parameter."""
    template = {
        "Parameters": {"AllowDirectApiAccess": {"Type": "String", "Default": "false"}},
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in (outputs or {}).items()},
    }
    boto3.client("cloudformation", region_name=region).create_stack(
        StackName=name,
        TemplateBody=json.dumps(template),
        Parameters=[
            {"ParameterKey": "AllowDirectApiAccess", "ParameterValue": allow_direct_api_access}
        ],
    )


# (logical id, resource type, status, reason), oldest first, as CloudFormation records them.
EventSpec = tuple[str, str, str, str | None]


def put_stack_in_state(
    name: str, status: str, events: list[EventSpec], region: str = REGION
) -> None:
    """Give a stack moto created the status and events CloudFormation would have left."""
    backend = cloudformation_backends[DEFAULT_ACCOUNT_ID][region]
    stack = next(stack for stack in backend.stacks.values() if stack.name == name)
    stack.status = status
    start = datetime.now(UTC) - timedelta(minutes=len(events))
    stack.events = []
    for minute, (logical_id, resource_type, resource_status, reason) in enumerate(events):
        event = Event(
            stack_id=stack.stack_id,
            stack_name=name,
            logical_resource_id=logical_id,
            physical_resource_id=stack.stack_id if logical_id == name else "",
            resource_type=resource_type,
            resource_status=resource_status,
            resource_status_reason=reason,
            resource_properties=None,
        )
        event.timestamp = start + timedelta(minutes=minute)
        stack.events.append(event)


def _distribution(bucket: str) -> dict[str, object]:
    origin = {
        "Id": "site",
        "DomainName": f"{bucket}.s3.amazonaws.com",
        "S3OriginConfig": {"OriginAccessIdentity": ""},
    }
    return {
        "CallerReference": "deploy-tests",
        "Comment": "page",
        "Enabled": True,
        "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6",  # CachingOptimized
        },
    }


@pytest.fixture
def deployed_stack(aws: None) -> DeployedStack:
    """A versioned page bucket, a distribution, a table with deletion protection, and a
    stack named `shortener-test` whose outputs name them."""
    bucket, table, stack = "shortener-test-site", "shortener-test-links", "shortener-test"
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    distribution = boto3.client("cloudfront").create_distribution(
        DistributionConfig=_distribution(bucket)
    )["Distribution"]
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=table,
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
        DeletionProtectionEnabled=True,
    )
    site_url = f"https://{distribution['DomainName']}"
    outputs = {
        "SiteBucketName": bucket,
        "DistributionId": distribution["Id"],
        "SiteUrl": site_url,
        "ShortLinkBaseUrl": site_url,
        "LinksTableName": table,
        "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com",
    }
    create_plain_stack(stack, outputs)
    return DeployedStack(stack, bucket, distribution["Id"], table, site_url)
