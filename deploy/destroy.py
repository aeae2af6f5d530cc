"""Tear a stack down without losing links by accident.

Empties the page's bucket (every object version and delete marker: it is versioned, and
CloudFormation deletes only an empty bucket), deletes the stack as the execution role
(deploy/bootstrap-oidc.yaml; the deploy role may delete only that way) and waits for it.
The links table outlives the stack (DeletionPolicy: RetainExceptOnCreate); it goes too
only with --delete-data and the stack's name typed back (or given with --confirm when
nobody is at a terminal).

A stack whose first create failed (ROLLBACK_COMPLETE, ROLLBACK_FAILED) has no outputs and
holds nothing: it is just deleted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, WaiterError

from deploy.stack import (
    MissingOutput,
    StackNotFound,
    add_role_arn_argument,
    delete_stack,
    describe_stack,
    execution_role_arn,
    require,
)

# A first create that failed: it never had outputs, a published page or a stored link.
NEVER_CREATED = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED"})


class Refused(Exception):
    """The data would go without the confirmation it needs."""


def confirm_data_deletion(
    stack: str,
    given: str | None,
    interactive: Callable[[], bool] | None = None,
    ask: Callable[[str], str] | None = None,
) -> None:
    """Return if the stack's name was typed back (or given with --confirm); else Refused."""
    interactive = interactive or sys.stdin.isatty
    ask = ask or input
    if given is not None:
        if given != stack:
            raise Refused(f"--confirm {given!r} is not the stack's name {stack!r}")
        return
    if not interactive():
        raise Refused("deleting the data needs the stack's name: type it, or pass --confirm NAME")
    typed = ask(f"This deletes every link for good. Type the stack's name ({stack}) to go on: ")
    if typed.strip() != stack:
        raise Refused(f"typed {typed.strip()!r}, not {stack!r}")


def empty_bucket(s3: Any, bucket: str) -> int:
    """Delete every version and delete marker in the bucket; the number deleted."""
    deleted = 0
    try:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            objects = [
                {"Key": item["Key"], "VersionId": item["VersionId"]}
                for item in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            # A page holds at most 1,000 versions plus 1,000 markers; a call takes 1,000.
            for start in range(0, len(objects), 1000):
                answer = s3.delete_objects(
                    Bucket=bucket,
                    Delete={"Objects": objects[start : start + 1000], "Quiet": True},
                )
                if answer.get("Errors"):
                    first = answer["Errors"][0]
                    raise RuntimeError(
                        f"could not delete {first['Key']} from {bucket}: {first['Message']}"
                    )
                deleted += len(objects[start : start + 1000])
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "NoSuchBucket":
            return 0  # already gone (a half-finished earlier destroy): nothing to empty
        raise
    return deleted


def delete_table(dynamodb: Any, table: str) -> None:
    # Earlier versions of the template turned deletion protection on, which refuses
    # DeleteTable until it is off (and costs nothing to turn off when it is already off).
    dynamodb.update_table(TableName=table, DeletionProtectionEnabled=False)
    dynamodb.delete_table(TableName=table)
    dynamodb.get_waiter("table_not_exists").wait(
        TableName=table, WaiterConfig={"Delay": 5, "MaxAttempts": 60}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="destroy",
        description="Empty the page's bucket and delete the stack; the links table is kept.",
    )
    parser.add_argument("--stack", required=True, help="the CloudFormation stack's name")
    parser.add_argument("--region", help="the stack's region (the Makefile: samconfig's)")
    add_role_arn_argument(parser)
    parser.add_argument(
        "--delete-data",
        action="store_true",
        help="also delete the links table (asks for the stack's name)",
    )
    parser.add_argument(
        "--confirm",
        "--yes-i-typed",
        metavar="STACKNAME",
        help="with --delete-data, without a terminal: the stack's name, as typed confirmation",
    )
    args = parser.parse_args(argv)

    try:
        # Read before deleting: the outputs go with the stack.
        stack = describe_stack(args.stack, args.region)
        if stack is None:
            raise StackNotFound(f"no stack named {args.stack!r}")
        # A failed first create that a delete then failed on too has no outputs either.
        never_created = stack.status in NEVER_CREATED or (
            stack.status == "DELETE_FAILED" and not stack.outputs
        )
        if not never_created:
            bucket, table = require(stack.outputs, "SiteBucketName", "LinksTableName")
            if args.delete_data:
                confirm_data_deletion(args.stack, args.confirm)
        role_arn = execution_role_arn(args.role_arn, args.region)
    except (StackNotFound, MissingOutput, Refused, ValueError) as exc:
        print(f"destroy: {exc}; nothing was deleted", file=sys.stderr)
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"destroy: AWS refused or could not be reached: {exc}", file=sys.stderr)
        return 1

    if never_created:
        print(
            f"stack {args.stack} is in {stack.status}: its first create failed, so it has no"
            " page to empty and no links to keep"
            + (" (and no table: --delete-data has nothing to delete)" if args.delete_data else "")
        )
    else:
        s3 = boto3.client("s3", region_name=args.region)
        print(f"emptying s3://{bucket}/ (every version and delete marker)")
        print(f"  deleted {empty_bucket(s3, bucket)} object version(s)")

    print(f"deleting stack {args.stack} as {role_arn} and waiting for it")
    try:
        delete_stack(args.stack, args.region, role_arn)
    except WaiterError as exc:
        print(f"destroy: stack {args.stack} was not deleted: {exc}", file=sys.stderr)
        return 1
    print(f"  stack {args.stack} deleted")

    if never_created:
        return 0
    if not args.delete_data:
        region = f" --region {args.region}" if args.region else ""
        print(
            f"kept: table {table} holds the links and is retained by its DeletionPolicy "
            f"(RetainExceptOnCreate). To delete it later: aws dynamodb update-table "
            f"--table-name {table} --no-deletion-protection-enabled{region} && "
            f"aws dynamodb delete-table --table-name {table}{region}"
        )
        return 0

    print(f"deleting table {table} (turning its deletion protection off first)")
    delete_table(boto3.client("dynamodb", region_name=args.region), table)
    print(f"  table {table} deleted: the links are gone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
