"""Fixtures for the deploy tests: the e2e tests' local stack (for `smoke`), and on moto, a
stand-in for a deployed stack (for `publish-web` and `destroy`).

moto's CloudFormation does not run SAM, so the stand-in builds what the commands touch
(the versioned page bucket, the distribution, the retained table) with boto3 and a plain
stack whose Outputs name them, as the real template's Outputs do.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest
from moto import mock_aws

from tests.e2e.conftest import local_stack

__all__ = ["DeployedStack", "aws", "deployed_stack", "local_stack"]

REGION = "us-east-1"


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
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        yield


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
        "LinksTableName": table,
        "ApiUrl": "https://abc123.execute-api.us-east-1.amazonaws.com",
    }
    template = {
        "Resources": {"Placeholder": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    boto3.client("cloudformation", region_name=REGION).create_stack(
        StackName=stack, TemplateBody=json.dumps(template)
    )
    return DeployedStack(stack, bucket, distribution["Id"], table, site_url)
