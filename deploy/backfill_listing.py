"""`python -m deploy backfill-listing --env ENV`: once after upgrading a stack made before
ListIndex, put its older links into the listings (src/repository/listing_backfill.py).
Runs with the operator's AWS credentials; the table is the stack's LinksTableName output.
"""

from __future__ import annotations

import argparse
import sys

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

import deploy.shipped_code  # noqa: F401  # puts src/ on sys.path for the import below
from deploy.samconfig import region as samconfig_region
from deploy.samconfig import stack_name
from deploy.stack import MissingOutput, StackNotFound, describe_stack, require
from repository.listing_backfill import backfill_listing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy backfill-listing",
        description="Put links made before ListIndex into the listings (once per stack).",
    )
    parser.add_argument("--env", required=True, help="an environment of samconfig.toml")
    args = parser.parse_args(argv)
    try:
        stack, region = stack_name(args.env), samconfig_region(args.env)
        described = describe_stack(stack, region)
        if described is None:
            print(f"backfill-listing: there is no stack {stack} in {region}", file=sys.stderr)
            return 1
        [table] = require(described.outputs, "LinksTableName")
        listed = backfill_listing(boto3.client("dynamodb", region_name=region), table)
    except KeyError as exc:
        print(f"backfill-listing: {exc.args[0]}", file=sys.stderr)
        return 1
    except (StackNotFound, MissingOutput) as exc:
        print(f"backfill-listing: {exc}", file=sys.stderr)
        return 1
    except NoCredentialsError:
        print(
            "backfill-listing: no AWS credentials found (aws configure, or aws sso login)",
            file=sys.stderr,
        )
        return 1
    except (ClientError, BotoCoreError) as exc:
        print(f"backfill-listing: AWS refused: {exc}", file=sys.stderr)
        return 1
    print(f"{listed} link(s) of {table} ({stack}, {region}) put into the listings")
    return 0
