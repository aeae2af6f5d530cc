"""`preflight` on moto: the stack and region from samconfig.toml, the execution role, and
what it does with a stack in each state a failed deploy can leave.

The stacks are the repository's own dev stack (samconfig.toml: url-shortener-dev-us-east-1
in us-east-1), while the caller's AWS configuration points elsewhere.
"""

from __future__ import annotations

import pytest

from deploy import preflight, stack
from deploy.samconfig import region, stack_name
from tests.deploy.conftest import (
    ELSEWHERE,
    EXECUTION_ROLE_ARN,
    AwsCall,
    EventSpec,
    create_plain_stack,
    put_stack_in_state,
)

DEV_STACK = stack_name("dev")
DEV_REGION = region("dev")
TABLE = ("LinksTable", "AWS::DynamoDB::Table")
DISTRIBUTION = ("SiteDistribution", "AWS::CloudFront::Distribution")
STACK_TYPE = "AWS::CloudFormation::Stack"
CNAME_TAKEN = (
    "Resource handler returned message: One or more of the CNAMEs you provided are already"
    " associated with a different resource. (Service: CloudFront, Status Code: 409)"
)
# A first create that failed: the distribution's CNAME was taken; the table, created
# meanwhile, was cancelled and removed on rollback (RetainExceptOnCreate).
FAILED_FIRST_CREATE: list[EventSpec] = [
    (DEV_STACK, STACK_TYPE, "REVIEW_IN_PROGRESS", "User Initiated"),
    (DEV_STACK, STACK_TYPE, "CREATE_IN_PROGRESS", "User Initiated"),
    (*TABLE, "CREATE_IN_PROGRESS", None),
    (*DISTRIBUTION, "CREATE_IN_PROGRESS", None),
    (*DISTRIBUTION, "CREATE_FAILED", CNAME_TAKEN),
    (*TABLE, "CREATE_FAILED", "Resource creation cancelled"),
    (
        DEV_STACK,
        STACK_TYPE,
        "ROLLBACK_IN_PROGRESS",
        "The following resource(s) failed to create: [LinksTable, SiteDistribution].",
    ),
    (*TABLE, "DELETE_COMPLETE", None),
    (*DISTRIBUTION, "DELETE_COMPLETE", None),
    (DEV_STACK, STACK_TYPE, "ROLLBACK_COMPLETE", None),
]
FAILED_UPDATE_ROLLBACK: list[EventSpec] = [
    (DEV_STACK, STACK_TYPE, "CREATE_IN_PROGRESS", "User Initiated"),
    (*TABLE, "CREATE_FAILED", "an old failure, of an earlier operation"),
    (DEV_STACK, STACK_TYPE, "CREATE_COMPLETE", None),
    (DEV_STACK, STACK_TYPE, "UPDATE_IN_PROGRESS", "User Initiated"),
    (*DISTRIBUTION, "UPDATE_FAILED", "Invalid request provided: the certificate is missing"),
    (DEV_STACK, STACK_TYPE, "UPDATE_ROLLBACK_IN_PROGRESS", "The following resource(s) ..."),
    (*TABLE, "UPDATE_FAILED", "Table was deleted outside CloudFormation"),
    (DEV_STACK, STACK_TYPE, "UPDATE_ROLLBACK_FAILED", "The following resource(s) ..."),
]


