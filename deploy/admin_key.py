"""`python -m deploy admin-key --env ENV --name NAME [--owner OWNER]` (`make admin-key`):
a deployed stack's first admin key, made with the operator's AWS credentials.

The API makes keys only for an admin key (`POST /admin/keys`), and must never hand the
first one to whoever asks first: so the first is written straight into the stack's
table by someone allowed to write there. It gets the scopes admin, links:read and
links:write, its record and a `key.create` audit entry (actor "make admin-key") go in
one transaction (deploy/key_store.py), and the key is printed once: the table keeps
only its hash, so nobody can show it again.

The stack and its region come from samconfig.toml, as for every AWS target; the table
from the stack's LinksTableName output.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from deploy.admin_output import new_key_notice
from deploy.key_store import ADMIN_SCOPES, KeyIdTaken, store_new_key
from deploy.samconfig import region as samconfig_region
from deploy.samconfig import stack_name
from deploy.stack import MissingOutput, StackNotFound, describe_stack, require
from domain.api_keys import IssuedKey
from domain.audit import Actor
from domain.errors import InvalidInput

ACTOR = Actor("make admin-key", "make admin-key")
DEFAULT_OWNER = "operator"


class Refused(Exception):
    """What the operator must fix first, said in one line."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deploy admin-key",
        description="Make an admin API key (scopes admin, links:read, links:write) in an "
        "environment's table, with your AWS credentials, and print it once.",
    )
    parser.add_argument("--env", required=True, help="an environment of samconfig.toml")
    parser.add_argument("--name", required=True, help="what the key is for, e.g. your name")
    parser.add_argument(
        "--owner",
        default=DEFAULT_OWNER,
        help=f"who the key's links belong to (default: {DEFAULT_OWNER})",
    )
    args = parser.parse_args(argv)
    try:
        stack, region, table, issued = _make_key(args.env, args.name, args.owner)
    except Refused as exc:
        print(f"admin-key: {exc}; no key was made", file=sys.stderr)
        return 1
    _show(issued, stack, region, table)
    return 0


def _make_key(environment: str, name: str, owner: str) -> tuple[str, str, str, IssuedKey]:
    try:
        stack, region = stack_name(environment), samconfig_region(environment)
    except KeyError as exc:
        raise Refused(exc.args[0]) from exc
    table = "?"
    try:
        described = describe_stack(stack, region)
        if described is None:
            raise Refused(
                f"there is no stack {stack} in {region}: deploy it first "
                f"(make deploy ENV={environment})"
            )
        [table] = require(described.outputs, "LinksTableName")
        issued = store_new_key(
            boto3.client("dynamodb", region_name=region),
            table,
            name=name,
            owner=owner,
            actor=ACTOR,
            now=datetime.now(UTC),
        )
    except InvalidInput as exc:
        raise Refused(f"--{exc.field} {exc.reason}") from exc
    except (StackNotFound, MissingOutput, KeyIdTaken) as exc:
        raise Refused(f"stack {stack}: {exc}") from exc
    except NoCredentialsError as exc:
        raise Refused(
            "no AWS credentials found: this writes to the stack's table as you (aws "
            "configure, AWS_PROFILE=..., or aws sso login), as make deploy does"
        ) from exc
    except ClientError as exc:
        raise Refused(_refusal(exc, stack, region, table)) from exc
    except BotoCoreError as exc:
        raise Refused(f"AWS could not be reached: {exc}") from exc
    return stack, region, table, issued


def _refusal(exc: ClientError, stack: str, region: str, table: str) -> str:
    code = exc.response.get("Error", {}).get("Code", "")
    if code == "ResourceNotFoundException":
        return f"stack {stack}'s table {table} does not exist in {region}"
    if code in {"AccessDenied", "AccessDeniedException", "UnrecognizedClientException"}:
        return (
            f"AWS refused your credentials ({code}): they need cloudformation:DescribeStacks "
            f"on {stack} and dynamodb:PutItem on its table, in {region}"
        )
    if code in {"ExpiredToken", "ExpiredTokenException"}:
        return "your AWS credentials have expired: renew them (e.g. aws sso login)"
    return f"AWS refused: {exc}"


def _show(issued: IssuedKey, stack: str, region: str, table: str) -> None:
    record = issued.record
    scopes = [scope.value for scope in ADMIN_SCOPES]
    where = f"stored in {table} ({stack}, {region})"
    print(new_key_notice(issued.key, record.key_id, record.name, record.owner, scopes, where))
