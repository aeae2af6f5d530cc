"""A deployed CloudFormation stack as the deploy commands see it: its status, outputs and
parameters, what failed in its last operation, and the role CloudFormation runs as.

Every client here is made for the region it is given: the commands get the region from
samconfig.toml (the Makefile passes it), never from the caller's AWS configuration.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3

# deploy/bootstrap-oidc.yaml: `cfn-exec-${AppName}`, AppName's default.
EXECUTION_ROLE_NAME = "cfn-exec-url-shortener"
EXECUTION_ROLE_ENV = "CFN_EXECUTION_ROLE_ARN"
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
# arn:<partition>:<service>:<region>:<account>:<resource>
_CALLER_ARN = re.compile(r"arn:(aws[a-z-]*):[a-z]+::(\d{12}):.+")
STACK_TYPE = "AWS::CloudFormation::Stack"
# The stack-level events that begin an operation (events come newest first).
_OPERATION_STARTS = frozenset(
    {"CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "IMPORT_IN_PROGRESS"}
)
_MAX_EVENT_PAGES = 20  # 100 events a page: a failed operation is far shorter
WAIT_DELAY_SECONDS = 10
WAIT_MAX_ATTEMPTS = 180  # 30 minutes: deleting a CloudFront distribution takes a while


class StackNotFound(LookupError):
    """No stack of that name in that region (or it has no outputs yet)."""


class MissingOutput(LookupError):
    """The stack exists but lacks an output a command needs (an older template?)."""


@dataclass(frozen=True)
class Stack:
    name: str
    region: str | None
    status: str
    outputs: dict[str, str]
    parameters: dict[str, str]


@dataclass(frozen=True)
class Failure:
    """One `*_FAILED` event: which resource, of what type, and CloudFormation's reason."""

    logical_id: str
    resource_type: str
    status: str
    reason: str

    def __str__(self) -> str:
        return f"{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"


def cloudformation_client(region: str | None) -> Any:
    return boto3.client("cloudformation", region_name=region)


def describe_stack(stack_name: str, region: str | None = None) -> Stack | None:
    """The stack, or None if there is none of that name in the region (or it was deleted)."""
    client = cloudformation_client(region)
    try:
        stacks = client.describe_stacks(StackName=stack_name)["Stacks"]
    except client.exceptions.ClientError as exc:
        # CloudFormation reports an unknown stack as a ValidationError, not a 404 code.
        if "does not exist" in str(exc):
            return None
        raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None
    stack = stacks[0]
    return Stack(
        name=stack_name,
        region=region,
        status=stack["StackStatus"],
        outputs={out["OutputKey"]: out["OutputValue"] for out in stack.get("Outputs", [])},
        parameters={
            parameter["ParameterKey"]: parameter.get("ParameterValue", "")
            for parameter in stack.get("Parameters", [])
        },
    )


def stack_outputs(stack_name: str, region: str | None = None) -> dict[str, str]:
    """The stack's outputs as {OutputKey: OutputValue}."""
    stack = describe_stack(stack_name, region)
    if stack is None:
        raise StackNotFound(f"no stack named {stack_name!r}")
    return stack.outputs


def require(outputs: dict[str, str], *keys: str) -> list[str]:
    """The values of `keys`, or MissingOutput naming every one that is absent."""
    missing = [key for key in keys if key not in outputs]
    if missing:
        raise MissingOutput(f"the stack has no output(s) {', '.join(missing)}")
    return [outputs[key] for key in keys]


def _events(stack_name: str, region: str | None) -> Iterator[dict[str, Any]]:
    """The stack's events, newest first."""
    paginator = cloudformation_client(region).get_paginator("describe_stack_events")
    pages = paginator.paginate(
        StackName=stack_name, PaginationConfig={"MaxItems": 100 * _MAX_EVENT_PAGES}
    )
    for page in pages:
        yield from page["StackEvents"]


def last_operation_failures(stack_name: str, region: str | None = None) -> list[Failure]:
    """What failed in the stack's last operation, the most useful first.

    First the resources that failed on their own, in the order they failed (the first
    is usually the cause); then those CloudFormation cancelled because of them; the
    stack's own summary ("The following resource(s) failed to ...") last."""
    failed = []
    for event in _events(stack_name, region):
        is_stack = (
            event.get("ResourceType") == STACK_TYPE and event.get("LogicalResourceId") == stack_name
        )
        if event["ResourceStatus"].endswith("_FAILED"):
            failed.append(
                Failure(
                    logical_id=event.get("LogicalResourceId", "?"),
                    resource_type=event.get("ResourceType", "?"),
                    status=event["ResourceStatus"],
                    reason=event.get("ResourceStatusReason", "(no reason given)"),
                )
            )
        if is_stack and event["ResourceStatus"] in _OPERATION_STARTS:
            break
    failed.reverse()  # oldest first

    def usefulness(failure: Failure) -> int:
        if failure.resource_type == STACK_TYPE and failure.logical_id == stack_name:
            return 2
        return 1 if "cancelled" in failure.reason.lower() else 0

    return sorted(failed, key=usefulness)  # stable: in the order they happened


def add_role_arn_argument(parser: argparse.ArgumentParser) -> None:
    """The --role-arn option of every command that changes a stack."""
    parser.add_argument(
        "--role-arn",
        help=f"CloudFormation's execution role (default: ${EXECUTION_ROLE_ENV}, else "
        f"{EXECUTION_ROLE_NAME} in the caller's account)",
    )


def execution_role_arn(given: str | None, region: str | None) -> str:
    """The role CloudFormation deploys as (deploy/bootstrap-oidc.yaml's execution role):
    `given`, else $CFN_EXECUTION_ROLE_ARN, else `cfn-exec-url-shortener` in the caller's
    account and partition (GetCallerIdentity needs no permission). ValueError if a given
    ARN is no role's."""
    explicit = given or os.environ.get(EXECUTION_ROLE_ENV)
    if explicit:
        if not _ROLE_ARN.fullmatch(explicit):
            raise ValueError(f"{explicit!r} is not an IAM role's ARN")
        return explicit
    caller = boto3.client("sts", region_name=region).get_caller_identity()["Arn"]
    match = _CALLER_ARN.fullmatch(caller)
    if not match:
        raise ValueError(f"cannot read a partition and account from the caller {caller!r}")
    partition, account = match.groups()
    return f"arn:{partition}:iam::{account}:role/{EXECUTION_ROLE_NAME}"


def delete_stack(stack_name: str, region: str | None, role_arn: str) -> None:
    """Delete the stack as the execution role and wait until it is gone (WaiterError if
    the delete fails or takes too long). The deploy role may delete a stack only when
    the call names that role (its policy's cloudformation:RoleArn condition)."""
    client = cloudformation_client(region)
    client.delete_stack(StackName=stack_name, RoleARN=role_arn)
    client.get_waiter("stack_delete_complete").wait(
        StackName=stack_name,
        WaiterConfig={"Delay": WAIT_DELAY_SECONDS, "MaxAttempts": WAIT_MAX_ATTEMPTS},
    )