@pytest.fixture
def elsewhere(aws_calls: list[AwsCall], monkeypatch: pytest.MonkeyPatch) -> list[AwsCall]:
    """The caller's AWS configuration names another region than samconfig's."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", ELSEWHERE)
    monkeypatch.setenv("AWS_REGION", ELSEWHERE)
    monkeypatch.setattr(stack, "WAIT_DELAY_SECONDS", 0)
    return aws_calls


def dev_stack_in(status: str, events: list[EventSpec] | None = None) -> None:
    create_plain_stack(DEV_STACK, region=DEV_REGION)
    if status != "CREATE_COMPLETE":
        put_stack_in_state(DEV_STACK, status, events or [], region=DEV_REGION)


def dev_stack_status() -> str | None:
    found = stack.describe_stack(DEV_STACK, DEV_REGION)
    return found.status if found else None


def run(capsys: pytest.CaptureFixture[str], *flags: str) -> tuple[int, str, str]:
    code = preflight.main(["--env", "dev", *flags])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def deletes(calls: list[AwsCall]) -> list[AwsCall]:
    return [call for call in calls if call.operation == "DeleteStack"]


def test_samconfig_names_the_stack_and_region_of_each_environment():
    assert (DEV_STACK, DEV_REGION) == ("url-shortener-dev-us-east-1", "us-east-1")
    assert (stack_name("prod"), region("prod")) == ("url-shortener-prod-us-east-1", "us-east-1")


def test_no_stack_yet_is_a_first_deploy_and_prints_only_the_role(elsewhere, capsys):
    code, out, err = run(capsys)

    assert code == 0
    # From GetCallerIdentity: the caller's partition and account, the bootstrap's role name.
    assert out == EXECUTION_ROLE_ARN + "\n"
    assert f"no stack {DEV_STACK} in {DEV_REGION} yet" in err


def test_every_call_goes_to_samconfigs_region_whatever_the_aws_config_says(elsewhere, capsys):
    dev_stack_in("UPDATE_COMPLETE")

    code, _, err = run(capsys)

    assert code == 0, err
    assert f"{DEV_STACK} in {DEV_REGION} is UPDATE_COMPLETE" in err
    assert {call.operation for call in elsewhere} >= {"GetCallerIdentity", "DescribeStacks"}
    assert {call.region for call in elsewhere} == {DEV_REGION}


def test_the_role_can_be_given_by_flag_or_environment(elsewhere, capsys, monkeypatch):
    given = "arn:aws:iam::210987654321:role/cfn-exec-url-shortener"
    monkeypatch.setenv("CFN_EXECUTION_ROLE_ARN", given)
    assert run(capsys)[1] == given + "\n"

    flagged = "arn:aws-us-gov:iam::210987654321:role/other"
    assert run(capsys, "--role-arn", flagged)[1] == flagged + "\n"

    code, out, err = run(capsys, "--role-arn", "cfn-exec-url-shortener")
    assert (code, out) == (1, "")
    assert "is not an IAM role's ARN" in err


def test_a_failed_first_create_stops_the_deploy_and_says_what_failed_and_what_next(
    elsewhere, capsys
):
    dev_stack_in("ROLLBACK_COMPLETE", FAILED_FIRST_CREATE)

    code, out, err = run(capsys)

    assert (code, out) == (1, "")
    assert "ROLLBACK_COMPLETE" in err
    # The cause first, with its type and reason; the cancelled table after it.
    cause = f"SiteDistribution (AWS::CloudFront::Distribution) CREATE_FAILED: {CNAME_TAKEN}"
    cancelled = "LinksTable (AWS::DynamoDB::Table) CREATE_FAILED: Resource creation cancelled"
    assert cause in err
    assert cancelled in err
    assert err.index(cause) < err.index(cancelled)
    assert "only deleted" in err
    assert "Nothing in it holds data" in err
    assert "RetainExceptOnCreate" in err
    # The one command to go on, and only that one.
    assert err.count("make deploy ENV=dev DELETE_FAILED_STACK=1") == 1
    assert "Nothing was changed" in err
    assert dev_stack_status() == "ROLLBACK_COMPLETE"
    assert deletes(elsewhere) == []


def test_delete_failed_stack_deletes_a_failed_first_create_as_the_role_and_goes_on(
    elsewhere, capsys
):
    dev_stack_in("ROLLBACK_COMPLETE", FAILED_FIRST_CREATE)

    code, out, err = run(capsys, "--delete-failed-stack")

    assert code == 0, err
    assert out == EXECUTION_ROLE_ARN + "\n"
    assert dev_stack_status() is None
    # The deploy role may call DeleteStack only naming the execution role.
    [delete] = deletes(elsewhere)
    assert delete.params == {"StackName": DEV_STACK, "RoleARN": EXECUTION_ROLE_ARN}
    assert delete.region == DEV_REGION


@pytest.mark.parametrize(
    "status", ["CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"]
)
def test_delete_failed_stack_never_deletes_a_stack_that_works(elsewhere, capsys, status):
    dev_stack_in(status)

    code, out, _ = run(capsys, "--delete-failed-stack")

    assert (code, out) == (0, EXECUTION_ROLE_ARN + "\n")
    assert dev_stack_status() == status
    assert deletes(elsewhere) == []


def test_review_in_progress_is_left_to_sam_deploy(elsewhere, capsys):
    # A change set created for a new stack and never executed: sam deploy makes another.
    dev_stack_in("REVIEW_IN_PROGRESS")

    assert run(capsys)[:2] == (0, EXECUTION_ROLE_ARN + "\n")


def test_a_failed_update_rollback_names_continue_update_rollback_as_the_role(elsewhere, capsys):
    dev_stack_in("UPDATE_ROLLBACK_FAILED", FAILED_UPDATE_ROLLBACK)

    code, out, err = run(capsys, "--delete-failed-stack")

    assert (code, out) == (1, "")
    assert (
        f"aws cloudformation continue-update-rollback --stack-name {DEV_STACK}"
        f" --role-arn {EXECUTION_ROLE_ARN} --region {DEV_REGION}"
    ) in err
    # The last operation's failures only, the update's cause first.
    assert err.index("the certificate is missing") < err.index("deleted outside")
    assert "an old failure" not in err
    assert dev_stack_status() == "UPDATE_ROLLBACK_FAILED"
    assert deletes(elsewhere) == []


@pytest.mark.parametrize(
    "status",
    [
        "CREATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
    ],
)
def test_an_operation_in_progress_is_named_and_waited_for(elsewhere, capsys, status):
    dev_stack_in(status)

    code, out, err = run(capsys, "--delete-failed-stack")

    assert (code, out) == (1, "")
    assert f"is {status}: another operation on it is running. Wait" in err
    assert "make deploy ENV=dev again" in err
    assert dev_stack_status() == status


def test_a_failed_delete_is_retried_with_destroy(elsewhere, capsys):
    dev_stack_in(
        "DELETE_FAILED",
        [
            (DEV_STACK, STACK_TYPE, "DELETE_IN_PROGRESS", "User Initiated"),
            ("SiteBucket", "AWS::S3::Bucket", "DELETE_FAILED", "The bucket is not empty"),
            (DEV_STACK, STACK_TYPE, "DELETE_FAILED", "The following resource(s) failed"),
        ],
    )

    code, out, err = run(capsys)

    assert (code, out) == (1, "")
    assert "DELETE_FAILED" in err
    assert "SiteBucket (AWS::S3::Bucket) DELETE_FAILED: The bucket is not empty" in err
    assert "make destroy ENV=dev" in err
    assert deletes(elsewhere) == []


def test_an_unknown_environment_fails_clearly(aws, capsys):
    code = preflight.main(["--env", "staging"])

    assert code == 1
    assert "samconfig.toml has no environment 'staging'" in capsys.readouterr().err


def test_failures_of_the_last_operation_cause_first(elsewhere):
    dev_stack_in("ROLLBACK_COMPLETE", FAILED_FIRST_CREATE)

    failures = stack.last_operation_failures(DEV_STACK, DEV_REGION)

    assert [(f.logical_id, f.reason) for f in failures] == [
        ("SiteDistribution", CNAME_TAKEN),
        ("LinksTable", "Resource creation cancelled"),
    ]
