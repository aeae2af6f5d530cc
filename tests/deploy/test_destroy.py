"""`destroy` on moto: the bucket emptied (every version), the stack gone (deleted as the
execution role, in the region it is given), the table kept unless the data's deletion was
asked for and confirmed with the stack's name; a failed first create just deleted."""

from __future__ import annotations

import io

import boto3
import pytest

from deploy import destroy, stack
from tests.deploy.conftest import (
    ELSEWHERE,
    EXECUTION_ROLE_ARN,
    REGION,
    AwsCall,
    DeployedStack,
    create_plain_stack,
    put_stack_in_state,
)


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "WAIT_DELAY_SECONDS", 0)


@pytest.fixture
def published(deployed_stack: DeployedStack) -> DeployedStack:
    """The page bucket with two versions of a file, a deleted file (a delete marker over
    a version) and a current one."""
    s3 = boto3.client("s3")
    for body in (b"v1", b"v2"):
        s3.put_object(Bucket=deployed_stack.bucket, Key="index.html", Body=body)
    s3.put_object(Bucket=deployed_stack.bucket, Key="old.js", Body=b"x")
    s3.delete_object(Bucket=deployed_stack.bucket, Key="old.js")
    s3.put_object(Bucket=deployed_stack.bucket, Key="assets/app.js", Body=b"y")
    return deployed_stack


def _versions(stack: DeployedStack) -> int:
    listed = boto3.client("s3").list_object_versions(Bucket=stack.bucket)
    return len(listed.get("Versions", [])) + len(listed.get("DeleteMarkers", []))


def _stack_exists(stack: DeployedStack | str) -> bool:
    name = stack if isinstance(stack, str) else stack.name
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    summaries = cloudformation.list_stacks()["StackSummaries"]
    return any(s["StackName"] == name and s["StackStatus"] != "DELETE_COMPLETE" for s in summaries)


def _table_exists(stack: DeployedStack) -> bool:
    return stack.table in boto3.client("dynamodb").list_tables()["TableNames"]


def test_empties_the_bucket_deletes_the_stack_and_keeps_the_table(
    published: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _versions(published) == 5

    assert destroy.main(["--stack", published.name]) == 0

    assert _versions(published) == 0
    assert not _stack_exists(published)
    assert _table_exists(published)
    out = capsys.readouterr().out
    assert "deleted 5 object version(s)" in out
    assert f"kept: table {published.table}" in out
    assert "retained by its DeletionPolicy" in out


def test_refuses_the_data_without_a_confirmation_it_can_read(
    published: DeployedStack,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal

    assert destroy.main(["--stack", published.name, "--delete-data"]) == 1

    assert "nothing was deleted" in capsys.readouterr().err
    assert (_versions(published), _stack_exists(published), _table_exists(published)) == (
        5,
        True,
        True,
    )


def test_refuses_the_data_with_the_wrong_name(
    published: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code = destroy.main(["--stack", published.name, "--delete-data", "--confirm", "shortener"])

    assert code == 1
    err = capsys.readouterr().err
    assert "'shortener' is not the stack's name 'shortener-test'" in err
    assert (_versions(published), _stack_exists(published), _table_exists(published)) == (
        5,
        True,
        True,
    )


def test_refuses_the_data_when_the_wrong_name_is_typed(
    published: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")

    assert destroy.main(["--stack", published.name, "--delete-data"]) == 1

    assert _stack_exists(published)
    assert _table_exists(published)


def test_deletes_the_table_with_the_right_name(
    published: DeployedStack, capsys: pytest.CaptureFixture[str]
) -> None:
    code = destroy.main(
        ["--stack", published.name, "--delete-data", "--yes-i-typed", published.name]
    )

    assert code == 0
    assert _versions(published) == 0
    assert not _stack_exists(published)
    assert not _table_exists(published)
    assert f"table {published.table} deleted" in capsys.readouterr().out


def test_deletes_the_table_when_the_name_is_typed(
    published: DeployedStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def type_the_name(prompt: str) -> str:
        prompts.append(prompt)
        return published.name + "\n"

    monkeypatch.setattr("sys.stdin.isatty", lambda: True, raising=False)
    monkeypatch.setattr("builtins.input", type_the_name)

    assert destroy.main(["--stack", published.name, "--delete-data"]) == 0

    assert published.name in prompts[0]
    assert not _table_exists(published)


def test_fails_clearly_for_an_unknown_stack(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert destroy.main(["--stack", "no-such-stack"]) == 1
    assert "no stack named 'no-such-stack'; nothing was deleted" in capsys.readouterr().err


def test_deletes_the_stack_as_the_execution_role_in_the_region_it_is_given(
    published: DeployedStack,
    aws_calls: list[AwsCall],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", ELSEWHERE)
    monkeypatch.setenv("AWS_REGION", ELSEWHERE)

    assert destroy.main(["--stack", published.name, "--region", REGION]) == 0

    assert not _stack_exists(published)
    [delete] = [call for call in aws_calls if call.operation == "DeleteStack"]
    # The deploy role may call DeleteStack only naming the execution role.
    assert delete.params == {"StackName": published.name, "RoleARN": EXECUTION_ROLE_ARN}
    assert {call.region for call in aws_calls} == {REGION}


def test_the_role_can_be_given(published: DeployedStack, aws_calls: list[AwsCall]) -> None:
    role = "arn:aws:iam::210987654321:role/cfn-exec-url-shortener"

    assert destroy.main(["--stack", published.name, "--role-arn", role]) == 0

    [delete] = [call for call in aws_calls if call.operation == "DeleteStack"]
    assert delete.params["RoleARN"] == role


@pytest.mark.parametrize("status", ["ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"])
@pytest.mark.parametrize("delete_data", [[], ["--delete-data"]])
def test_a_failed_first_create_is_just_deleted(
    aws_calls: list[AwsCall],
    capsys: pytest.CaptureFixture[str],
    delete_data: list[str],
    status: str,
) -> None:
    # No outputs, no page, no table (removed on that rollback); DELETE_FAILED: a delete
    # of such a stack that failed once already.
    create_plain_stack("url-shortener-dev-us-east-1")
    put_stack_in_state("url-shortener-dev-us-east-1", status, [])

    code = destroy.main(
        ["--stack", "url-shortener-dev-us-east-1", "--region", REGION, *delete_data]
    )

    assert code == 0, capsys.readouterr().err
    assert not _stack_exists("url-shortener-dev-us-east-1")
    [delete] = [call for call in aws_calls if call.operation == "DeleteStack"]
    assert delete.params["RoleARN"] == EXECUTION_ROLE_ARN
    assert not [call for call in aws_calls if call.service in {"s3", "dynamodb"}]
    assert "its first create failed" in capsys.readouterr().out
