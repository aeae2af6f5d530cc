"""`publish-web` on moto: content types, cache headers, stale objects, invalidations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

from deploy import publish_web
from tests.conftest import REPO_ROOT
from tests.deploy.conftest import ELSEWHERE, REGION, AwsCall, DeployedStack, create_plain_stack


@pytest.fixture
def web_dir(tmp_path: Path) -> Path:
    """A copy of the real web/, so a test can change it."""
    copy = tmp_path / "web"
    shutil.copytree(REPO_ROOT / "web", copy)
    return copy


def _publish(stack: DeployedStack, web_dir: Path) -> int:
    return publish_web.main(
        ["--stack", stack.name, "--region", "us-east-1", "--web-dir", str(web_dir)]
    )


def _invalidations(stack: DeployedStack) -> list[list[str]]:
    """The paths of every invalidation on the distribution, oldest first."""
    cloudfront = boto3.client("cloudfront")
    listed = cloudfront.list_invalidations(DistributionId=stack.distribution_id)["InvalidationList"]
    batches = []
    for item in listed.get("Items", []):
        invalidation = cloudfront.get_invalidation(
            DistributionId=stack.distribution_id, Id=item["Id"]
        )["Invalidation"]
        batches.append(sorted(invalidation["InvalidationBatch"]["Paths"]["Items"]))
    return batches


def _head(stack: DeployedStack, key: str) -> Any:
    return boto3.client("s3").head_object(Bucket=stack.bucket, Key=key)


def _keys(stack: DeployedStack) -> set[str]:
    listed = boto3.client("s3").list_objects_v2(Bucket=stack.bucket)
    return {item["Key"] for item in listed.get("Contents", [])}


def test_uploads_every_file_with_its_type_and_cache_policy(
    deployed_stack: DeployedStack, web_dir: Path
) -> None:
    assert _publish(deployed_stack, web_dir) == 0

    expected = {p.relative_to(web_dir).as_posix() for p in web_dir.rglob("*") if p.is_file()}
    assert _keys(deployed_stack) == expected
    for key, content_type, cache_control in [
        ("index.html", "text/html; charset=utf-8", "no-cache"),
        ("config.json", "application/json", "no-cache"),
        ("openapi.json", "application/json", "max-age=300"),
        ("assets/app.js", "text/javascript; charset=utf-8", "max-age=3600"),
        ("assets/style.css", "text/css; charset=utf-8", "max-age=3600"),
        ("assets/icon.svg", "image/svg+xml", "max-age=3600"),
    ]:
        head = _head(deployed_stack, key)
        assert (head["ContentType"], head["CacheControl"]) == (content_type, cache_control), key


def test_writes_the_config_for_the_stack(deployed_stack: DeployedStack, web_dir: Path) -> None:
    (web_dir / "config.json").write_text('{"apiBaseUrl": "http://127.0.0.1:3000"}')

    assert _publish(deployed_stack, web_dir) == 0

    body = boto3.client("s3").get_object(Bucket=deployed_stack.bucket, Key="config.json")["Body"]
    # Same-origin through the distribution: the page calls the API on relative URLs; a
    # stack without a PublicCreation output predates closed creation, so anyone creates.
    assert json.loads(body.read()) == {"apiBaseUrl": "", "publicCreation": True}
    assert (web_dir / "config.json").read_text() == '{"apiBaseUrl": "http://127.0.0.1:3000"}'


def test_a_stack_closed_to_public_creation_closes_the_page_form(
    deployed_stack: DeployedStack, web_dir: Path
) -> None:
    # The same bucket and distribution, under a stack deployed with PublicCreation=false.
    create_plain_stack(
        "shortener-closed",
        {
            "SiteBucketName": deployed_stack.bucket,
            "DistributionId": deployed_stack.distribution_id,
            "SiteUrl": deployed_stack.site_url,
            "PublicCreation": "false",
        },
    )

    code = publish_web.main(
        ["--stack", "shortener-closed", "--region", REGION, "--web-dir", str(web_dir)]
    )

    assert code == 0
    body = boto3.client("s3").get_object(Bucket=deployed_stack.bucket, Key="config.json")["Body"]
    assert json.loads(body.read()) == {"apiBaseUrl": "", "publicCreation": False}


@pytest.mark.parametrize(
    ("outputs", "public_creation"),
    [
        ({"PublicCreation": "true"}, True),
        ({"PublicCreation": "false"}, False),
        ({}, True),
    ],
    ids=["true", "false", "absent"],
)
def test_page_config_says_whether_anyone_may_create_links(
    outputs: dict[str, str], public_creation: bool
) -> None:
    assert publish_web.page_config(outputs)["publicCreation"] is public_creation


def test_first_publish_invalidates_what_it_uploaded(
    deployed_stack: DeployedStack, web_dir: Path
) -> None:
    _publish(deployed_stack, web_dir)

    [paths] = _invalidations(deployed_stack)
    assert "/" in paths
    assert "/index.html" in paths
    assert "/assets/app.js" in paths


def test_an_identical_publish_uploads_and_invalidates_nothing(
    deployed_stack: DeployedStack, web_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish(deployed_stack, web_dir)
    capsys.readouterr()

    assert _publish(deployed_stack, web_dir) == 0

    assert len(_invalidations(deployed_stack)) == 1
    out = capsys.readouterr().out
    assert "uploaded" not in out
    assert "nothing changed: no CloudFront invalidation" in out


def test_invalidates_only_changed_and_removed_paths(
    deployed_stack: DeployedStack, web_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish(deployed_stack, web_dir)
    (web_dir / "assets" / "app.js").write_text("console.log('new release');\n")
    (web_dir / "assets" / "qr-code.js").unlink()
    (web_dir / "assets" / "new feature.js").write_text("export {};\n")
    capsys.readouterr()

    assert _publish(deployed_stack, web_dir) == 0

    assert _invalidations(deployed_stack)[-1] == [
        "/assets/app.js",
        "/assets/new%20feature.js",
        "/assets/qr-code.js",
    ]
    assert "assets/qr-code.js" not in _keys(deployed_stack)
    out = capsys.readouterr().out
    assert "deleted   assets/qr-code.js" in out
    assert "uploaded  assets/app.js" in out


def test_removes_objects_that_are_no_longer_in_web(
    deployed_stack: DeployedStack, web_dir: Path
) -> None:
    boto3.client("s3").put_object(Bucket=deployed_stack.bucket, Key="old/page.html", Body=b"x")

    _publish(deployed_stack, web_dir)

    assert "old/page.html" not in _keys(deployed_stack)
    assert "/old/page.html" in _invalidations(deployed_stack)[0]


def test_reuploads_a_file_whose_headers_changed(
    deployed_stack: DeployedStack, web_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(deployed_stack, web_dir)
    fingerprinted = (("assets/*", "public, max-age=31536000, immutable"),)
    monkeypatch.setattr(publish_web, "CACHE_RULES", fingerprinted + publish_web.CACHE_RULES[-1:])

    _publish(deployed_stack, web_dir)

    assert _head(deployed_stack, "assets/app.js")["CacheControl"].endswith("immutable")
    assert "/index.html" not in _invalidations(deployed_stack)[-1]


def test_fails_clearly_for_an_unknown_stack(
    aws: None, web_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = publish_web.main(["--stack", "no-such-stack", "--web-dir", str(web_dir)])

    assert code == 1
    assert "no stack named 'no-such-stack'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "cache_control"),
    [
        ("index.html", "no-cache"),
        ("config.json", "no-cache"),
        ("openapi.json", "max-age=300"),
        ("assets/app.js", "max-age=3600"),
        ("robots.txt", "no-cache"),
    ],
)
def test_cache_rules(key: str, cache_control: str) -> None:
    assert publish_web.cache_control(key) == cache_control


@pytest.mark.parametrize(
    ("key", "content_type"),
    [
        ("site.webmanifest", "application/manifest+json"),
        ("assets/module.mjs", "text/javascript; charset=utf-8"),
        ("favicon.ico", "image/x-icon"),
        ("blob.unknownext", "application/octet-stream"),
    ],
)
def test_content_types(key: str, content_type: str) -> None:
    assert publish_web.content_type(key) == content_type


def test_every_call_goes_to_the_region_it_is_given(
    deployed_stack: DeployedStack,
    web_dir: Path,
    aws_calls: list[AwsCall],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The caller's AWS configuration names another region: the stack is not found there.
    monkeypatch.setenv("AWS_DEFAULT_REGION", ELSEWHERE)
    monkeypatch.setenv("AWS_REGION", ELSEWHERE)

    assert _publish(deployed_stack, web_dir) == 0

    assert {call.service for call in aws_calls} == {"cloudformation", "s3", "cloudfront"}
    # CloudFront is global: botocore names its client's region aws-global.
    regional = [call for call in aws_calls if call.service != "cloudfront"]
    assert {call.region for call in regional} == {REGION}
