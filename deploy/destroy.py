"""Tear a stack down without losing links by accident.

Empties the page's bucket (every object version and delete marker: it is versioned, and
CloudFormation deletes only an empty bucket), deletes the stack and waits for it. The links
table outlives the stack (DeletionPolicy: Retain); it goes too only with --delete-data and
the stack's name typed back (or given with --confirm when nobody is at a terminal).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import boto3
from botocore.exceptions import ClientError, WaiterError

from deploy.stack import MissingOutput, StackNotFound, require, stack_outputs

WAIT_DELAY_SECONDS = 10
WAIT_MAX_ATTEMPTS = 180  # 30 minutes: deleting a CloudFront distribution takes a while


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


def delete_stack(cloudformation: Any, stack: str) -> None:
    cloudformation.delete_stack(StackName=stack)
    cloudformation.get_waiter("stack_delete_complete").wait(
        StackName=stack,
        WaiterConfig={"Delay": WAIT_DELAY_SECONDS, "MaxAttempts": WAIT_MAX_ATTEMPTS},
    )


def delete_table(dynamodb: Any, table: str) -> None:
    # The template turns deletion protection on; DeleteTable is refused until it is off.
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
    parser.add_argument("--region", help="the stack's region (default: the AWS config's)")
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
        outputs = stack_outputs(args.stack, args.region)
        bucket, table = require(outputs, "SiteBucketName", "LinksTableName")
        if args.delete_data:
            confirm_data_deletion(args.stack, args.confirm)
    except (StackNotFound, MissingOutput, Refused) as exc:
        print(f"destroy: {exc}; nothing was deleted", file=sys.stderr)
        return 1

    s3 = boto3.client("s3", region_name=args.region)
    print(f"emptying s3://{bucket}/ (every version and delete marker)")
    print(f"  deleted {empty_bucket(s3, bucket)} object version(s)")

    print(f"deleting stack {args.stack} and waiting for it")
    try:
        delete_stack(boto3.client("cloudformation", region_name=args.region), args.stack)
    except WaiterError as exc:
        print(f"destroy: stack {args.stack} was not deleted: {exc}", file=sys.stderr)
        return 1
    print(f"  stack {args.stack} deleted")

    if not args.delete_data:
        print(
            f"kept: table {table} holds the links and is retained by its DeletionPolicy "
            f"(Retain). To delete it later: aws dynamodb update-table --table-name {table} "
            f"--no-deletion-protection-enabled && aws dynamodb delete-table --table-name {table}"
        )
        return 0

    print(f"deleting table {table} (turning its deletion protection off first)")
    delete_table(boto3.client("dynamodb", region_name=args.region), table)
    print(f"  table {table} deleted: the links are gone")
    return 0


if __name__ == "__main__":
    sys.exit(main())
